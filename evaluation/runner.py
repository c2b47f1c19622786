"""Run a golden set through a retriever and score it: metrics, intervals, slices.

:func:`run_evaluation` runs an :class:`~evaluation.spec.RunSpec`: it sends
every judged query of the golden set to the retriever (to ``depth`` results,
100 by default), turns the hits into a TREC run
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
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

import numpy as np

from evaluation.answer_metrics import score_answers
from evaluation.errors import EvaluationError, MetricError
from evaluation.failures import FailedQuery, find_failures, hidden_gold
from evaluation.metrics import Qrels, Run, evaluate_run, parse_metric
from evaluation.results import (
    SYNTHETIC_SHARE,
    EvalResult,
    MetricSummary,
    SliceResult,
    summarize,
)
from evaluation.slices import (
    SliceKey,
    gold_origin_views,
    gold_sample_info,
    slice_membership,
    synthetic_share,
)
from evaluation.spec import RunSpec
from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import Filters, GoldenItem, Retriever, ScoredPassage
from kg.queries.slices import sample_origins, sample_sensitivities
from kg.typing import METRIC_KINDS

if TYPE_CHECKING:
    from evaluation.golden import GoldenSet

#: the default retrieval depth (deeper when a cutoff asks for more)
DEFAULT_DEPTH = 100

#: ``progress(done, total)``: queries done so far (retrieval, then answers)
ProgressFn = Callable[[int, int], None]

_SPACE = re.compile(r"\s")


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...


class AnswererLike(Protocol):
    """What the runner needs of an answerer (``retrieval.answerer.Answerer`` fits)."""

    def answer(self, query: str, k: int = ..., filters: Filters | None = ...) -> AnswerLike: ...


# ----------------------------------------------------------------------- helpers


def trec_token(value: str) -> str:
    """An id usable in a TREC file: whitespace characters percent-encoded, the rest as is."""
    return _SPACE.sub(lambda m: quote(m.group()), value) if _SPACE.search(value) else value


def default_metrics(cutoffs: Sequence[int]) -> tuple[str, ...]:
    """nDCG, recall, precision, MRR, MAP and hit rate at each cutoff."""
    return tuple(f"{kind}@{c}" for c in cutoffs for kind in METRIC_KINDS)


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


def _origin_of(passage: ScoredPassage) -> str | None:
    return passage.provenance.origin if passage.provenance is not None else None


# ------------------------------------------------------------------------ runner


@dataclass
class _Ranked:
    """What the retriever returned, per (TREC) query id: the run, and per rank the
    origin the hit carried (None: not given) and the sample IRI."""

    run: Run = field(default_factory=dict)
    origins: dict[str, list[str | None]] = field(default_factory=dict)
    iris: dict[str, list[str]] = field(default_factory=dict)
    #: per query, the hits reached through a derived sample: doc id -> derived sample id
    via: dict[str, dict[str, str]] = field(default_factory=dict)


class _Progress:
    def __init__(self, report: ProgressFn | None, total: int) -> None:
        self.report, self.total, self.done = report, total, 0
        if report is not None:
            report(0, total)

    def step(self) -> None:
        self.done += 1
        if self.report is not None:
            self.report(self.done, self.total)


def run_evaluation(
    spec: RunSpec,
    golden: GoldenSet,
    retriever: Retriever,
    *,
    kg: KnowledgeGraph | None = None,
    answerer: AnswererLike | None = None,
    progress: ProgressFn | None = None,
) -> EvalResult:
    """Evaluate ``retriever`` on ``golden`` as ``spec`` says (see the module docstring).

    ``spec.metrics`` default to nDCG, recall, precision, MRR, MAP and hit rate at
    each cutoff; ``spec.depth`` (results asked per query) defaults to ``max(100,
    largest cutoff)``. ``kg`` gives the provenance slices and the synthetic share
    of the top k (without it: tag and author slices only). ``spec.answers`` needs
    an ``answerer``. ``spec.ignore_identical_ids`` drops a result whose id equals
    the query id (BEIR's convention for datasets whose queries are also
    documents). Slices with fewer than ``spec.min_slice_queries`` queries are
    flagged ``small``, never dropped.
    """
    started = datetime.now(UTC)
    if (golden.name, golden.version) != (spec.golden, spec.golden_version):
        raise EvaluationError(
            f"the run spec is for golden set {spec.golden!r} version {spec.golden_version!r} "
            f"but {golden.name!r} version {golden.version!r} was given; give the spec's set"
        )
    if spec.answers and answerer is None:
        raise EvaluationError("the run spec asks for answers; give an answerer too")
    if spec.split is not None and golden.selected != spec.split:
        golden = golden.subset(spec.split)
    names, depth = _metric_names(spec)
    qrels: Qrels = {
        trec_token(q): {trec_token(d): g for d, g in docs.items()}
        for q, docs in golden.qrels().items()
    }
    if not qrels:
        raise EvaluationError(
            f"golden set {golden.name!r} judges no sample; there is no retrieval query to score"
        )
    items = [it for it in golden.items if it.relevant]
    answer_items = [it for it in golden.items if it.gold_answers] if spec.answers else []
    steps = _Progress(progress, len(items) + len(answer_items))
    ranked = _retrieve(golden, items, retriever, spec, depth, steps)

    per_query = {m: r.per_query for m, r in evaluate_run(qrels, ranked.run, names).items()}
    metric_names = list(names)
    share = _synthetic_share(items, ranked, spec.k, kg)
    if share is not None:
        per_query[f"{SYNTHETIC_SHARE}@{spec.k}"] = share
        metric_names.append(f"{SYNTHETIC_SHARE}@{spec.k}")
    predictions: dict[str, str] = {}
    if answerer is not None and answer_items:
        predictions = _answers(answer_items, answerer, spec, steps)
        gold = {trec_token(it.query_id): list(it.gold_answers) for it in answer_items}
        for name, res in score_answers(predictions, gold).items():
            per_query[name] = res.per_query
            metric_names.append(name)

    # values by query id: the intervals must not depend on the order of the golden set
    samples, seed = spec.bootstrap_samples, spec.seed
    overall = {
        m: summarize(m, [per_query[m][q] for q in sorted(per_query[m])], samples=samples, seed=seed)
        for m in metric_names
    }
    slices = _slices(golden, items, spec, qrels, ranked.run, names, per_query, metric_names, kg)
    failures = _failures(golden, items, spec, qrels, ranked, depth, kg)
    settings = {
        "k": spec.k,
        "cutoffs": spec.cutoffs,
        "metrics": list(names),
        "depth": depth,
        "seed": seed,
        "bootstrap_samples": samples,
        "min_slice_queries": spec.min_slice_queries,
        "filters": None if spec.filters is None else spec.filters.model_dump(mode="json"),
        "ignore_identical_ids": spec.ignore_identical_ids,
        "answers": spec.answers,
    }
    return EvalResult(
        golden_name=golden.name,
        golden_version=golden.version,
        golden_iri=golden.iri,
        dataset=golden.dataset,
        retriever_kind=spec.mode,
        k=spec.k,
        depth=depth,
        seed=seed,
        metric_names=metric_names,
        overall=overall,
        slices=slices,
        per_query=per_query,
        queries={trec_token(it.query_id): it.query for it in golden.items},
        run=ranked.run,
        qrels=qrels,
        predictions=predictions,
        settings=settings,
        started=started,
        ended=datetime.now(UTC),
        spec=spec,
        failures=failures,
    )


def _metric_names(spec: RunSpec) -> tuple[list[str], int]:
    """The canonical metric names of ``spec`` and the depth to retrieve to."""
    asked = spec.metrics if spec.metrics is not None else default_metrics(spec.cutoffs)
    names = list(dict.fromkeys(parse_metric(m).name for m in asked))
    if not names:
        raise EvaluationError("no metric asked for; give names such as 'ndcg@10'")
    deepest = max(max(parse_metric(m).k for m in names), spec.k)
    depth = spec.depth if spec.depth is not None else max(DEFAULT_DEPTH, deepest)
    if depth < deepest:
        raise EvaluationError(
            f"depth {depth} is below the largest cutoff {deepest}; retrieve at "
            "least as deep as the deepest metric"
        )
    return names, depth


def _retrieve(
    golden: GoldenSet,
    items: Sequence[GoldenItem],
    retriever: Retriever,
    spec: RunSpec,
    depth: int,
    steps: _Progress,
) -> _Ranked:
    """Each judged query's hits to ``depth``, as the TREC run scores them."""
    out = _Ranked()
    skip_self = spec.ignore_identical_ids
    ask = depth + 1 if skip_self else depth
    for item in items:
        qid = trec_token(item.query_id)
        hits = retriever.search(item.query, k=ask, filters=spec.filters)
        docs: list[tuple[str, float, str | None, str]] = []
        seen: set[str] = set()
        for hit in hits:
            if skip_self and hit.sample_id == item.query_id:
                continue
            doc_id = hit.sample_id
            if golden.dataset and hit.dataset and hit.dataset != golden.dataset:
                doc_id = f"{hit.dataset}:{doc_id}"
            docid = trec_token(doc_id)
            if docid in seen:
                continue
            seen.add(docid)
            docs.append((docid, float(hit.score), _origin_of(hit), hit.sample_iri))
            if hit.matched_via is not None:
                out.via.setdefault(qid, {})[docid] = hit.matched_via.sample_id
            if len(docs) == depth:
                break
        scores = strictly_decreasing([d[1] for d in docs])
        out.run[qid] = {d[0]: s for d, s in zip(docs, scores, strict=True)}
        out.origins[qid] = [d[2] for d in docs]
        out.iris[qid] = [d[3] for d in docs]
        steps.step()
    return out


def _failures(
    golden: GoldenSet,
    items: Sequence[GoldenItem],
    spec: RunSpec,
    qrels: Qrels,
    ranked: _Ranked,
    depth: int,
    kg: KnowledgeGraph | None,
) -> list[FailedQuery]:
    """The failing queries and why (:mod:`evaluation.failures`); which gold the caller
    cannot see needs the graph (without it, none is taken as hidden)."""
    clearance = spec.filters.clearance if spec.filters is not None else None
    hidden: set[str] = set()
    if kg is not None and golden.dataset and clearance is not None:
        judged = {sid for it in items for sid, g in it.relevant.items() if g > 0}
        logical = {ids.logical_sample_iri(golden.dataset, sid): sid for sid in judged}
        hidden = {trec_token(s) for s in hidden_gold(sample_sensitivities(kg, logical), clearance)}
    tags = {trec_token(it.query_id): tuple(it.tags) for it in items}
    return find_failures(
        qrels,
        ranked.run,
        ranked.via,
        tags,
        k=spec.k,
        depth=depth,
        hidden=hidden,
        clearance=clearance,
    )


def _synthetic_share(
    items: Sequence[GoldenItem], ranked: _Ranked, k: int, kg: KnowledgeGraph | None
) -> dict[str, float] | None:
    """Per query, the share of synthetic samples in the top k (None: origins unknown).

    Origins the hits did not carry come from the graph; without a graph, the share
    is computed only when every hit carried its origin.
    """
    origins = ranked.origins
    if kg is None:
        if all(o is not None for os_ in origins.values() for o in os_):
            return synthetic_share(origins, k)
        return None
    unknown = {
        iri
        for q in items
        for iri, o in zip(
            ranked.iris[trec_token(q.query_id)], origins[trec_token(q.query_id)], strict=True
        )
        if o is None
    }
    looked_up = sample_origins(kg, unknown) if unknown else {}
    filled = {
        q: [
            o if o is not None else looked_up.get(i)
            for o, i in zip(origins[q], ranked.iris[q], strict=True)
        ]
        for q in origins
    }
    return synthetic_share(filled, k)


def _answers(
    items: Sequence[GoldenItem], answerer: AnswererLike, spec: RunSpec, steps: _Progress
) -> dict[str, str]:
    """The answer text to each item with gold answers, by (TREC) query id."""
    predictions: dict[str, str] = {}
    for item in items:
        answer = answerer.answer(item.query, k=spec.k, filters=spec.filters)
        predictions[trec_token(item.query_id)] = str(answer.text)
        steps.step()
    return predictions


def _slices(
    golden: GoldenSet,
    items: Sequence[GoldenItem],
    spec: RunSpec,
    qrels: Qrels,
    run: Run,
    names: Sequence[str],
    per_query: Mapping[str, Mapping[str, float]],
    metric_names: Sequence[str],
    kg: KnowledgeGraph | None,
) -> list[SliceResult]:
    """Every slice of the golden set's queries, with its metrics (see :mod:`evaluation.slices`)."""
    small, samples, seed = spec.min_slice_queries, spec.bootstrap_samples, spec.seed
    info = None
    if kg is not None and golden.dataset:
        judged = {sid for it in items for sid in it.relevant}
        info = gold_sample_info(kg, golden.dataset, judged)
    members = slice_membership(
        [_tokenized(it) for it in golden.items], info, set_author=golden.author
    )
    slices = [
        _slice(key, qids, per_query, metric_names, small, samples, seed)
        for key, qids in members.items()
    ]
    if info is not None:
        views = gold_origin_views(items, info)
        at = next((i for i, s in enumerate(slices) if s.name != "origin"), len(slices))
        slices[at:at] = [
            _condensed_slice(origin, remove, qrels, run, names, small, samples, seed)
            for origin, remove in views.items()
        ]
    return slices


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


def _tokenized(item: GoldenItem) -> GoldenItem:
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
