"""What an evaluation produced: :class:`EvalResult`, its :class:`SliceResult` slices
and :class:`MetricSummary` means with their bootstrap intervals.

An :class:`EvalResult` is written to and read from a run directory's
``metrics.json`` (:meth:`EvalResult.to_dict` / :meth:`EvalResult.from_dict`);
it carries the :class:`~evaluation.spec.RunSpec` it was made with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from evaluation.failures import FailedQuery, failure_summary
from evaluation.metrics import Qrels, Run
from evaluation.slices import slice_label
from evaluation.spec import RunSpec
from evaluation.stats import bootstrap_ci
from kg.mapping.evaluation import OVERALL, OVERALL_VALUE

#: metric names of the answer scores
ANSWER_METRICS: tuple[str, ...] = ("exact_match", "token_f1")
#: metric name (before ``@k``) of the share of synthetic samples in the top k
SYNTHETIC_SHARE = "synthetic_share"


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
    #: what the runner resolved: depth, cutoffs, metric names, filters, bootstrap samples, ...
    settings: dict[str, Any] = field(default_factory=dict)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime = field(default_factory=lambda: datetime.now(UTC))
    run_id: str | None = None
    #: what the run was asked to do (None: a result saved before specs were)
    spec: RunSpec | None = None
    #: the failing queries and why (:mod:`evaluation.failures`)
    failures: list[FailedQuery] = field(default_factory=list)

    @property
    def primary_metric(self) -> str:
        return f"ndcg@{self.k}"

    def failure_summary(self) -> dict[str, Any]:
        """The failing queries as JSON: by reason, each query, and per slice."""
        groups = [(s.label, s.query_ids) for s in self.slices]
        return failure_summary(self.failures, groups, self.queries)

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
                "split": None if self.spec is None else self.spec.split,
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
            "spec": None if self.spec is None else self.spec.to_dict(),
            "failures": [f.to_dict() for f in self.failures],
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
            spec=RunSpec.from_dict(data["spec"]) if data.get("spec") else None,
            failures=[FailedQuery.from_dict(f) for f in data.get("failures") or ()],
        )


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def summarize(name: str, values: Sequence[float], *, samples: int, seed: int) -> MetricSummary:
    """Mean and bootstrap 95% interval of per-query values (give them in a fixed order,
    e.g. by query id: the resamples depend on it)."""
    arr = np.asarray(values, dtype=np.float64)
    low, high = bootstrap_ci(arr, samples=samples, seed=seed)
    return MetricSummary(name, float(arr.mean()), low, high, int(arr.size))
