"""evaluation.failures: which judged queries failed and why, grouped by slice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.failures import FailedQuery, find_failures, group_failures, hidden_gold
from evaluation.report import write_report
from evaluation.results import EvalResult
from kg.model import DerivedMatch, Filters, ScoredPassage
from tests.evaluation.toy import DATASET, RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden

QRELS = {
    "ok": {"a": 1},
    "via": {"b": 2, "c": 1},
    "direct-and-via": {"b": 1, "d": 1},
    "below": {"e": 1},
    "none": {"f": 1},
    "hidden": {"g": 1, "h": 1},
    "judged-not-relevant": {"a": 0},
}
RUN = {
    "ok": {"x": 0.9, "a": 0.8},
    "via": {"b": 0.9, "x": 0.5},
    "direct-and-via": {"b": 0.9, "d": 0.8},
    "below": {"x": 0.9, "y": 0.8, "e": 0.1},
    "none": {"x": 0.9},
    "hidden": {"x": 0.9, "y": 0.8, "h": 0.1},
    "judged-not-relevant": {"x": 0.9},
}
VIA = {"via": {"b": "b-question"}, "direct-and-via": {"b": "b-question"}}


def _failures() -> dict[str, FailedQuery]:
    found = find_failures(
        QRELS, RUN, VIA, {"none": ["fees"]}, k=2, depth=100, hidden={"g"}, clearance="internal"
    )
    return {f.query_id: f for f in found}


def test_each_failing_query_gets_its_reason() -> None:
    failures = _failures()
    assert {q: f.reason for q, f in failures.items()} == {
        "via": "gold_via_synthetic",
        "below": "gold_below_k",
        "none": "no_gold_in_depth",
        "hidden": "gold_restricted",
    }
    assert "b via b-question" in failures["via"].detail
    assert "rank 3" in failures["below"].detail
    assert "top 100" in failures["none"].detail
    assert "g above clearance internal" in failures["hidden"].detail
    assert failures["none"].tags == ("fees",)


def test_restricted_gold_explains_a_miss_before_a_low_rank() -> None:
    # "hidden" has a visible gold at rank 3, below k: the hidden gold is the reason
    found = find_failures(QRELS, RUN, VIA, {}, k=2, depth=100, hidden={"g"}, clearance="public")
    assert {f.query_id: f.reason for f in found}["hidden"] == "gold_restricted"
    visible = find_failures(QRELS, RUN, VIA, {}, k=2, depth=100)
    assert {f.query_id: f.reason for f in visible}["hidden"] == "gold_below_k"


@pytest.mark.parametrize(
    ("clearance", "hidden"),
    [("public", {"i", "r"}), ("internal", {"r"}), ("restricted", set()), (None, set())],
)
def test_hidden_gold_is_what_the_clearance_cannot_see(
    clearance: str | None, hidden: set[str]
) -> None:
    sensitivities = {"p": "public", "i": "internal", "r": "restricted"}
    assert hidden_gold(sensitivities, clearance) == hidden


def test_failures_are_grouped_by_slice() -> None:
    failures = list(_failures().values())
    groups = group_failures(failures, [("tag=fees", ["none", "ok"]), ("tag=x", ["ok"])])
    assert [g.to_dict() for g in groups] == [
        {
            "slice": "tag=fees",
            "queries": 2,
            "failing": 1,
            "by_reason": {"no_gold_in_depth": 1},
            "query_ids": ["none"],
        }
    ]


class _ViaRetriever(CannedRetriever):
    """The canned rankings, with s1 reached through a derived question for "query one"."""

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> list[ScoredPassage]:
        hits = super().search(query, k, filters)
        if query == "query one":
            hits = [h for h in hits if h.sample_id != "r1"]
            hits[0] = hits[0].model_copy(
                update={"matched_via": DerivedMatch(sample_iri="urn:q", sample_id="q-s1")}
            )
        if query == "query three":
            hits = []
        return hits


def _run(write_samples: Callable[..., list[str]]) -> EvalResult:
    kg, iris = make_kg(write_samples)
    return run_toy(
        toy_golden(),
        _ViaRetriever(RANKINGS, iris),
        kg=kg,
        filters=Filters(dataset=DATASET, clearance="public"),
    )


def test_the_runner_lists_failures_from_the_hits_and_the_graph(
    write_samples: Callable[..., list[str]],
) -> None:
    result = _run(write_samples)
    reasons = {f.query_id: f.reason for f in result.failures}
    # q1: its one relevant hit in the top 10 came through a derived question;
    # q3: nothing returned, and its gold s3 (internal) is above clearance public
    assert reasons == {"q1": "gold_via_synthetic", "q3": "gold_restricted"}
    summary = result.failure_summary()
    assert summary["by_reason"]["gold_restricted"] == 1
    assert {
        k: v
        for k, v in next(g for g in summary["groups"] if g["slice"] == "tag=fees").items()
        if k in ("slice", "queries", "failing")
    } == {"slice": "tag=fees", "queries": 2, "failing": 1}
    again = EvalResult.from_dict(result.to_dict())
    assert again.failures == result.failures


def test_the_report_lists_the_failing_queries(
    write_samples: Callable[..., list[str]], tmp_path: Path
) -> None:
    files = write_report([_run(write_samples)], tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert "Failing queries" in html
    assert "gold_restricted" in html and "s3 above clearance public" in html
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "| q1 | gold_via_synthetic |" in markdown
