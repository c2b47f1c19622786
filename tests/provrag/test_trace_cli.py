"""``provrag trace``: every output format, on an embedded store under ``--home``."""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path
from typing import Any

import prov
import pyoxigraph as ox
import pytest
from prov.model import ProvDocument
from typer.testing import CliRunner

from kg import ids
from provrag.cli import app
from provrag.exit_codes import ExitCode
from provrag.settings import load_settings
from provrag.wiring import open_kg
from tests.kg import lineage_data


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    path = tmp_path_factory.mktemp("home")
    kg = open_kg(load_settings(path))
    lineage = lineage_data.build(kg)
    kg.store.close()
    del kg
    gc.collect()  # drop the store object: it holds the RocksDB lock
    return path, lineage


def _run(home: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--home", str(home), "trace", *args])


def test_tree_names_generator_annotators_guidelines_and_sha(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, lineage.answer_id)
    assert result.exit_code == 0, result.output
    for fact in (
        "template-engine-1",
        "prompt_version: 3",
        "seed: 7",
        "alice (person)",
        "bob (person)",
        "default v1.1",
        "default v1.2",
        "a" * 64,
        "b" * 64,
    ):
        assert fact in result.output, fact


def test_json_format_is_the_tree_as_json(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, lineage.answer_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["iri"] == ids.answer_iri(lineage.answer_id)
    assert [c["iri"] for c in data["children"] if c["kind"] == "sample"] == [
        lineage.synthetic,
        lineage.labelled,
    ]


def test_turtle_format_parses(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, lineage.answer_id, "--format", "turtle")
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(result.output.encode(), ox.RdfFormat.TURTLE)
    derived = store.quads_for_pattern(
        ox.NamedNode(ids.answer_iri(lineage.answer_id)),
        ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
        None,
    )
    assert {q.object for q in derived} == {
        ox.NamedNode(lineage.synthetic),
        ox.NamedNode(lineage.labelled),
    }


@pytest.mark.parametrize(("fmt", "reader"), [("prov-json", "json"), ("prov-n", "provn")])
def test_prov_formats_read_back(home: tuple[Path, Any], fmt: str, reader: str) -> None:
    path, lineage = home
    result = _run(path, lineage.answer_id, "--format", fmt)
    assert result.exit_code == 0, result.output
    doc = prov.read(io.StringIO(result.output), format=reader)
    assert isinstance(doc, ProvDocument)
    answer = ids.answer_iri(lineage.answer_id)
    derived = {
        (r.formal_attributes[0][1].uri, r.formal_attributes[1][1].uri)
        for r in doc.get_records()
        if r.get_type().uri == "http://www.w3.org/ns/prov#Derivation"
        and r.formal_attributes[0][1].uri == answer
    }
    assert derived == {(answer, lineage.synthetic), (answer, lineage.labelled)}


@pytest.mark.parametrize("fmt", ["tree", "json", "turtle", "prov-json", "prov-n"])
def test_a_passage_shows_what_was_derived_from_it_in_every_format(
    home: tuple[Path, Any], fmt: str
) -> None:
    path, lineage = home
    result = _run(path, "real-1", "--format", fmt)
    assert result.exit_code == 0, result.output
    shown = {
        "tree": "Derived sample support/q-1 (question, question-maker prompt v1)",
        "json": '"kind": "derived_sample"',
        "turtle": lineage.question,
        "prov-json": lineage.question[len(ids.ID_NS) :],
        "prov-n": f"wasDerivedFrom(prid:{lineage.question[len(ids.ID_NS) :]}",
    }[fmt]
    assert shown in result.output


def test_a_derived_sample_shows_its_source(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, "q-1", "--format", "json")
    assert result.exit_code == 0, result.output
    sources = [
        c["iri"]
        for c in json.loads(result.output)["children"]
        if c["relation"] == "prov:wasDerivedFrom"
    ]
    assert sources == [lineage.labelled]


def test_trace_by_external_id(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, "syn-1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["iri"] == lineage.synthetic


def test_unknown_id_is_an_error_with_exit_1(home: tuple[Path, Any]) -> None:
    path, _ = home
    result = _run(path, "no-such-answer")
    assert result.exit_code == 1
    assert "no-such-answer" in result.output


def test_ambiguous_id_lists_datasets_and_the_dataset_option_resolves(
    home: tuple[Path, Any],
) -> None:
    path, lineage = home
    result = _run(path, "dup-1")
    assert result.exit_code == 1
    assert "support" in result.output and "other" in result.output
    result = _run(path, "dup-1", "--dataset", "other", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["iri"] == lineage.dup_other


def test_unknown_format_is_an_error(home: tuple[Path, Any]) -> None:
    path, lineage = home
    result = _run(path, lineage.answer_id, "--format", "yaml")
    assert result.exit_code == ExitCode.USAGE
    assert "yaml" in result.output
