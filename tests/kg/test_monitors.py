"""Monitor runs, alerts and notes: written by kg.monitors, read back by kg.queries.monitors
and by the documented latest-result queries (docs/sparql.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kg import ids
from kg.errors import NotFoundError
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import EvaluationRunIn, MetricValueIn, evaluation_run_triples
from kg.mapping.monitors import AlertIn, AlertNoteIn, MonitorRunIn
from kg.monitors import add_alert_note, record_alert, record_monitor_run
from kg.queries.monitors import (
    AGREEMENT_MEASURES,
    ALERTS_QUERY,
    COVERAGE_MEASURES,
    DRIFT_MEASURES,
    LATEST_AGREEMENT_QUERY,
    LATEST_COVERAGE_QUERY,
    LATEST_DRIFT_QUERY,
    LATEST_EVALUATION_QUERY,
    LATEST_TESTSET_QUERY,
    TESTSET_MEASURES,
    alerts,
    latest_monitor_run,
    monitor_runs,
)
from kg.store.embedded import OxigraphStore

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def kg() -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph(OxigraphStore(None))
    yield graph
    graph.close()


def _run(kg: KnowledgeGraph, run_id: str, monitor: str, dataset: str, minutes: int, base: float):
    measures = {
        "coverage": COVERAGE_MEASURES,
        "drift": DRIFT_MEASURES,
        "agreement": AGREEMENT_MEASURES,
        "testset": TESTSET_MEASURES,
    }[monitor]
    when = T0 + timedelta(minutes=minutes)
    record_monitor_run(
        kg,
        MonitorRunIn(
            run_id=run_id,
            monitor=monitor,  # type: ignore[arg-type]
            started=when,
            ended=when,
            result={"run": run_id},
            measurements={m: base + i for i, m in enumerate(measures)},
            dataset=dataset,
            version="v1",
        ),
    )
    return measures


@pytest.mark.parametrize(
    ("monitor", "query"),
    [
        ("coverage", LATEST_COVERAGE_QUERY),
        ("drift", LATEST_DRIFT_QUERY),
        ("agreement", LATEST_AGREEMENT_QUERY),
        ("testset", LATEST_TESTSET_QUERY),
    ],
)
def test_the_documented_query_gives_each_datasets_latest_run(
    kg: KnowledgeGraph, monitor: str, query: str
) -> None:
    _run(kg, "old", monitor, "kb", 0, 0.1)
    measures = _run(kg, "new", monitor, "kb", 5, 0.5)
    _run(kg, "other", monitor, "other", 1, 0.9)
    _run(kg, "not-this-monitor", "coverage" if monitor != "coverage" else "drift", "kb", 9, 0.0)
    rows = kg.select(query)
    assert [(r["dataset"], str(r["run"]).rsplit("/", 1)[1]) for r in rows] == [
        ("kb", "new"),
        ("other", "other"),
    ]
    assert [rows[0][m] for m in measures] == pytest.approx([0.5 + i for i in range(len(measures))])
    assert rows[0]["version"] == "v1"


def test_monitor_runs_read_back_oldest_first_with_measurements(kg: KnowledgeGraph) -> None:
    _run(kg, "b", "coverage", "kb", 5, 0.5)
    _run(kg, "a", "coverage", "kb", 0, 0.1)
    runs = monitor_runs(kg, "coverage")
    assert [r.run_id for r in runs] == ["a", "b"]
    assert runs[1].measurements["real_covered_share"] == pytest.approx(0.5)
    assert runs[1].result == {"run": "b"}
    latest = latest_monitor_run(kg, "coverage", "kb")
    assert latest is not None and latest.run_id == "b"
    assert latest_monitor_run(kg, "drift") is None


def _alert(alert_id: str, minutes: int = 0) -> AlertIn:
    return AlertIn(
        alert_id=alert_id,
        monitor="coverage",
        measure="real_covered_share",
        value=0.5,
        threshold=0.8,
        comparator=">=",
        message="coverage too low",
        time=T0 + timedelta(minutes=minutes),
        dataset="kb",
        informed_by=ids.monitor_run_iri("r1"),
    )


def test_an_alert_is_recorded_once_and_carries_its_notes(kg: KnowledgeGraph) -> None:
    assert record_alert(kg, _alert("a1")) == ids.alert_iri("a1")
    assert record_alert(kg, _alert("a1")) is None
    record_alert(kg, _alert("a2", minutes=3))
    for n, text in enumerate(["looking", "generated 20 questions"]):
        add_alert_note(
            kg, AlertNoteIn("a1", f"n{n}", text, T0 + timedelta(hours=n + 1), author="ann-1")
        )
    got = alerts(kg)
    assert [a.alert_id for a in got] == ["a1", "a2"]
    assert [n.text for n in got[0].notes] == ["looking", "generated 20 questions"]
    assert got[0].notes[0].author == "ann-1"
    assert got[0].informed_by == ids.monitor_run_iri("r1")
    rows = kg.select(ALERTS_QUERY)
    assert [(str(r["alert"]).rsplit("/", 1)[1], r.get("note")) for r in rows] == [
        ("a2", None),
        ("a1", "generated 20 questions"),
    ]
    assert rows[1]["value"] == pytest.approx(0.5) and rows[1]["threshold"] == pytest.approx(0.8)


def test_a_note_on_an_unknown_alert_is_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no alert 'nope'"):
        add_alert_note(kg, AlertNoteIn("nope", "n", "text", T0))


def _eval_run(kg: KnowledgeGraph, run_id: str, kind: str, minutes: int, ndcg: float) -> None:
    when = T0 + timedelta(minutes=minutes)
    run = EvaluationRunIn(
        run_id,
        ids.golden_set_iri("gold", "1"),
        "1",
        kind,
        {},
        10,
        1,
        3,
        "0.1.0",
        when,
        when,
        metrics=[
            MetricValueIn("ndcg@10", ndcg, 3, ndcg - 0.1, ndcg + 0.1),
            MetricValueIn("ndcg@10", 0.1, 2, slice_name="origin", slice_value="real"),
        ],
    )
    with kg.write_graph(ids.eval_run_iri(run_id)) as w:
        w.add_statements(evaluation_run_triples(run))


def test_the_latest_evaluation_query_gives_the_newest_run_per_retriever(
    kg: KnowledgeGraph,
) -> None:
    gs = ids.golden_set_iri("gold", "1")
    with kg.write_graph(gs) as w:
        w.add_statements([f'<{gs}> <http://purl.org/dc/terms/title> "gold"'])
    _eval_run(kg, "d1", "dense", 0, 0.5)
    _eval_run(kg, "d2", "dense", 5, 0.6)
    _eval_run(kg, "e1", "enriched", 1, 0.7)
    rows = kg.select(LATEST_EVALUATION_QUERY)
    got = [(str(r["run"]).rsplit("/", 1)[1], r["retriever"], r["metric"]) for r in rows]
    assert got == [("d2", "dense", "ndcg@10"), ("e1", "enriched", "ndcg@10")]
    assert [r["value"] for r in rows] == pytest.approx([0.6, 0.7])
    assert rows[0]["low"] == pytest.approx(0.5) and rows[0]["high"] == pytest.approx(0.7)
