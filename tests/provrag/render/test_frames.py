"""Results as DataFrames: one row per query, per slice and metric, per hit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evaluation.results import EvalResult
from kg.model import ProvenanceSummary, ScoredPassage
from provrag.render.frames import hits_frame, overall_frame, per_query_frame, slices_frame
from tests.evaluation.toy import RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden


@pytest.fixture
def result(write_samples: Callable[..., list[str]]) -> EvalResult:
    kg, iris = make_kg(write_samples)
    return run_toy(toy_golden(), CannedRetriever(RANKINGS, iris), kg=kg)


def test_one_row_per_query_with_every_metric(result: EvalResult) -> None:
    frame = per_query_frame(result)
    assert sorted(frame.index) == sorted(result.qrels)
    assert {"query", "ndcg@10"} <= set(frame.columns)
    qid = sorted(result.qrels)[0]
    assert frame.loc[qid, "ndcg@10"] == result.per_query["ndcg@10"][qid]
    assert frame.loc[qid, "query"] == result.queries[qid]


def test_one_row_per_slice_and_metric(result: EvalResult) -> None:
    frame = slices_frame(result)
    assert len(frame) == sum(len(s.metrics) for s in result.slices)
    first = result.slices[0]
    row = frame[(frame["slice"] == first.name) & (frame["value"] == first.value)].iloc[0]
    assert row["mean"] == first.metrics[row["metric"]].mean


def test_overall_has_one_row_per_metric(result: EvalResult) -> None:
    assert list(overall_frame(result)["metric"]) == list(result.overall)


def test_hits_keep_their_order_and_provenance() -> None:
    hits = [
        ScoredPassage(
            sample_iri=f"urn:{i}",
            sample_id=f"s{i}",
            text="t",
            score=1.0 / i,
            provenance=ProvenanceSummary(origin="real"),
        )
        for i in (1, 2)
    ]
    frame = hits_frame(hits)
    assert list(frame["sample_id"]) == ["s1", "s2"] and set(frame["origin"]) == {"real"}
    assert list(hits_frame([]).columns)[:3] == ["rank", "sample_id", "dataset"]
