"""kg.queries.runs: evaluation runs read back as kg.mapping.evaluation wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import EvaluationRunIn, MetricValueIn, evaluation_run_triples
from kg.queries.runs import evaluation_runs, run_metric_values, run_record
from kg.store.embedded import OxigraphStore

T1 = datetime(2026, 11, 1, 8, tzinfo=UTC)
T2 = datetime(2026, 11, 2, 8, tzinfo=UTC)
GOLDEN = ids.golden_set_iri("toy", "1")
METRICS = [
    MetricValueIn("ndcg@10", 0.5, 4, 0.25, 0.75),
    MetricValueIn("recall@10", 0.75, 4),
    MetricValueIn("ndcg@10", 0.25, 2, 0.0, 0.5, "origin", "real"),
]


def _run(run_id: str, started: datetime, **extra: object) -> EvaluationRunIn:
    return EvaluationRunIn(
        run_id=run_id,
        golden_set_iri=GOLDEN,
        golden_set_version="1",
        retriever_kind="dense",
        retriever_settings={"depth": 100},
        k=10,
        seed=13,
        query_count=4,
        provrag_version="test",
        started=started,
        ended=started,
        metrics=METRICS,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def kg() -> KnowledgeGraph:
    graph = KnowledgeGraph(OxigraphStore(None))
    runs = [
        _run("r-2", T2),
        _run("r-1", T1, embedding_model="m", index_manifest={"count": 3}, run_file="/tmp/r"),
    ]
    for run in runs:
        with graph.write_graph(ids.eval_run_iri(run.run_id)) as writer:
            writer.add_statements(evaluation_run_triples(run))
    return graph


def test_a_run_record_holds_what_a_rerun_needs(kg: KnowledgeGraph) -> None:
    rec = run_record(kg, "r-1")
    assert rec is not None
    assert (rec.run_id, rec.iri, rec.golden_iri) == ("r-1", ids.eval_run_iri("r-1"), GOLDEN)
    # the golden set itself is not in the graph: no title
    assert (rec.golden_name, rec.golden_version, rec.retriever_kind) == (None, "1", "dense")
    assert (rec.k, rec.seed, rec.retriever_settings) == (10, 13, {"depth": 100})
    assert (rec.embedding_model, rec.index_manifest, rec.run_file) == ("m", {"count": 3}, "/tmp/r")
    assert (rec.provrag_version, rec.started, rec.ended) == ("test", T1, T1)


def test_optional_parts_of_a_run_record(kg: KnowledgeGraph) -> None:
    rec = run_record(kg, "r-2")
    assert rec is not None
    assert (rec.embedding_model, rec.index_manifest, rec.run_file) == (None, None, None)


def test_an_unknown_run_is_none(kg: KnowledgeGraph) -> None:
    assert run_record(kg, "nope") is None
    assert run_metric_values(kg, "nope") == []


def test_metric_values_overall_and_per_slice(kg: KnowledgeGraph) -> None:
    key = lambda m: (m.slice_name, m.metric)  # noqa: E731
    assert sorted(run_metric_values(kg, "r-1"), key=key) == sorted(METRICS, key=key)


def test_runs_are_listed_oldest_first_with_overall_ndcg(kg: KnowledgeGraph) -> None:
    runs = evaluation_runs(kg)
    assert [(r.run_id, r.started, r.ndcg) for r in runs] == [("r-1", T1, 0.5), ("r-2", T2, 0.5)]
    assert (runs[0].golden_version, runs[0].retriever_kind, runs[0].k) == ("1", "dense", 10)
