"""graph_stats and the documented SPARQL queries, on a graph written through kg.mapping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import deletion_triples, invalidation_triples
from kg.model import SampleRecord
from kg.queries import (
    CURRENT_SAMPLES_QUERY,
    DOCUMENTED_QUERIES,
    LABEL_DISAGREEMENTS_QUERY,
    PROVENANCE_QUERY,
    SAMPLES_BY_PROMPT_VERSION_QUERY,
    provenance_of,
)
from kg.queries.monitors import SYNTHETIC_SHARE_QUERY
from kg.stats import graph_stats
from kg.store.base import GraphStore
from kg.store.embedded import OxigraphStore

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sparql.md"
FILE_SHA = "c" * 64


def gen(template: str, version: str, seed: int) -> dict[str, object]:
    return {
        "generator": "faq-paraphraser",
        "model": "template-engine-1",
        "prompt_template": template,
        "prompt_version": version,
        "seed": seed,
    }


def label(
    field: str, value: str, annotator: str, guideline: str, kind: str = "human"
) -> dict[str, str]:
    return {
        "field": field,
        "value": value,
        "annotator": annotator,
        "guideline_version": guideline,
        "annotator_kind": kind,
    }


RAW: list[dict[str, Any]] = [
    {"id": "syn-1", "origin": "synthetic", "generation": gen("paraphrase", "3", 7)},
    {"id": "syn-2", "origin": "synthetic", "generation": gen("paraphrase", "3", 8)},
    {"id": "syn-3", "origin": "synthetic", "generation": gen("question", "1", 7)},
    {
        "id": "real-1",
        "origin": "real",
        "labels": [
            label("intent", "card_lost", "ann-1", "1.2"),
            label("intent", "card_freeze", "ann-2", "1.3"),
            label("sentiment", "negative", "ann-1", "1.2"),
        ],
    },
    {
        "id": "real-2",
        "origin": "real",
        "labels": [
            label("intent", "card_lost", "ann-1", "1.2"),
            label("intent", "card_lost", "rule-bot", "1.2", kind="heuristic"),
        ],
    },
    {"id": "real-3", "origin": "real", "dataset": "other", "version": "1"},
]
RECORDS = [
    SampleRecord.model_validate(
        {
            "text": f'Text of {r["id"]}: café "quoted".',
            "dataset": "support-kb",
            "version": "2026.11",
            **r,
        }
    )
    for r in RAW
]
INVALIDATED = {"syn-3"}
CURRENT = [r for r in RECORDS if r.id not in INVALIDATED]


@pytest.fixture(params=["memory", pytest.param("remote", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if request.param == "remote":
        yield request.getfixturevalue("fresh_remote_store")
        return
    local = OxigraphStore(None)
    yield local
    local.close()


@pytest.fixture
def graph(store: GraphStore, write_samples) -> tuple[KnowledgeGraph, dict[str, str]]:
    kg = KnowledgeGraph(store)
    iris = write_samples(kg, RECORDS, batch_id="b-1", file_sha256=FILE_SHA)
    by_id = {rec.id: iri for rec, iri in zip(RECORDS, iris, strict=True)}
    at = datetime(2026, 12, 1, tzinfo=UTC)
    deletion = ids.deletion_iri("d-1")
    statements = deletion_triples(deletion, {"ids": sorted(INVALIDATED)}, "test", at)
    for external_id in INVALIDATED:
        statements += invalidation_triples(by_id[str(external_id)], deletion, at)
    with kg.write_graph(deletion) as writer:
        writer.add_statements(statements)
    return kg, {str(k): v for k, v in by_id.items()}


# ---------------------------------------------------------------------------- stats


def test_stats_totals(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    kg, _ = graph
    totals = graph_stats(kg)["totals"]
    assert totals["samples_current"] == len(CURRENT)
    assert totals["samples_invalidated"] == len(INVALIDATED)
    assert totals["labels"] == sum(len(r.labels) for r in CURRENT)
    assert totals["batches"] == 1
    assert totals["datasets"] == len({r.dataset for r in RECORDS})
    assert totals["entities"] == 0
    assert totals["triples"] == kg.triple_count()


def test_stats_by_origin_and_dataset_version(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    stats = graph_stats(KnowledgeGraph(graph[0].store))
    assert stats["by_origin"] == dict(Counter(r.origin for r in CURRENT))
    expected = Counter((r.dataset, r.version) for r in CURRENT)
    assert {(r["dataset"], r["version"]): r["samples"] for r in stats["by_dataset_version"]} == (
        expected
    )


def test_stats_by_generator_config(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    rows = graph_stats(graph[0])["by_generator_config"]
    expected = Counter(
        (r.generation.generator, r.generation.prompt_template, r.generation.prompt_version)
        for r in CURRENT
        if r.generation
    )
    got = {(r["generator"], r["prompt_template"], r["prompt_version"]): r["samples"] for r in rows}
    assert got == expected


def test_stats_by_annotator_and_label_field(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    stats = graph_stats(graph[0])
    labels = [(r.id, lb) for r in CURRENT for lb in r.labels]
    by_annotator = {
        (r["annotator"], r["kind"]): (r["labels"], r["samples"]) for r in stats["by_annotator"]
    }
    assert by_annotator == {
        (a, k): (
            sum(1 for _, lb in labels if (lb.annotator, lb.annotator_kind) == (a, k)),
            len({i for i, lb in labels if (lb.annotator, lb.annotator_kind) == (a, k)}),
        )
        for a, k in {(lb.annotator, lb.annotator_kind) for _, lb in labels}
    }
    by_field = {
        r["field"]: (r["labels"], r["samples"], r["values"]) for r in stats["by_label_field"]
    }
    assert by_field == {
        f: (
            sum(1 for _, lb in labels if lb.field == f),
            len({i for i, lb in labels if lb.field == f}),
            len({lb.value for _, lb in labels if lb.field == f}),
        )
        for f in {lb.field for _, lb in labels}
    }


def test_stats_of_an_empty_graph() -> None:
    stats = graph_stats(KnowledgeGraph(OxigraphStore(None)))
    assert stats["totals"]["samples_current"] == 0
    assert stats["by_origin"] == {}
    assert stats["by_annotator"] == []


# ----------------------------------------------------------------------- provenance


def test_provenance_of_a_synthetic_sample(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    kg, iris = graph
    [row] = provenance_of(kg, "syn-1")
    assert row["sample"] == iris["syn-1"]
    assert (row["origin"], row["current"]) == ("synthetic", True)
    assert (row["generator"], row["model"]) == ("faq-paraphraser", "template-engine-1")
    assert (row["prompt_template"], row["prompt_version"], row["seed"]) == ("paraphrase", "3", 7)
    assert row["config"].startswith(ids.generator_config_iri("faq-paraphraser", ""))
    assert (row["dataset"], row["versions"]) == ("support-kb", ["2026.11"])
    assert row["batch"] == ids.batch_iri("b-1")
    assert row["source_sha256"] == [FILE_SHA]
    assert (row["annotators"], row["guideline_versions"]) == ([], [])


def test_provenance_of_a_labelled_sample(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    kg, _ = graph
    [row] = provenance_of(kg, "real-1")
    assert row["origin"] == "real"
    assert row["generator"] is None
    assert row["annotators"] == ["ann-1", "ann-2"]
    assert row["guideline_versions"] == ["1.2", "1.3"]
    assert row["labels"] == [
        "intent=card_freeze (ann-2)",
        "intent=card_lost (ann-1)",
        "sentiment=negative (ann-1)",
    ]
    assert row["source_sha256"] == [FILE_SHA]


def test_provenance_by_revision_logical_and_compact_iri(
    graph: tuple[KnowledgeGraph, dict[str, str]],
) -> None:
    kg, iris = graph
    logical = ids.logical_sample_iri("support-kb", "real-2")
    compact = "prid:" + logical.removeprefix("https://w3id.org/provrag/id/")
    for ref in (iris["real-2"], f"<{iris['real-2']}>", logical, compact):
        assert [r["sample"] for r in provenance_of(kg, ref)] == [iris["real-2"]], ref


def test_provenance_marks_invalidated_samples(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    [row] = provenance_of(graph[0], "syn-3")
    assert row["current"] is False


def test_provenance_of_unknown_or_odd_ids_is_empty(
    graph: tuple[KnowledgeGraph, dict[str, str]],
) -> None:
    assert provenance_of(graph[0], 'no "such" id\\') == []


def test_unbound_provenance_query_lists_every_sample(
    graph: tuple[KnowledgeGraph, dict[str, str]],
) -> None:
    rows = graph[0].select(PROVENANCE_QUERY)
    assert sorted(r["external_id"] for r in rows) == sorted(str(r.id) for r in RECORDS)


# ----------------------------------------------------------------- documented queries


def test_current_samples_query(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    rows = graph[0].select(CURRENT_SAMPLES_QUERY)
    assert [r["external_id"] for r in rows] == sorted(
        str(r.id) for r in CURRENT if (r.dataset, r.version) == ("support-kb", "2026.11")
    )


def test_samples_by_prompt_version_query(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    rows = graph[0].select(SAMPLES_BY_PROMPT_VERSION_QUERY)
    assert sorted(r["external_id"] for r in rows) == sorted(
        str(r.id) for r in CURRENT if r.generation and r.generation.prompt_version == "3"
    )


def test_label_disagreements_query(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    rows = graph[0].select(LABEL_DISAGREEMENTS_QUERY)
    expected = []
    for r in CURRENT:
        for field in sorted({lb.field for lb in r.labels}):
            if len({lb.value for lb in r.labels if lb.field == field}) > 1:
                expected.append((r.id, field))
    assert [(r["external_id"], r["field"]) for r in rows] == expected


@pytest.mark.parametrize("name", list(DOCUMENTED_QUERIES))
def test_docs_quote_each_query_verbatim(name: str) -> None:
    assert DOCUMENTED_QUERIES[name] in DOCS.read_text(encoding="utf-8")


def test_synthetic_share_query(graph: tuple[KnowledgeGraph, dict[str, str]]) -> None:
    rows = graph[0].select(SYNTHETIC_SHARE_QUERY)
    expected: dict[tuple[str, str], list[int]] = {}
    for r in CURRENT:
        counts = expected.setdefault((r.dataset, str(r.version)), [0, 0])
        counts[0] += 1
        counts[1] += r.origin == "synthetic"
    got = {(r["dataset"], r["version"]): (r["samples"], r["synthetic"]) for r in rows}
    assert got == {k: (n, s) for k, (n, s) in expected.items()}
    shares = {(r["dataset"], r["version"]): float(r["synthetic_share"]) for r in rows}
    assert shares[("support-kb", "2026.11")] == pytest.approx(2 / 4)
