"""Run a golden set through a retriever and score it: metrics, intervals, slices.

:func:`run_evaluation` sends every judged query of the golden set to the
retriever (to ``depth`` results, 100 by default), turns the hits into a TREC run
(document id = the sample's external id), scores it with
:func:`evaluation.metrics.evaluate_run` (per query and mean), adds a bootstrap
95% interval to every mean (:func:`evaluation.stats.bootstrap_ci`), scores the
answers of items with gold answers when an answerer is given (exact match and
token F1), and repeats every mean on each provenance slice
(:mod:`evaluation.slices`).

The ranking scored is exactly the list the retriever returned
-----------------------------------------------------------------
trec_eval orders equal scores by document id, not by the order a system
returned them in. So that the TREC run file, re-scored by trec_eval, ranx or
ir_measures, gives the numbers reported here *and* the ranking is the
retriever's own, a score that does not fall below the one before it (a tie, or
a retriever that returned an unsorted list) is lowered to the next float32 below
the previous score (trec_eval compares scores in single precision): ranks are
kept, and a tied score moves by about 1e-7 of its value per tied neighbour. A
document returned twice for a query keeps its first rank.

Reproducibility: every interval is drawn with the run's ``seed`` from the
per-query values ordered by query id (so neither the order of the golden set's
items nor the order slices list them changes a number); a deterministic
retriever therefore gives identical numbers on a re-run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import numpy as np

from evaluation.answer_metrics import score_answers
from evaluation.errors import EvaluationError, MetricError
from evaluation.metrics import MetricResult, Qrels, Run, evaluate_run, parse_metric
from evaluation.slices import (
    SliceKey,
    gold_origin_views,
    gold_sample_info,
    slice_label,
    slice_membership,
    synthetic_share,
)
from evaluation.stats import bootstrap_ci
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import OVERALL, OVERALL_VALUE
from kg.queries.slices import sample_origins

if TYPE_CHECKING:
    from evaluation.golden import GoldenSet
    from retrieval.retriever import Retriever

#: ranking metrics computed at each cutoff when no metric names are given
RANKING_KINDS: tuple[str, ...] = ("ndcg", "recall", "precision", "mrr", "map", "hit_rate")
#: the default retrieval depth (deeper when a cutoff asks for more)
DEFAULT_DEPTH = 100
#: metric names of the answer scores
ANSWER_METRICS: tuple[str, ...] = ("exact_match", "token_f1")
SYNTHETIC_SHARE = "synthetic_share"

#: ``progress(done, total)``: queries done so far (retrieval, then answers)
ProgressFn = Callable[[int, int], None]

_SPACE = re.compile(r"\s")


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...


class AnswererLike(Protocol):
    """What the runner needs of an answerer (``retrieval.answerer.Answerer`` fits)."""

    def answer(self, query: str, k: int = ..., filters: Any = ...) -> Any: ...


@dataclass(frozen=True)
class MetricSummary:
    """Mean of one metric over some queries, with its bootstrap interval."""

    name: str
    mean: float
    ci_low: float
    ci_high: float
    query_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "query_count": self.query_count,
        }

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> MetricSummary:
        return cls(
            name,
            float(data["mean"]),
            float(data["ci_low"]),
            float(data["ci_high"]),
            int(data["query_count"]),
        )


@dataclass(frozen=True)
class SliceResult:
    """The metrics of one slice (``origin=real``, ``tag=fees``, ...)."""

    name: str
    value: str
    query_ids: tuple[str, ...]
    #: fewer queries than ``min_slice_queries``: shown, but not to be trusted alone
    small: bool
    metrics: dict[str, MetricSummary]

    @property
    def label(self) -> str:
        return slice_label(self.name, self.value)

    @property
    def query_count(self) -> int:
        return len(self.query_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "query_count": self.query_count,
            "small": self.small,
            "query_ids": list(self.query_ids),
            "metrics": {m: s.to_dict() for m, s in self.metrics.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SliceResult:
        return cls(
            str(data["name"]),
            str(data["value"]),
            tuple(data["query_ids"]),
            bool(data["small"]),
            {m: MetricSummary.from_dict(m, s) for m, s in data["metrics"].items()},
        )


@dataclass
class EvalResult:
    """Everything one evaluation produced (``run_id`` is set once it is recorded)."""

    golden_name: str
    golden_version: str
    golden_iri: str
    dataset: str | None
    retriever_kind: str
    k: int
    depth: int
    seed: int
    #: the metrics computed, in order (ranking metrics, synthetic share, answer metrics)
    metric_names: list[str]
    overall: dict[str, MetricSummary]
    slices: list[SliceResult]
    #: metric -> query id -> value
    per_query: dict[str, dict[str, float]]
    queries: dict[str, str]
    run: Run
    qrels: Qrels
    predictions: dict[str, str] = field(default_factory=dict)
    #: what the runner was asked: depth, cutoffs, metrics, filters, bootstrap samples, ...
    settings: dict[str, Any] = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime = field(default_factory=lambda: datetime.now(UTC))
    run_id: str | None = None

    @property
    def primary_metric(self) -> str:
        return f"ndcg@{self.k}"

    def summary(
        self, metric: str, slice_name: str = OVERALL, slice_value: str = OVERALL_VALUE
    ) -> MetricSummary | None:
        """The summary of ``metric`` overall or on one slice (None when not computed)."""
        if slice_name == OVERALL:
            return self.overall.get(metric)
        for s in self.slices:
            if s.name == slice_name and s.value == slice_value:
                return s.metrics.get(metric)
        return None

    def numbers(self) -> dict[str, float]:
        """Every mean and interval bound, keyed ``<slice label> <metric> <what>`` (for
        checking that a re-run gives identical numbers)."""
        out: dict[str, float] = {}
        for label, metrics in [(OVERALL, self.overall)] + [
            (s.label, s.metrics) for s in self.slices
        ]:
            for name, summary in metrics.items():
                out[f"{label} {name} mean"] = summary.mean
                out[f"{label} {name} ci_low"] = summary.ci_low
                out[f"{label} {name} ci_high"] = summary.ci_high
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "golden": {
                "name": self.golden_name,
                "version": self.golden_version,
                "iri": self.golden_iri,
                "dataset": self.dataset,
            },
            "retriever_kind": self.retriever_kind,
            "k": self.k,
            "depth": self.depth,
            "seed": self.seed,
            "metric_names": list(self.metric_names),
            "overall": {m: s.to_dict() for m, s in self.overall.items()},
            "slices": [s.to_dict() for s in self.slices],
            "per_query": self.per_query,
            "queries": self.queries,
            "predictions": self.predictions,
            "settings": self.settings,
            "started": _iso(self.started),
            "ended": _iso(self.ended),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, run: Run | None = None, qrels: Qrels | None = None
    ) -> EvalResult:
        golden = data["golden"]
        return cls(
            golden_name=str(golden["name"]),
            golden_version=str(golden["version"]),
            golden_iri=str(golden["iri"]),
            dataset=golden.get("dataset"),
            retriever_kind=str(data["retriever_kind"]),
            k=int(data["k"]),
            depth=int(data["depth"]),
            seed=int(data["seed"]),
            metric_names=list(data["metric_names"]),
            overall={m: MetricSummary.from_dict(m, s) for m, s in data["overall"].items()},
            slices=[SliceResult.from_dict(s) for s in data["slices"]],
            per_query={m: dict(v) for m, v in data["per_query"].items()},
            queries=dict(data["queries"]),
            run=run or {},
            qrels=qrels or {},
            predictions=dict(data.get("predictions") or {}),
            settings=dict(data.get("settings") or {}),
            started=datetime.fromisoformat(str(data["started"]).replace("Z", "+00:00")),
            ended=datetime.fromisoformat(str(data["ended"]).replace("Z", "+00:00")),
            run_id=data.get("run_id"),
        )


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ----------------------------------------------------------------------- helpers


def trec_token(value: str) -> str:
    """An id usable in a TREC file: whitespace characters percent-encoded, the rest as is."""
    return _SPACE.sub(lambda m: quote(m.group()), value) if _SPACE.search(value) else value


def default_metrics(cutoffs: Sequence[int]) -> tuple[str, ...]:
    """nDCG, recall, precision, MRR, MAP and hit rate at each cutoff."""
    return tuple(f"{kind}@{c}" for c in cutoffs for kind in RANKING_KINDS)


def strictly_decreasing(scores: Sequence[float]) -> list[float]:
    """``scores`` in the given order, each lowered just below the previous one when it
    is not already below it, so that sorting by score gives back the given order.

    "Below" holds in single precision too (trec_eval, and pytrec_eval behind
    ir_measures, compare scores as 32-bit floats): a score lowered becomes the
    next float32 under the previous score. Scores already in order are untouched.
    """
    out: list[float] = []
    prev = math.inf
    for s in scores:
        value = float(s)
        if value != value:
            raise MetricError("the retriever returned a NaN score; it cannot be ranked")
        if value >= prev or np.float32(value) >= np.float32(prev):
            value = float(np.nextafter(np.float32(prev), np.float32(-np.inf)))
        out.append(value)
        prev = value
    return out


def summarize(name: str, values: Sequence[float], *, samples: int, seed: int) -> MetricSummary:
    """Mean and bootstrap 95% interval of per-query values (give them in a fixed order,
    e.g. by query id: the resamples depend on it)."""
    arr = np.asarray(values, dtype=np.float64)
    low, high = bootstrap_ci(arr, samples=samples, seed=seed)
    return MetricSummary(name, float(arr.mean()), low, high, int(arr.size))


def _filters_json(filters: Any) -> Any:
    if filters is None:
        return None
    dump = getattr(filters, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return repr(filters)


def _origin_of(passage: Any) -> str | None:
    prov = getattr(passage, "provenance", None)
    return getattr(prov, "origin", None) if prov is not None else None


# ------------------------------------------------------------------------ runner


def run_evaluation(
    golden: GoldenSet,
    retriever: Retriever,
    *,
    retriever_kind: str,
    k: int = 10,
    cutoffs: Sequence[int] = (),
    metrics: Sequence[str] | None = None,
    depth: int | None = None,
    answerer: AnswererLike | None = None,
    seed: int = 13,
    bootstrap_samples: int = 1000,
    min_slice_queries: int = 5,
    filters: Any = None,
    kg: KnowledgeGraph | None = None,
    ignore_identical_ids: bool = False,
    progress: ProgressFn | None = None,
) -> EvalResult:
    """Evaluate ``retriever`` on ``golden`` (see the module docstring).

    ``metrics`` default to nDCG, recall, precision, MRR, MAP and hit rate at ``k``
    and at each of ``cutoffs``; ``depth`` (results asked per query) defaults to
    ``max(100, largest cutoff)``. ``kg`` gives the provenance slices and the
    synthetic share of the top k (without it: tag and author slices only).
    ``ignore_identical_ids`` drops a result whose id equals the query id (BEIR's
    convention for datasets whose queries are also documents). Slices with fewer
    than ``min_slice_queries`` queries are flagged ``small``, never dropped.
    """
    started = datetime.now(UTC)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise EvaluationError(f"k must be a positive integer, got {k!r}")
    names = list(
        dict.fromkeys(
            parse_metric(m).name
            for m in (metrics if metrics is not None else default_metrics(sorted({k, *cutoffs})))
        )
    )
    if not names:
        raise EvaluationError("no metric asked for; give names such as 'ndcg@10'")
    deepest = max(parse_metric(m).k for m in names)
    depth = depth if depth is not None else max(DEFAULT_DEPTH, deepest, k)
    if depth < max(deepest, k):
        raise EvaluationError(
            f"depth {depth} is below the largest cutoff {max(deepest, k)}; retrieve at "
            "least as deep as the deepest metric"
        )
    qrels: Qrels = {
        trec_token(q): {trec_token(d): g for d, g in docs.items()}
        for q, docs in golden.qrels().items()
    }
    if not qrels:
        raise EvaluationError(
            f"golden set {golden.name!r} judges no sample; there is no retrieval query to score"
        )
    items = [it for it in golden.items if it.relevant]
    answer_items = [it for it in golden.items if it.gold_answers] if answerer else []
    total = len(items) + len(answer_items)
    done = 0
    if progress is not None:
        progress(0, total)

    run: Run = {}
    origins: dict[str, list[str | None]] = {}
    iris: dict[str, list[str]] = {}
    ask = depth + 1 if ignore_identical_ids else depth
    for item in items:
        qid = trec_token(item.query_id)
        hits = retriever.search(item.query, k=ask, filters=filters)
        docs: list[tuple[str, float, str | None, str]] = []
        seen: set[str] = set()
        for hit in hits:
            if ignore_identical_ids and hit.sample_id == item.query_id:
                continue
            doc_id = hit.sample_id
            if golden.dataset and hit.dataset and hit.dataset != golden.dataset:
                doc_id = f"{hit.dataset}:{doc_id}"
            docid = trec_token(doc_id)
            if docid in seen:
                continue
            seen.add(docid)
            docs.append((docid, float(hit.score), _origin_of(hit), hit.sample_iri))
            if len(docs) == depth:
                break
        scores = strictly_decreasing([d[1] for d in docs])
        run[qid] = {d[0]: s for d, s in zip(docs, scores, strict=True)}
        origins[qid] = [d[2] for d in docs]
        iris[qid] = [d[3] for d in docs]
        done += 1
        if progress is not None:
            progress(done, total)

    results: dict[str, MetricResult] = evaluate_run(qrels, run, names)
    per_query = {m: r.per_query for m, r in results.items()}
    metric_names = list(names)

    if kg is not None:
        unknown = {
            iri
            for q in items
            for iri, o in zip(
                iris[trec_token(q.query_id)], origins[trec_token(q.query_id)], strict=True
            )
            if o is None
        }
        looked_up = sample_origins(kg, unknown) if unknown else {}
        filled = {
            q: [
                o if o is not None else looked_up.get(i)
                for o, i in zip(origins[q], iris[q], strict=True)
            ]
            for q in origins
        }
        share_name = f"{SYNTHETIC_SHARE}@{k}"
        per_query[share_name] = synthetic_share(filled, k)
        metric_names.append(share_name)
    elif all(o is not None for os_ in origins.values() for o in os_):
        share_name = f"{SYNTHETIC_SHARE}@{k}"
        per_query[share_name] = synthetic_share(origins, k)
        metric_names.append(share_name)

    predictions: dict[str, str] = {}
    if answerer is not None and answer_items:
        for item in answer_items:
            answer = answerer.answer(item.query, k=k, filters=filters)
            predictions[trec_token(item.query_id)] = str(getattr(answer, "text", answer))
            done += 1
            if progress is not None:
                progress(done, total)
        gold = {trec_token(it.query_id): list(it.gold_answers) for it in answer_items}
        for name, res in score_answers(predictions, gold).items():
            per_query[name] = res.per_query
            metric_names.append(name)

    # values by query id: the intervals must not depend on the order of the golden set
    overall = {
        m: summarize(
            m, [per_query[m][q] for q in sorted(per_query[m])], samples=bootstrap_samples, seed=seed
        )
        for m in metric_names
    }

    info = None
    if kg is not None and golden.dataset:
        judged = {sid for it in items for sid in it.relevant}
        info = gold_sample_info(kg, golden.dataset, judged)
    members = slice_membership(
        [_tokenized(it) for it in golden.items], info, set_author=golden.author
    )
    slices = [
        _slice(key, qids, per_query, metric_names, min_slice_queries, bootstrap_samples, seed)
        for key, qids in members.items()
    ]
    if info is not None:
        views = gold_origin_views(items, info)
        at = next((i for i, s in enumerate(slices) if s.name != "origin"), len(slices))
        slices[at:at] = [
            _condensed_slice(
                origin, remove, qrels, run, names, min_slice_queries, bootstrap_samples, seed
            )
            for origin, remove in views.items()
        ]
    settings = {
        "k": k,
        "cutoffs": sorted({k, *cutoffs}),
        "metrics": list(names),
        "depth": depth,
        "seed": seed,
        "bootstrap_samples": bootstrap_samples,
        "min_slice_queries": min_slice_queries,
        "filters": _filters_json(filters),
        "ignore_identical_ids": ignore_identical_ids,
        "answers": answerer is not None,
    }
    return EvalResult(
        golden_name=golden.name,
        golden_version=golden.version,
        golden_iri=golden.iri,
        dataset=golden.dataset,
        retriever_kind=retriever_kind,
        k=k,
        depth=depth,
        seed=seed,
        metric_names=metric_names,
        overall=overall,
        slices=slices,
        per_query=per_query,
        queries={trec_token(it.query_id): it.query for it in golden.items},
        run=run,
        qrels=qrels,
        predictions=predictions,
        settings=settings,
        started=started,
        ended=datetime.now(UTC),
    )


def _condensed_slice(
    origin: str,
    remove: Mapping[str, set[str]],
    qrels: Qrels,
    run: Run,
    names: Sequence[str],
    min_queries: int,
    samples: int,
    seed: int,
) -> SliceResult:
    """The ``gold_origin=<origin>`` slice: ranking metrics recomputed per query after
    taking the other relevant samples out of judgements and ranking alike."""
    sub_qrels: Qrels = {}
    sub_run: Run = {}
    for raw_qid, out in remove.items():
        qid = trec_token(raw_qid)
        gone = {trec_token(d) for d in out}
        sub_qrels[qid] = {d: g for d, g in qrels[qid].items() if d not in gone}
        sub_run[qid] = {d: sc for d, sc in run.get(qid, {}).items() if d not in gone}
    results = evaluate_run(sub_qrels, sub_run, names)
    qids = sorted(sub_qrels)
    metrics = {
        m: summarize(m, [r.per_query[q] for q in qids], samples=samples, seed=seed)
        for m, r in results.items()
    }
    return SliceResult("gold_origin", origin, tuple(qids), len(qids) < min_queries, metrics)


def _tokenized(item: Any) -> Any:
    qid = trec_token(item.query_id)
    return item if qid == item.query_id else item.model_copy(update={"query_id": qid})


def _slice(
    key: SliceKey,
    qids: Sequence[str],
    per_query: Mapping[str, Mapping[str, float]],
    metric_names: Sequence[str],
    min_queries: int,
    samples: int,
    seed: int,
) -> SliceResult:
    name, value = key
    out: dict[str, MetricSummary] = {}
    for metric in metric_names:
        values = [per_query[metric][q] for q in sorted(qids) if q in per_query[metric]]
        if values:
            out[metric] = summarize(metric, values, samples=samples, seed=seed)
    return SliceResult(name, value, tuple(qids), len(qids) < min_queries, out)
