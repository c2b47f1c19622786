"""Failure modes of an evaluation run: which judged queries failed, and why.

A judged query *fails* when no relevant sample (grade > 0) is in its top k, or
when the relevant samples in its top k were all reached only through a
synthetic sample derived from them (a success that rests on generated text:
the real passage's own wording was not matched). The reason is one of
:data:`kg.typing.FailureReason`, chosen in this order:

``gold_via_synthetic``
    relevant samples are in the top k, each counted for a derived sample the
    channel matched (the hit's ``matched_via``), none found on its own;
``gold_restricted``
    nothing relevant in the top k, and a relevant sample is above the caller's
    clearance: the caller cannot see it (say which);
``gold_below_k``
    relevant samples were retrieved, only below rank k (the best rank is given);
``no_gold_in_depth``
    no relevant sample anywhere in the results (to the run's depth, 100 by default).

:func:`group_failures` lists, for every slice of the run (tag, origin,
generator, ...), how many of its queries failed and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.errors import EvaluationError
from evaluation.metrics import Qrels, Run
from kg.typing import FAILURE_REASONS, SENSITIVITY_ORDER, FailureReason, literal_value


@dataclass(frozen=True)
class FailedQuery:
    """One failing query: why, in a sentence, and the tags it carries."""

    query_id: str
    reason: FailureReason
    detail: str
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "reason": self.reason,
            "detail": self.detail,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FailedQuery:
        reason = literal_value(FAILURE_REASONS, data.get("reason"))
        if reason is None:
            raise EvaluationError(
                f"failing query {data.get('query_id')!r} has reason {data.get('reason')!r}, "
                f"none of {', '.join(FAILURE_REASONS)}; was metrics.json written by another "
                "provrag version? Re-run the evaluation"
            )
        return cls(str(data["query_id"]), reason, str(data.get("detail", "")), tuple(data["tags"]))


@dataclass(frozen=True)
class FailureGroup:
    """The failing queries of one slice (``tag=fees``, ``origin=real``, ...)."""

    label: str
    query_count: int
    failed: tuple[FailedQuery, ...]

    def by_reason(self) -> dict[str, int]:
        counts = Counter(f.reason for f in self.failed)
        return {r: counts[r] for r in FAILURE_REASONS if counts[r]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "slice": self.label,
            "queries": self.query_count,
            "failing": len(self.failed),
            "by_reason": self.by_reason(),
            "query_ids": [f.query_id for f in self.failed],
        }


def hidden_gold(sensitivities: Mapping[str, str], clearance: str | None) -> set[str]:
    """Judged sample ids whose sensitivity is above ``clearance`` (None: none hidden)."""
    if clearance is None or clearance not in SENSITIVITY_ORDER:
        return set()
    level = SENSITIVITY_ORDER[clearance]
    return {s for s, v in sensitivities.items() if SENSITIVITY_ORDER.get(v, -1) > level}


def find_failures(
    qrels: Qrels,
    run: Run,
    via_derived: Mapping[str, Mapping[str, str]],
    tags: Mapping[str, Sequence[str]],
    *,
    k: int,
    depth: int,
    hidden: Iterable[str] = (),
    clearance: str | None = None,
) -> list[FailedQuery]:
    """The failing queries of a run (see the module docstring), by query id.

    ``run[q]`` holds the ranking in rank order; ``via_derived[q][doc]`` the id of the
    derived sample a hit was reached through; ``hidden`` the judged ids the
    caller's clearance hides (:func:`hidden_gold`).
    """
    hidden_ids = set(hidden)
    out: list[FailedQuery] = []
    for qid in sorted(qrels):
        relevant = {d for d, g in qrels[qid].items() if g > 0}
        if not relevant:
            continue
        ranked = list(run.get(qid, {}))
        ranks = {d: i + 1 for i, d in enumerate(ranked) if d in relevant}
        top = {d: r for d, r in ranks.items() if r <= k}
        derived = via_derived.get(qid, {})
        failure: tuple[FailureReason, str] | None = None
        if top:
            if all(d in derived for d in top):
                pairs = ", ".join(f"{d} via {derived[d]}" for d in sorted(top, key=top.__getitem__))
                detail = f"relevant samples in the top {k} only through derived samples: {pairs}"
                failure = ("gold_via_synthetic", detail)
        elif relevant & hidden_ids:
            names = ", ".join(sorted(relevant & hidden_ids))
            failure = ("gold_restricted", f"relevant {names} above clearance {clearance}")
        elif ranks:
            best = min(ranks, key=ranks.__getitem__)
            failure = ("gold_below_k", f"best relevant {best} at rank {ranks[best]} (k={k})")
        else:
            failure = (
                "no_gold_in_depth",
                f"none of {len(relevant)} relevant samples in the top {depth}",
            )
        if failure is not None:
            out.append(FailedQuery(qid, failure[0], failure[1], tuple(tags.get(qid, ()))))
    return out


def group_failures(
    failures: Sequence[FailedQuery], slices: Iterable[tuple[str, Sequence[str]]]
) -> list[FailureGroup]:
    """For each ``(slice label, its query ids)`` with a failing query, those failures."""
    by_id = {f.query_id: f for f in failures}
    out = []
    for label, qids in slices:
        failed = tuple(by_id[q] for q in sorted(qids) if q in by_id)
        if failed:
            out.append(FailureGroup(label, len(qids), failed))
    return out


def failure_summary(
    failures: Sequence[FailedQuery],
    slices: Iterable[tuple[str, Sequence[str]]],
    queries: Mapping[str, str],
) -> dict[str, Any]:
    """The failures as JSON: counts by reason, every failing query, and per slice."""
    counts = Counter(f.reason for f in failures)
    return {
        "count": len(failures),
        "by_reason": {r: counts[r] for r in FAILURE_REASONS},
        "queries": [{**f.to_dict(), "query": queries.get(f.query_id)} for f in failures],
        "groups": [g.to_dict() for g in group_failures(failures, slices)],
    }
