"""Ranking metrics: equal to ir_measures / pytrec_eval on random data, plus hand-worked cases."""

from __future__ import annotations

import random

import ir_measures
import pytest
import pytrec_eval
from ir_measures import AP, RR, P, R, Success, nDCG

from evaluation import metrics as M
from evaluation.errors import MetricError

CUTOFFS = (1, 3, 5, 10, 20)
TOL = 1e-6


def random_case(seed: int, *, ties: bool = True) -> tuple[M.Qrels, M.Run]:
    """Graded qrels 0-3 and a run with tied scores, short lists, missing and extra queries."""
    rng = random.Random(seed)
    qrels: M.Qrels = {}
    run: M.Run = {}
    for q in range(60):
        qid = f"q{q}"
        # doc ids of mixed length so that lexical and numeric order differ (d2 > d10)
        pool = [f"d{rng.randrange(40)}" for _ in range(40)]
        n_judged = rng.randrange(0, 12)
        qrels[qid] = {d: rng.randint(0, 3) for d in rng.sample(pool, min(n_judged, len(pool)))}
        if q % 9 == 0:
            qrels[qid] = {d: 0 for d in qrels[qid]}  # judged, but nothing relevant
        if q % 11 == 0:
            continue  # in the qrels, not in the run
        n_ret = rng.randrange(1, 30)
        docs = list(dict.fromkeys(pool))[:n_ret]
        if ties:
            run[qid] = {d: rng.choice([0.1, 0.2, 0.3, 0.5, 1.0]) for d in docs}
        else:
            run[qid] = {d: rng.random() for d in docs}
    qrels["q_empty"] = {}  # no judgements at all: scores 0
    run["q_not_judged"] = {"d1": 1.0, "d2": 0.5}  # only in the run: ignored
    return qrels, run


def ir_measures_per_query(measure, qrels, run) -> dict[str, float]:
    return {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}


def assert_same(ours: M.MetricResult, reference: dict[str, float]) -> None:
    assert set(ours.per_query) == set(reference)
    for qid, value in reference.items():
        assert ours.per_query[qid] == pytest.approx(value, abs=TOL), qid
    ref_mean = sum(reference.values()) / len(reference)
    assert ours.mean == pytest.approx(ref_mean, abs=TOL)


# ---------------------------------------------------------------- against ir_measures

PAIRS = [
    (M.ndcg, nDCG),
    (M.recall, R),
    (M.precision, P),
    (M.average_precision, AP),
    (M.hit_rate, Success),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", CUTOFFS)
@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_equals_ir_measures_on_random_runs_with_ties(seed, k, ours, theirs):
    qrels, run = random_case(seed)
    assert_same(ours(qrels, run, k), ir_measures_per_query(theirs @ k, qrels, run))


@pytest.mark.parametrize("k", [3, 10])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(M.recall, R), (M.precision, P), (M.average_precision, AP), (M.hit_rate, Success)],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_rel_level_equals_ir_measures(k, ours, theirs):
    qrels, run = random_case(7)
    assert_same(
        ours(qrels, run, k, rel_level=2), ir_measures_per_query(theirs(rel=2) @ k, qrels, run)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", CUTOFFS)
def test_mrr_equals_cut_trec_eval_recip_rank(seed, k):
    # trec_eval has no cutoff on recip_rank; RR = 1/r with r the first relevant rank, and
    # r <= k  <=>  RR >= 1/k, so RR@k = RR if RR >= 1/k else 0 (trec_eval's tie order kept).
    qrels, run = random_case(seed)
    rr = ir_measures_per_query(RR, qrels, run)
    reference = {q: (v if v >= 1.0 / k - 1e-12 else 0.0) for q, v in rr.items()}
    assert_same(M.mrr(qrels, run, k), reference)


@pytest.mark.parametrize("k", CUTOFFS)
def test_mrr_equals_ir_measures_rr_at_k_without_ties(k):
    # ir_measures' RR@k (msmarco provider) orders equal scores by docid ascending, unlike
    # trec_eval; without ties both orders agree.
    # It also leaves out some queries without a relevant document (ours score them 0).
    qrels, run = random_case(5, ties=False)
    ours = M.mrr(qrels, run, k)
    reference = ir_measures_per_query(RR @ k, qrels, run)
    left_out = set(ours.per_query) - set(reference)
    assert set(reference) <= set(ours.per_query)
    assert left_out and all(not any(g >= 1 for g in qrels[q].values()) for q in left_out)
    assert all(ours.per_query[q] == 0.0 for q in left_out)
    for qid, value in reference.items():
        assert ours.per_query[qid] == pytest.approx(value, abs=TOL), qid


@pytest.mark.parametrize("k", [5, 10])
def test_skip_missing_equals_pytrec_eval(k):
    # pytrec_eval scores only the queries present in both the run and the qrels (and drops
    # queries with an empty judgement dict, so none are given to either side).
    qrels, run = random_case(11)
    qrels = {q: j for q, j in qrels.items() if j}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {f"ndcg_cut_{k}", f"P_{k}", f"recall_{k}"})
    ref = evaluator.evaluate(run)
    ours = M.evaluate_run(qrels, run, [f"ndcg@{k}", f"P@{k}", f"recall@{k}"], on_missing="skip")
    assert_same(ours[f"ndcg@{k}"], {q: v[f"ndcg_cut_{k}"] for q, v in ref.items()})
    assert_same(ours[f"precision@{k}"], {q: v[f"P_{k}"] for q, v in ref.items()})
    assert_same(ours[f"recall@{k}"], {q: v[f"recall_{k}"] for q, v in ref.items()})


def test_evaluate_run_equals_single_metric_functions():
    qrels, run = random_case(4)
    together = M.evaluate_run(qrels, run, ["ndcg@5", "map@20", "success@3", "RR@10"])
    assert list(together) == ["ndcg@5", "map@20", "hit_rate@3", "mrr@10"]
    assert together["ndcg@5"] == M.ndcg(qrels, run, 5)
    assert together["map@20"] == M.average_precision(qrels, run, 20)
    assert together["hit_rate@3"] == M.hit_rate(qrels, run, 3)
    assert together["mrr@10"] == M.mrr(qrels, run, 10)


# ------------------------------------------------------------------ hand-worked examples
#
# One query. Judged grades: a=3, b=2, c=0, e=1 (f unjudged). Run scores:
#   b 0.9, x 0.7, a 0.7, c 0.5, e 0.1, f 0.1
# trec_eval order (score desc, docid desc on ties): b, x, a, c, f, e
# grades at ranks 1..6:                               2, 0, 3, 0, 0, 1
QRELS: M.Qrels = {"q": {"a": 3, "b": 2, "c": 0, "e": 1}}
RUN: M.Run = {"q": {"b": 0.9, "x": 0.7, "a": 0.7, "c": 0.5, "e": 0.1, "f": 0.1}}


def test_ndcg_hand_worked():
    # DCG@3 = 2/log2(2) + 0/log2(3) + 3/log2(4) = 2 + 1.5 = 3.5
    # IDCG@3 (grades 3, 2, 1) = 3/1 + 2/log2(3) + 1/2 = 3 + 1.261860 + 0.5 = 4.761860
    assert M.ndcg(QRELS, RUN, 3).mean == pytest.approx(3.5 / 4.761860, abs=1e-6)


def test_recall_hand_worked():
    # relevant (grade >= 1): a, b, e -> 3; in top 3: b, a -> 2/3
    assert M.recall(QRELS, RUN, 3).mean == pytest.approx(2 / 3)
    # grade >= 2: a, b -> both in top 3 -> 1
    assert M.recall(QRELS, RUN, 3, rel_level=2).mean == pytest.approx(1.0)


def test_precision_hand_worked():
    # top 4 holds b, a relevant: 2/4; at k = 10 only 6 retrieved, still /10: 3/10
    assert M.precision(QRELS, RUN, 4).mean == pytest.approx(0.5)
    assert M.precision(QRELS, RUN, 10).mean == pytest.approx(0.3)


def test_mrr_hand_worked():
    # rel_level 3: only a (rank 3) counts -> 1/3 at k >= 3, 0 at k = 2
    assert M.mrr(QRELS, RUN, 3, rel_level=3).mean == pytest.approx(1 / 3)
    assert M.mrr(QRELS, RUN, 2, rel_level=3).mean == 0.0
    # rel_level 1: b at rank 1 -> 1
    assert M.mrr(QRELS, RUN, 5).mean == 1.0


def test_map_hand_worked():
    # relevant at ranks 1 (b), 3 (a), 6 (e); 3 relevant in all
    # AP@3 = (1/1 + 2/3) / 3 = 0.555556 ; AP@10 = (1 + 2/3 + 3/6) / 3 = 0.722222
    assert M.average_precision(QRELS, RUN, 3).mean == pytest.approx((1 + 2 / 3) / 3)
    assert M.average_precision(QRELS, RUN, 10).mean == pytest.approx((1 + 2 / 3 + 0.5) / 3)


def test_hit_rate_hand_worked():
    # rel_level 3: a is at rank 3 -> hit at k = 3, miss at k = 2
    assert M.hit_rate(QRELS, RUN, 3, rel_level=3).mean == 1.0
    assert M.hit_rate(QRELS, RUN, 2, rel_level=3).mean == 0.0


# -------------------------------------------------------------------------- conventions


def test_query_missing_from_run_scores_zero_and_counts():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    result = M.hit_rate(qrels, {"q1": {"a": 1.0}}, 10)
    assert result.per_query == {"q1": 1.0, "q2": 0.0}
    assert result.mean == 0.5


def test_query_missing_from_run_skipped_on_request():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    result = M.hit_rate(qrels, {"q1": {"a": 1.0}}, 10, on_missing="skip")
    assert result.per_query == {"q1": 1.0}


def test_ties_broken_by_docid_descending():
    # a and b tie; trec_eval puts b first, so a relevant a is at rank 2
    assert M.mrr({"q": {"a": 1}}, {"q": {"a": 0.5, "b": 0.5}}, 10).mean == 0.5


def test_parse_metric_names():
    assert M.parse_metric("P@5") == M.MetricSpec("precision", 5)
    assert M.parse_metric("nDCG@10").name == "ndcg@10"
    assert M.parse_metric("recall(rel=2)@100") == M.MetricSpec("recall", 100, 2)
    assert M.parse_metric("hit_rate@10").kind == "hit_rate"


@pytest.mark.parametrize("bad", ["ndcg", "foo@10", "ndcg@0", "P@-1", "recall(rel=0)@5"])
def test_bad_metric_names_rejected(bad):
    with pytest.raises(MetricError):
        M.parse_metric(bad)


def test_nan_score_rejected_naming_the_document():
    with pytest.raises(MetricError, match="'d2'"):
        M.ndcg({"q": {"d1": 1}}, {"q": {"d1": 1.0, "d2": float("nan")}}, 10)


def test_empty_qrels_rejected():
    with pytest.raises(MetricError, match="no query"):
        M.ndcg({}, {"q": {"d": 1.0}}, 10)
