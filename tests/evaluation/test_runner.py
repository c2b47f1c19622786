"""The evaluation runner: TREC run that ir_measures re-scores to the same numbers, the
retriever's own order kept, intervals, answers, synthetic share, reproducibility."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ir_measures
import numpy as np
import pytest
from ir_measures import AP, RR, P, R, Success, nDCG

from evaluation.errors import EvaluationError
from evaluation.golden import GoldenSet
from evaluation.record import new_run_id, save_run
from evaluation.runner import run_evaluation, strictly_decreasing
from evaluation.spec import RunSpec
from evaluation.stats import bootstrap_ci
from evaluation.trecio import read_trec_qrels, read_trec_run
from kg.model import Filters, GoldenItem
from tests.evaluation.toy import (
    RANKINGS,
    CannedRetriever,
    FixedAnswerer,
    make_kg,
    random_world,
    run_toy,
    toy_golden,
)

MEASURES = {
    "ndcg@10": nDCG @ 10,
    "recall@10": R @ 10,
    "precision@10": P @ 10,
    "mrr@10": RR @ 10,
    "map@10": AP @ 10,
    "hit_rate@10": Success @ 10,
    "ndcg@3": nDCG @ 3,
    "recall@3": R @ 3,
}


def _random_golden(seed: int) -> tuple[GoldenSet, CannedRetriever]:
    items, rankings = random_world(seed)
    return toy_golden(items), CannedRetriever(rankings, {}, with_provenance=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_run_file_rescored_by_ir_measures_gives_the_same_numbers(seed: int, tmp_path: Path) -> None:
    golden, retriever = _random_golden(seed)
    result = run_toy(golden, retriever, ks=(10, 3))
    result.run_id = new_run_id()
    directory = save_run(result, tmp_path)
    run = read_trec_run(directory / "run.trec")
    qrels = read_trec_qrels(directory / "qrels.trec")
    for name, measure in MEASURES.items():
        theirs = {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}
        ours = result.per_query[name]
        assert set(ours) == set(qrels)
        for qid in qrels:
            assert ours[qid] == pytest.approx(theirs.get(qid, 0.0), abs=1e-9), (name, qid)
        assert result.overall[name].mean == pytest.approx(
            sum(theirs.get(q, 0.0) for q in qrels) / len(qrels), abs=1e-9
        )


def test_the_ranking_scored_is_the_retrievers_own_order_even_with_ties(tmp_path: Path) -> None:
    golden, retriever = _random_golden(4)
    result = run_toy(golden, retriever)
    result.run_id = "r1"
    lines = (save_run(result, tmp_path) / "run.trec").read_text().splitlines()
    ranked: dict[str, list[str]] = {}
    for line in lines:
        qid, _, docid, rank, _, tag = line.split()
        ranked.setdefault(qid, []).append(docid)
        assert tag == "r1" and int(rank) == len(ranked[qid])
    for item in golden.items:
        expected = [d for d, _ in retriever.rankings[item.query]]
        assert ranked.get(item.query_id, []) == expected


def test_strictly_decreasing_keeps_order_and_values_close() -> None:
    scores = [0.5, 0.5, 0.7, 0.2, 0.2]
    out = strictly_decreasing(scores)
    assert all(a > b for a, b in zip(out, out[1:], strict=False))
    # distinct in single precision too, as trec_eval compares scores
    assert all(np.float32(a) > np.float32(b) for a, b in zip(out, out[1:], strict=False))
    assert out[0] == 0.5 and out[3] == 0.2  # scores already in order are untouched
    assert abs(out[1] - 0.5) < 1e-6


def test_every_mean_has_the_bootstrap_interval_of_its_per_query_values() -> None:
    golden, retriever = _random_golden(5)
    result = run_toy(golden, retriever, seed=7, bootstrap_samples=500)
    for name, summary in result.overall.items():
        values = [result.per_query[name][q] for q in sorted(result.per_query[name])]
        assert (summary.ci_low, summary.ci_high) == bootstrap_ci(values, samples=500, seed=7)
        assert summary.ci_low <= summary.mean <= summary.ci_high
        assert summary.mean == pytest.approx(float(np.mean(values)))


def test_numbers_do_not_depend_on_the_order_of_the_golden_items() -> None:
    items, rankings = random_world(6)
    first = run_toy(toy_golden(items), CannedRetriever(rankings, {}))
    again = run_toy(toy_golden(list(reversed(items))), CannedRetriever(rankings, {}))
    assert first.numbers() == again.numbers()


def test_depth_cutoffs_and_filters_reach_the_retriever() -> None:
    golden, retriever = _random_golden(7)
    only = Filters(dataset="toy", clearance="restricted")
    result = run_toy(golden, retriever, ks=(5, 20), filters=only)
    assert {k for _, k, _ in retriever.calls} == {100}
    assert all(f == only for _, _, f in retriever.calls)
    assert result.depth == 100 and "ndcg@20" in result.overall and "ndcg@5" in result.overall
    run_toy(golden, retriever, ks=(5,), depth=30)
    assert retriever.calls[-1][1] == 30


def test_a_spec_for_another_golden_set_is_refused() -> None:
    golden, retriever = _random_golden(7)
    spec = RunSpec(golden=golden.name, golden_version="other")
    with pytest.raises(EvaluationError, match="version 'other'"):
        run_evaluation(spec, golden, retriever)


def test_a_spec_asking_for_answers_needs_an_answerer() -> None:
    golden, retriever = _random_golden(7)
    with pytest.raises(EvaluationError, match="answerer"):
        run_evaluation(RunSpec.for_golden(golden, answers=True), golden, retriever)


def test_the_result_carries_its_spec() -> None:
    golden, retriever = _random_golden(7)
    spec = RunSpec.for_golden(golden, mode="lexical", ks=(5, 20), seed=3)
    result = run_evaluation(spec, golden, retriever)
    assert result.spec == spec
    assert (result.retriever_kind, result.k, result.seed) == ("lexical", 5, 3)


def test_depth_below_a_cutoff_is_refused() -> None:
    golden, retriever = _random_golden(8)
    with pytest.raises(EvaluationError, match="depth 5 is below the largest cutoff 10"):
        run_toy(golden, retriever, ks=(10,), depth=5)


def test_identical_ids_are_ignored_on_request() -> None:
    golden = toy_golden([GoldenItem(query_id="d1", query="self", relevant={"d2": 1})])
    rankings = {"self": [("d1", 0.9), ("d2", 0.8)]}
    kept = run_toy(golden, CannedRetriever(rankings, {}))
    ignored = run_toy(golden, CannedRetriever(rankings, {}), ignore_identical_ids=True)
    assert kept.run["d1"].keys() == {"d1", "d2"} and kept.overall["mrr@10"].mean == 0.5
    assert ignored.run["d1"].keys() == {"d2"} and ignored.overall["mrr@10"].mean == 1.0


def test_hits_of_another_dataset_keep_their_rank_but_never_match() -> None:
    golden = toy_golden([GoldenItem(query_id="q", query="q", relevant={"d2": 1})])
    retriever = CannedRetriever({"q": [("d2", 0.9)]}, {}, dataset="other")
    result = run_toy(golden, retriever)
    assert list(result.run["q"]) == ["other:d2"]
    assert result.overall["recall@10"].mean == 0.0


def test_answers_are_scored_for_items_with_gold_answers(
    write_samples: Callable[..., list[str]],
) -> None:
    kg, iris = make_kg(write_samples)
    answerer = FixedAnswerer({"query five": "The answer is 42!"})
    result = run_toy(
        toy_golden(),
        CannedRetriever(RANKINGS, iris),
        kg=kg,
        answerer=answerer,
    )
    assert result.per_query["exact_match"] == {"q5": 1.0}
    assert result.per_query["token_f1"] == {"q5": 1.0}
    assert result.predictions == {"q5": "The answer is 42!"}
    assert "q5" not in result.qrels  # answer-only items are not ranking queries


def test_synthetic_share_of_the_top_k_per_query(
    write_samples: Callable[..., list[str]],
) -> None:
    kg, iris = make_kg(write_samples)
    # provenance missing on the hits: the origins come from the graph
    retriever = CannedRetriever(RANKINGS, iris, with_provenance=False)
    result = run_toy(toy_golden(), retriever, ks=(3,), kg=kg)
    share = result.per_query["synthetic_share@3"]
    for item in toy_golden().items:
        if not item.relevant:
            continue
        top = [sid for sid, _ in RANKINGS[item.query][:3]]
        expected = sum(sid.startswith("s") for sid in top) / len(top)
        assert share[item.query_id] == pytest.approx(expected)


def test_progress_is_reported_per_query() -> None:
    golden, retriever = _random_golden(9)
    seen: list[tuple[int, int]] = []
    run_toy(golden, retriever, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 30) and seen[-1] == (30, 30) and len(seen) == 31


def test_a_golden_set_without_judgements_is_refused() -> None:
    golden = toy_golden([GoldenItem(query_id="a", query="a", gold_answers=["x"])])
    with pytest.raises(EvaluationError, match="judges no sample"):
        run_toy(golden, CannedRetriever({}, {}))
