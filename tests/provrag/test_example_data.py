"""The bundled example data: valid, consistent, and reproducible from its generator."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from ingest.pipeline import ingest_files
from kg.graph import KnowledgeGraph
from kg.model import GoldenItem, SampleRecord
from kg.store.embedded import OxigraphStore

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "provrag" / "example_data"
SCRIPT = REPO / "scripts" / "make_example_data.py"


def _jsonl(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def v1() -> list[dict[str, Any]]:
    return _jsonl("kb_v1.jsonl")


@pytest.fixture(scope="module")
def v2() -> list[dict[str, Any]]:
    return _jsonl("kb_v2.jsonl")


@pytest.fixture(scope="module")
def golden() -> list[dict[str, Any]]:
    return _jsonl("golden.jsonl")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_example_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["kb_v1.jsonl", "kb_v2.jsonl"])
def test_every_kb_record_is_a_valid_sample_record(name: str) -> None:
    records = _jsonl(name)
    for rec in records:
        SampleRecord.model_validate(rec)
    ids = [rec["id"] for rec in records]
    assert len(ids) == len(set(ids)), "external ids must be unique per dataset version"


def test_v1_holds_real_synthetic_and_questions(v1: list[dict[str, Any]]) -> None:
    assert len(v1) >= 300
    kinds = {(r["origin"], r["kind"]) for r in v1}
    assert {("real", "passage"), ("synthetic", "passage"), ("synthetic", "question")} <= kinds
    assert {r["dataset"] for r in v1} == {"northwind-support"}
    assert {r["version"] for r in v1} == {"2026.10"}
    assert {r["sensitivity"] for r in v1} == {"public", "internal", "restricted"}
    assert {r["generation"]["prompt_version"] for r in v1 if r["origin"] == "synthetic"} == {
        "2",
        "3",
    }


@pytest.mark.parametrize("name", ["kb_v1.jsonl", "kb_v2.jsonl"])
def test_synthetic_records_are_derived_from_earlier_real_passages(name: str) -> None:
    real: set[str] = set()
    for rec in _jsonl(name):
        if rec["origin"] == "real":
            real.add(rec["id"])
            assert "derived_from" not in rec, rec["id"]
        else:
            (source,) = rec["derived_from"]
            assert source in real, rec["id"]  # listed before: ingest needs no second pass
        # relations between samples are graph edges, never metadata keys
        assert not {"about", "paraphrase_of"} & rec["metadata"].keys(), rec["id"]


def test_annotators_disagree_on_a_share_of_labelled_samples(
    v1: list[dict[str, Any]], manifest: dict[str, Any]
) -> None:
    labelled = 0
    disagreements = 0
    annotators: set[str] = set()
    for rec in v1:
        human = [x for x in rec["labels"] if x["annotator_kind"] == "human"]
        annotators |= {x["annotator"] for x in human}
        if human:
            labelled += 1
            values = {x["value"] for x in human if x["field"] == "intent"}
            disagreements += len(values) > 1
    assert annotators == {"ann-1", "ann-2", "ann-3"}
    assert 0.15 <= disagreements / labelled <= 0.20
    assert disagreements == manifest["counts"]["v1_disagreements"]
    heuristic = [x for r in v1 for x in r["labels"] if x["annotator_kind"] == "heuristic"]
    assert heuristic and all(x["annotator"] == "intent-heuristic" for x in heuristic)


def test_v2_revises_some_passages_and_adds_new_ones(
    v1: list[dict[str, Any]], v2: list[dict[str, Any]], manifest: dict[str, Any]
) -> None:
    old = {r["id"]: r for r in v1}
    assert old.keys() <= {r["id"] for r in v2}
    new = [r for r in v2 if r["id"] not in old]
    revised_real = [
        r
        for r in v2
        if r["id"] in old and r["origin"] == "real" and r != dict(old[r["id"]], version="2026.11")
    ]
    assert len(new) == manifest["counts"]["v2_new"] == 15
    assert len(revised_real) == manifest["counts"]["v2_changed_real"] == 10
    assert {r["version"] for r in v2} == {"2026.11"}


def test_golden_items_are_valid_and_point_into_v1(
    golden: list[dict[str, Any]], v1: list[dict[str, Any]]
) -> None:
    by_id = {r["id"]: r for r in v1}
    query_ids = [g["query_id"] for g in golden]
    assert len(query_ids) == len(set(query_ids))
    for item in golden:
        GoldenItem.model_validate(item)
        assert item["relevant"], item["query_id"]
        assert set(item["relevant"].values()) <= {1, 2}
        for sid in item["relevant"]:
            assert sid in by_id, f"{item['query_id']}: unknown sample {sid}"
        answering = " ".join(
            by_id[sid]["text"].lower() for sid, grade in item["relevant"].items() if grade == 2
        )
        assert any(a.lower() in answering for a in item["gold_answers"]), item["query_id"]


def test_golden_judges_both_real_and_synthetic_samples(
    golden: list[dict[str, Any]], v1: list[dict[str, Any]]
) -> None:
    origin = {r["id"]: r["origin"] for r in v1}
    judged = {origin[sid] for g in golden for sid in g["relevant"]}
    assert judged == {"real", "synthetic"}
    meta = json.loads((DATA / "golden.meta.json").read_text(encoding="utf-8"))
    assert meta["dataset"] == "northwind-support" and meta["name"] == "northwind-golden"


def test_bad_records_hold_exactly_the_documented_bad_lines(
    manifest: dict[str, Any], tmp_path: Path
) -> None:
    malformed = 0
    for line in (DATA / "bad_records.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            SampleRecord.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError):
            malformed += 1
    documented = manifest["counts"]["bad_records_bad"]
    assert malformed == 6  # and one well-formed record names a source that does not exist
    report = ingest_files(
        KnowledgeGraph(OxigraphStore(None)),
        [DATA / "bad_records.jsonl"],
        quarantine_dir=tmp_path,
    )
    assert report.quarantined == documented == 7
    assert report.new == manifest["counts"]["bad_records_lines"] - documented
    (lineage,) = [bad for bad in report.invalid if bad["field"] == "derived_from"]
    assert lineage["line"] == 11 and "'intake-404'" in lineage["message"]
    assert f"{documented} bad lines" in (DATA / "README.md").read_text(encoding="utf-8")


def test_gazetteer_concepts_have_labels_and_types() -> None:
    from rdflib import Graph, Namespace
    from rdflib.namespace import RDF, SKOS

    pr = Namespace("https://w3id.org/provrag/ns#")
    g = Graph().parse(DATA / "gazetteer.ttl", format="turtle")
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 20
    for concept in concepts:
        assert g.value(concept, SKOS.prefLabel) is not None, concept
        assert str(g.value(concept, pr.entityType)) in {"ORG", "PRODUCT", "PERSON"}, concept
    labels = {str(o) for o in g.objects(None, SKOS.altLabel)}
    assert {"NWB", "Northwind"} <= labels


def test_generator_reproduces_the_files_byte_for_byte(tmp_path: Path) -> None:
    generator = _load_generator()
    generator.write(tmp_path, generator.DEFAULT_SEED)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "kb_v1.jsonl" in written and "README.md" in written
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_another_seed_gives_other_synthetic_data(tmp_path: Path) -> None:
    generator = _load_generator()
    generator.write(tmp_path, 8)
    assert (tmp_path / "kb_v1.jsonl").read_bytes() != (DATA / "kb_v1.jsonl").read_bytes()


def test_the_generator_reads_its_data_from_the_source_folder(tmp_path: Path) -> None:
    generator = _load_generator()
    source = tmp_path / "source"
    shutil.copytree(DATA / "source", source)
    golden = source / "golden.toml"
    first = "My wallet was pinched on the bus - what number do I ring to stop my card?"
    text = golden.read_text(encoding="utf-8")
    golden.write_text(text.replace(first, "Who do I call about a stolen card?"), encoding="utf-8")
    generator.write(tmp_path / "out", generator.DEFAULT_SEED, source)
    items = [json.loads(line) for line in (tmp_path / "out" / "golden.jsonl").open()]
    assert items[0]["query"] == "Who do I call about a stolen card?"
    assert (tmp_path / "out" / "kb_v1.jsonl").read_bytes() == (DATA / "kb_v1.jsonl").read_bytes()
