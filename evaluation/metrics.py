"""Ranking metrics with trec_eval conventions, per query and mean.

Each metric is a pure function ``metric(qrels, run, k) -> MetricResult``;
:func:`evaluate_run` computes several at once and ranks each query only once.

Inputs
------
``Qrels`` maps query id -> document id -> integer grade (0 = judged not relevant).
``Run`` maps query id -> document id -> retrieval score (higher is better).

Conventions (those of trec_eval 9.x, so ``trec_eval -c``, pytrec_eval and
ir_measures give the same numbers)
------------------------------------------------------------------------------
- Ranking: documents sorted by score descending; equal scores are ordered by
  document id descending (trec_eval compares ``docno`` with ``strcmp`` in reverse
  order). The run's own rank numbers play no part.
- Unjudged documents have grade 0. A document is *relevant* when its grade is
  at least ``rel_level`` (default 1, trec_eval's ``-l``); nDCG uses the grade
  itself as gain, negative grades count as 0.
- Which queries count: every query id of the qrels. Queries of the run that are
  not in the qrels are ignored. A query of the qrels with no entry in the run
  scores 0 on every metric and counts in the mean (``on_missing="zero"``, what
  ``trec_eval -c`` and ir_measures do); ``on_missing="skip"`` leaves it out of the
  mean instead (what pytrec_eval and BEIR's averaging over the returned queries do).
- A query whose judgements are all below ``rel_level`` (no relevant document)
  scores 0 on every metric and counts in the mean, as in trec_eval; so does a
  query id mapped to an empty judgement dict (as ir_measures does; a TREC qrels
  file cannot express one). Leave such queries out of the qrels to not score them.
- Means are arithmetic means over the scored queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from evaluation.errors import MetricError
from kg.typing import MISSING_POLICIES, MetricKind, MissingPolicy

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]

#: What :func:`evaluate_run` computes when no metric names are given.
DEFAULT_METRICS: tuple[str, ...] = (
    "ndcg@10",
    "recall@10",
    "recall@100",
    "precision@10",
    "mrr@10",
    "map@10",
    "hit_rate@10",
)


@dataclass(frozen=True)
class MetricResult:
    """Values of one metric: per query and their mean over the scored queries."""

    name: str
    per_query: dict[str, float]
    mean: float


# ---------------------------------------------------------------------------- ranking


class RankedRun:
    """The run in trec_eval order, as grade matrices shared by all metrics.

    ``grades[i, r]`` is the grade of the document at rank ``r + 1`` of query
    ``qids[i]`` (0 when unjudged or when fewer than ``r + 1`` were retrieved);
    ``ideal[i, r]`` is the ``r + 1``-th largest judged grade of that query.
    """

    def __init__(
        self,
        qids: list[str],
        grades: np.ndarray,
        ideal: np.ndarray,
        judgements: list[Mapping[str, int]],
    ) -> None:
        self.qids = qids
        self.grades = grades
        self.ideal = ideal
        self.depth = int(grades.shape[1])
        self._judgements = judgements
        self._num_rel: dict[int, np.ndarray] = {}

    def num_relevant(self, rel_level: int = 1) -> np.ndarray:
        """Judged documents with grade >= ``rel_level``, per query (retrieved or not)."""
        if rel_level not in self._num_rel:
            self._num_rel[rel_level] = np.fromiter(
                (sum(1 for g in j.values() if g >= rel_level) for j in self._judgements),
                dtype=np.float64,
                count=len(self._judgements),
            )
        return self._num_rel[rel_level]


def trec_order(docs: Mapping[str, float]) -> list[str]:
    """Document ids in trec_eval order: score descending, equal scores by id descending.

    Two stable sorts (ids descending, then scores descending; ``reverse=True`` keeps
    the order of equal keys) are faster than one sort on (score, id) tuples.
    """
    return sorted(sorted(docs, reverse=True), key=docs.__getitem__, reverse=True)


def _to_matrix(rows: list[list[int]], depth: int) -> np.ndarray:
    """Left-aligned rows of different lengths -> (len(rows), depth) matrix, 0 padded."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    out = np.zeros((len(rows), depth), dtype=np.float64)
    total = int(lengths.sum())
    if total:
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=total)
        row_idx = np.repeat(np.arange(len(rows)), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        col_idx = np.arange(total) - starts
        out[row_idx, col_idx] = flat
    return out


def rank_run(
    qrels: Mapping[str, Mapping[str, int]],
    run: Mapping[str, Mapping[str, float]],
    depth: int,
    *,
    on_missing: MissingPolicy = "zero",
) -> RankedRun:
    """Sort each query's documents the trec_eval way and look up their grades, to ``depth``."""
    _check_k(depth)
    if on_missing not in MISSING_POLICIES:
        raise MetricError(
            f"on_missing must be one of {', '.join(MISSING_POLICIES)}, got {on_missing!r}"
        )
    qids: list[str] = []
    ideal_rows: list[list[int]] = []
    judgements: list[Mapping[str, int]] = []
    # (query index, 0-based rank, grade) of every judged document ranked within depth:
    # only those are looked up, the other positions keep grade 0
    hit_q: list[int] = []
    hit_rank: list[int] = []
    hit_grade: list[int] = []
    ranks = range(depth)
    for qid, judged in qrels.items():
        docs = run.get(qid)
        if docs:
            _check_scores(qid, docs)
            rank_of = dict(zip(trec_order(docs), ranks, strict=False))  # cut at depth
            i = len(qids)
            for docid, grade in judged.items():
                r = rank_of.get(docid)
                if r is not None and grade:
                    hit_q.append(i)
                    hit_rank.append(r)
                    hit_grade.append(grade)
        elif on_missing == "skip":
            continue
        qids.append(qid)
        ideal_rows.append(sorted(judged.values(), reverse=True)[:depth])
        judgements.append(judged)
    grades = np.zeros((len(qids), depth), dtype=np.float64)
    if hit_q:
        grades[np.array(hit_q), np.array(hit_rank)] = np.array(hit_grade, dtype=np.float64)
    return RankedRun(qids, grades, _to_matrix(ideal_rows, depth), judgements)


def _check_scores(qid: str, docs: Mapping[str, float]) -> None:
    """Scores must be numbers, not NaN (a NaN makes the sort order undefined)."""
    try:
        total = sum(docs.values())
    except TypeError:
        bad = next(d for d, s in docs.items() if not isinstance(s, (int, float, np.number)))
        raise MetricError(
            f"query {qid!r}: document {bad!r} has score {docs[bad]!r}, not a number"
        ) from None
    if total != total:  # NaN somewhere (or +inf and -inf together)
        for docid, score in docs.items():
            if score != score:
                raise MetricError(
                    f"query {qid!r}: document {docid!r} has score NaN; "
                    "give every retrieved document a numeric score that is not NaN"
                )


# ---------------------------------------------------------------- metrics on a ranking


def _relevant(ranked: RankedRun, k: int, rel_level: int) -> np.ndarray:
    return ranked.grades[:, :k] >= rel_level


def ndcg_scores(ranked: RankedRun, k: int) -> np.ndarray:
    """nDCG@k per query of a ranked run (see :func:`ndcg`)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))
    dcg = np.clip(ranked.grades[:, :k], 0, None) @ discount
    idcg = np.clip(ranked.ideal[:, :k], 0, None) @ discount
    out = np.zeros_like(dcg)
    np.divide(dcg, idcg, out=out, where=idcg > 0)
    return out


def recall_scores(ranked: RankedRun, k: int, rel_level: int = 1) -> np.ndarray:
    """Recall@k per query of a ranked run (see :func:`recall`)."""
    hits = _relevant(ranked, k, rel_level).sum(axis=1, dtype=np.float64)
    n_rel = ranked.num_relevant(rel_level)
    out = np.zeros_like(hits)
    np.divide(hits, n_rel, out=out, where=n_rel > 0)
    return out


def precision_scores(ranked: RankedRun, k: int, rel_level: int = 1) -> np.ndarray:
    """Precision@k per query of a ranked run (see :func:`precision`)."""
    return _relevant(ranked, k, rel_level).sum(axis=1, dtype=np.float64) / k


def mrr_scores(ranked: RankedRun, k: int, rel_level: int = 1) -> np.ndarray:
    """Reciprocal rank cut at k, per query of a ranked run (see :func:`mrr`)."""
    rel = _relevant(ranked, k, rel_level)
    first = rel.argmax(axis=1)
    return np.asarray(np.where(rel.any(axis=1), 1.0 / (first + 1.0), 0.0))


def map_scores(ranked: RankedRun, k: int, rel_level: int = 1) -> np.ndarray:
    """Average precision cut at k, per query of a ranked run (see :func:`average_precision`)."""
    rel = _relevant(ranked, k, rel_level)
    prec_at_rank = np.cumsum(rel, axis=1) / np.arange(1, k + 1, dtype=np.float64)
    summed = (prec_at_rank * rel).sum(axis=1)
    n_rel = ranked.num_relevant(rel_level)
    out = np.zeros_like(summed)
    np.divide(summed, n_rel, out=out, where=n_rel > 0)
    return out


def hit_rate_scores(ranked: RankedRun, k: int, rel_level: int = 1) -> np.ndarray:
    """Success@k per query of a ranked run (see :func:`hit_rate`)."""
    return np.asarray(_relevant(ranked, k, rel_level).any(axis=1), dtype=np.float64)


# ------------------------------------------------------------------ public functions


def _result(name: str, ranked: RankedRun, values: np.ndarray) -> MetricResult:
    if not ranked.qids:
        raise MetricError(
            f"{name}: no query to score (the qrels are empty"
            " or, with on_missing='skip', none of them is in the run)"
        )
    return MetricResult(
        name, dict(zip(ranked.qids, values.tolist(), strict=True)), float(values.mean())
    )


def ndcg(qrels: Qrels, run: Run, k: int, *, on_missing: MissingPolicy = "zero") -> MetricResult:
    """Normalised discounted cumulative gain at cutoff k (trec_eval ``ndcg_cut.k``).

    ``DCG@k = sum_{r=1..k} g_r / log2(r + 1)`` with ``g_r`` the grade of the document
    at rank r; ``nDCG@k = DCG@k / IDCG@k`` where IDCG@k is the DCG@k of all judged
    grades of the query sorted descending (retrieved or not). 0 when IDCG@k = 0.

    Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques",
    ACM TOIS 20(4), 2002; linear gains and log2(r + 1) discount as in trec_eval.
    """
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(f"ndcg@{k}", ranked, ndcg_scores(ranked, k))


def recall(
    qrels: Qrels, run: Run, k: int, *, rel_level: int = 1, on_missing: MissingPolicy = "zero"
) -> MetricResult:
    """Recall at cutoff k (trec_eval ``recall.k``).

    ``R@k = |relevant in top k| / |relevant judged|``, relevant = grade >= rel_level;
    0 for a query without relevant documents.

    Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008, §8.3.
    """
    _check_rel(rel_level)
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(_name("recall", k, rel_level), ranked, recall_scores(ranked, k, rel_level))


def precision(
    qrels: Qrels, run: Run, k: int, *, rel_level: int = 1, on_missing: MissingPolicy = "zero"
) -> MetricResult:
    """Precision at cutoff k (trec_eval ``P.k``).

    ``P@k = |relevant in top k| / k``; the denominator is k even when fewer than k
    documents were retrieved.

    Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008, §8.4.
    """
    _check_rel(rel_level)
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(_name("precision", k, rel_level), ranked, precision_scores(ranked, k, rel_level))


def mrr(
    qrels: Qrels, run: Run, k: int, *, rel_level: int = 1, on_missing: MissingPolicy = "zero"
) -> MetricResult:
    """Mean reciprocal rank cut at k (trec_eval ``recip_rank`` on the top k).

    ``RR@k = 1 / rank of the first relevant document`` if that rank is <= k, else 0;
    MRR@k is its mean.

    Voorhees, "The TREC-8 Question Answering Track Report", TREC 1999.
    """
    _check_rel(rel_level)
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(_name("mrr", k, rel_level), ranked, mrr_scores(ranked, k, rel_level))


def average_precision(
    qrels: Qrels, run: Run, k: int, *, rel_level: int = 1, on_missing: MissingPolicy = "zero"
) -> MetricResult:
    """Average precision cut at k; the mean is MAP@k (trec_eval ``map_cut.k``).

    ``AP@k = (sum_{r<=k, d_r relevant} P@r) / |relevant judged|``: the denominator
    counts all relevant documents of the query, retrieved or not, so missing
    relevant documents lower the score. 0 for a query without relevant documents.

    Buckley & Voorhees, "Evaluating evaluation measure stability", SIGIR 2000;
    Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008, §8.4.
    """
    _check_rel(rel_level)
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(_name("map", k, rel_level), ranked, map_scores(ranked, k, rel_level))


def hit_rate(
    qrels: Qrels, run: Run, k: int, *, rel_level: int = 1, on_missing: MissingPolicy = "zero"
) -> MetricResult:
    """Hit rate (success) at cutoff k (trec_eval ``success.k``).

    ``Hit@k = 1`` if at least one relevant document is in the top k, else 0.

    Voorhees, "The TREC-8 Question Answering Track Report", TREC 1999 (success@n).
    """
    _check_rel(rel_level)
    ranked = rank_run(qrels, run, k, on_missing=on_missing)
    return _result(_name("hit_rate", k, rel_level), ranked, hit_rate_scores(ranked, k, rel_level))


# ------------------------------------------------------------------------- dispatcher


@dataclass(frozen=True)
class MetricSpec:
    """A parsed metric name: ``kind@k`` with an optional relevance level."""

    kind: MetricKind
    k: int
    rel_level: int = 1

    @property
    def name(self) -> str:
        """Canonical name, e.g. ``ndcg@10``, ``precision@5``, ``recall(rel=2)@100``."""
        return _name(self.kind, self.k, self.rel_level)


_ALIASES: dict[str, MetricKind] = {
    "ndcg": "ndcg",
    "recall": "recall",
    "r": "recall",
    "precision": "precision",
    "p": "precision",
    "mrr": "mrr",
    "rr": "mrr",
    "map": "map",
    "ap": "map",
    "hit_rate": "hit_rate",
    "hitrate": "hit_rate",
    "hit": "hit_rate",
    "success": "hit_rate",
}
_NAME_RE = re.compile(r"^\s*([a-z_]+)\s*(?:\(\s*rel\s*=\s*(\d+)\s*\))?\s*@\s*(\d+)\s*$", re.I)


def parse_metric(name: str) -> MetricSpec:
    """Parse ``ndcg@10``, ``P@5``/``precision@5``, ``R@100``/``recall@100``, ``mrr@10``/``RR@10``,
    ``map@100``/``AP@100``, ``hit_rate@10``/``success@10``; case-insensitive. A relevance
    level may be given ir_measures style: ``recall(rel=2)@10``."""
    m = _NAME_RE.match(name)
    kind = _ALIASES.get(m.group(1).lower()) if m else None
    if m is None or kind is None:
        known = ", ".join(sorted({f"{a}@k" for a in _ALIASES}))
        raise MetricError(f"unknown metric {name!r}; use one of {known} (e.g. 'ndcg@10')")
    k = int(m.group(3))
    rel_level = int(m.group(2)) if m.group(2) else 1
    _check_k(k, name)
    _check_rel(rel_level)
    if kind == "ndcg" and rel_level != 1:
        raise MetricError(f"{name!r}: nDCG uses the grades as gains and takes no rel level")
    return MetricSpec(kind, k, rel_level)


_SCORERS: dict[str, Callable[..., np.ndarray]] = {
    "recall": recall_scores,
    "precision": precision_scores,
    "mrr": mrr_scores,
    "map": map_scores,
    "hit_rate": hit_rate_scores,
}


def evaluate_ranked(ranked: RankedRun, specs: Iterable[MetricSpec]) -> dict[str, MetricResult]:
    """Several metrics of one :class:`RankedRun` (whose depth covers every cutoff)."""
    out: dict[str, MetricResult] = {}
    for spec in specs:
        if spec.k > ranked.depth:
            raise MetricError(f"{spec.name}: cutoff above the ranking depth {ranked.depth}")
        if spec.kind == "ndcg":
            values = ndcg_scores(ranked, spec.k)
        else:
            values = _SCORERS[spec.kind](ranked, spec.k, spec.rel_level)
        out[spec.name] = _result(spec.name, ranked, values)
    return out


def evaluate_run(
    qrels: Qrels,
    run: Run,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    on_missing: MissingPolicy = "zero",
) -> dict[str, MetricResult]:
    """Compute ``metrics`` (names as :func:`parse_metric` reads them) in one pass.

    Results are keyed by canonical name (``"P@5"`` -> ``"precision@5"``), in the
    order given; each query is ranked once, to the largest cutoff asked for.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    specs = [parse_metric(m) for m in metrics]
    if not specs:
        raise MetricError("no metric asked for; give names such as 'ndcg@10'")
    ranked = rank_run(qrels, run, max(s.k for s in specs), on_missing=on_missing)
    return evaluate_ranked(ranked, specs)


# ----------------------------------------------------------------------------- checks


def _name(kind: str, k: int, rel_level: int) -> str:
    return f"{kind}@{k}" if rel_level == 1 else f"{kind}(rel={rel_level})@{k}"


def _check_k(k: int, name: str | None = None) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        where = f"{name!r}: " if name else ""
        raise MetricError(f"{where}the cutoff k must be a positive integer, got {k!r}")


def _check_rel(rel_level: int) -> None:
    if isinstance(rel_level, bool) or not isinstance(rel_level, int) or rel_level < 1:
        raise MetricError(
            f"rel_level must be an integer >= 1 (grade 0 means judged not relevant), "
            f"got {rel_level!r}"
        )
