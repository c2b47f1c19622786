"""Tune the retriever's weights on a golden set's dev split: a bounded, deterministic search.

A :class:`SearchSpace` names settings of :class:`retrieval.config.RetrieverConfig`
(``fusion``, ``ppr_damping``, ...; ``weights.<channel>`` for one fusion weight)
and the values each may take. :func:`tune` scores at most ``budget`` points of
it with :func:`evaluation.runner.run_evaluation` and keeps the best by one
metric (nDCG@k by default):

- trial 0 is always the base configuration (the settings as they are), so the
  result is never worse on dev than what was there; a tie keeps the earlier trial;
- when the whole grid fits the budget, every point is tried, in grid order
  (``grid``); otherwise a sample of the grid's points drawn with ``seed``
  (``random``): the same space, budget and seed give the same trials.

The golden set given must be one split (``GoldenSet.selected``), the dev split in
``provrag tune``: the holdout is for reporting, never for choosing. Trials score
without slices or bootstrap intervals (one resample), which they do not need.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evaluation.errors import TuningError
from evaluation.golden import GoldenSet
from evaluation.runner import run_evaluation
from evaluation.spec import RunSpec
from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.tuning import TuningRunIn, tuning_run_triples
from kg.model import Retriever
from kg.typing import TuneStrategy
from retrieval.config import RetrieverConfig

#: a value a setting may take in a search space
ParamValue = float | int | str | bool

#: the default search space: fusion (method, lexical weight; dense weighs 0.7) and the
#: PageRank knobs
DEFAULT_SPACE: dict[str, list[ParamValue]] = {
    "fusion": ["zscore", "rrf"],
    "weights.lexical": [0.0, 0.2, 0.3, 0.5],
    "ppr_damping": [0.3, 0.5, 0.7],
    "ppr_passage_weight": [0.0, 0.01, 0.05],
    "ppr_gate_top": [0, 1, 2, 5],
}

#: ``progress(done, total)``: trials done so far
TuneProgress = Callable[[int, int], None]
#: the retriever of one configuration
RetrieverFactory = Callable[[RetrieverConfig], Retriever]


class SearchSpace(BaseModel):
    """Settings of the retriever and the values each may take (in the order tried)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    params: dict[str, list[ParamValue]] = Field(default_factory=lambda: dict(DEFAULT_SPACE))

    def check(self, base: RetrieverConfig) -> None:
        """Raise :class:`TuningError` for an unknown setting or a value it cannot take."""
        if not self.params:
            raise TuningError("the search space is empty; name at least one setting to tune")
        fields = set(RetrieverConfig.model_fields)
        for name, values in self.params.items():
            head, _, channel = name.partition(".")
            if head not in fields or (channel and head != "weights"):
                raise TuningError(
                    f"{name!r} is not a retriever setting; tune fields of "
                    f"retrieval.config.RetrieverConfig (e.g. rrf_k, ppr_damping) or "
                    f"weights.<channel>"
                )
            if not values:
                raise TuningError(f"setting {name!r} has no value to try; give at least one")
            for value in values:
                apply_point(base, {name: value})

    @property
    def size(self) -> int:
        """How many points the grid has."""
        return math.prod(len(v) for v in self.params.values())

    def point(self, index: int) -> dict[str, ParamValue]:
        """The ``index``-th point of the grid (the last setting varies fastest)."""
        out: dict[str, ParamValue] = {}
        for name, values in reversed(self.params.items()):
            index, at = divmod(index, len(values))
            out[name] = values[at]
        return dict(reversed(out.items()))


def apply_point(base: RetrieverConfig, point: Mapping[str, ParamValue]) -> RetrieverConfig:
    """``base`` with the settings of ``point`` (``weights.<channel>`` sets one weight)."""
    data = base.model_dump()
    weights = dict(data["weights"])
    for name, value in point.items():
        head, _, channel = name.partition(".")
        if channel:
            weights[channel] = value
        else:
            data[head] = value
    data["weights"] = weights
    try:
        return RetrieverConfig.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise TuningError(
            f"the search space gives {dict(point)!r}, which the retriever settings refuse: "
            f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}; fix the value"
        ) from exc


def base_point(space: SearchSpace, base: RetrieverConfig) -> dict[str, ParamValue]:
    """The values ``base`` has for the settings of ``space``."""
    out: dict[str, ParamValue] = {}
    for name in space.params:
        head, _, channel = name.partition(".")
        out[name] = base.weights.get(channel, 1.0) if channel else getattr(base, head)
    return out


def plan(
    space: SearchSpace, base: RetrieverConfig, budget: int, seed: int
) -> tuple[TuneStrategy, list[dict[str, ParamValue]]]:
    """The points to try: the base first, then the grid or a seeded sample of it."""
    if budget < 1:
        raise TuningError(f"the budget is the number of evaluations, at least 1; got {budget}")
    first = base_point(space, base)
    total = space.size
    strategy: TuneStrategy = "grid" if total + 1 <= budget else "random"
    if strategy == "grid":
        indices = list(range(total))
    else:
        indices = sorted(random.Random(seed).sample(range(total), min(budget - 1, total)))
    points = [first]
    for i in indices:
        p = space.point(i)
        if p != first and len(points) < budget:
            points.append(p)
    return strategy, points


@dataclass(frozen=True)
class Trial:
    """One evaluated point: its settings and its score on the dev split."""

    index: int
    params: dict[str, ParamValue]
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "params": dict(self.params), "score": self.score}


@dataclass
class TuneResult:
    """What a tuning produced: every trial, the best one and its configuration."""

    golden_name: str
    golden_version: str
    golden_iri: str
    split: str
    metric: str
    space: SearchSpace
    strategy: TuneStrategy
    budget: int
    seed: int
    query_count: int
    trials: list[Trial]
    best: Trial
    config: RetrieverConfig
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def baseline(self) -> Trial:
        return self.trials[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "golden": {
                "name": self.golden_name,
                "version": self.golden_version,
                "iri": self.golden_iri,
                "split": self.split,
            },
            "metric": self.metric,
            "strategy": self.strategy,
            "budget": self.budget,
            "seed": self.seed,
            "queries": self.query_count,
            "space": {k: list(v) for k, v in self.space.params.items()},
            "baseline": self.baseline.to_dict(),
            "best": self.best.to_dict(),
            "trials": [t.to_dict() for t in self.trials],
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat(),
        }


def tune(
    golden: GoldenSet,
    spec: RunSpec,
    retriever_for: RetrieverFactory,
    *,
    space: SearchSpace | None = None,
    budget: int = 20,
    seed: int = 13,
    metric: str | None = None,
    progress: TuneProgress | None = None,
) -> TuneResult:
    """Search ``space`` for the retriever settings that score best on ``golden``
    (one split of a golden set; see the module docstring).

    ``spec`` is the evaluation each trial runs, with its ``retrieval`` replaced by
    the trial's configuration; ``retriever_for`` builds the retriever of one
    configuration. ``metric`` defaults to ``ndcg@<spec.k>``.
    """
    if golden.selected is None:
        raise TuningError(
            f"golden set {golden.name!r} is given whole; tune on one split (its dev items), "
            "never on the queries it will be reported on"
        )
    space = space or SearchSpace()
    base = spec.retrieval
    space.check(base)
    objective = metric or f"ndcg@{spec.k}"
    strategy, points = plan(space, base, budget, seed)
    started = datetime.now(UTC)
    trials: list[Trial] = []
    if progress is not None:
        progress(0, len(points))
    for index, point in enumerate(points):
        config = apply_point(base, point)
        trial_spec = spec.model_copy(
            update={
                "retrieval": config,
                "metrics": (objective,),
                "bootstrap_samples": 1,
                "split": golden.selected,
                "answers": False,
            }
        )
        result = run_evaluation(trial_spec, golden, retriever_for(config))
        summary = result.overall.get(objective)
        if summary is None:
            raise TuningError(f"the evaluation computed no {objective!r}; name a ranking metric")
        trials.append(Trial(index, point, summary.mean))
        if progress is not None:
            progress(index + 1, len(points))
    best = max(trials, key=lambda t: (t.score, -t.index))
    return TuneResult(
        golden_name=golden.name,
        golden_version=golden.version,
        golden_iri=golden.iri,
        split=golden.selected,
        metric=objective,
        space=space,
        strategy=strategy,
        budget=budget,
        seed=seed,
        query_count=len(golden.qrels()),
        trials=trials,
        best=best,
        config=apply_point(base, best.params),
        started=started,
        ended=datetime.now(UTC),
    )


def changed_settings(result: TuneResult) -> dict[str, Any]:
    """The ``[retrieval]`` settings a profile of ``result`` sets: every tuned setting at
    its best value (``weights`` as the whole table)."""
    out: dict[str, Any] = {}
    for name in result.space.params:
        head, _, _ = name.partition(".")
        out[head] = (
            dict(result.config.weights) if head == "weights" else getattr(result.config, head)
        )
    return out


def trial_rows(trials: Sequence[Trial]) -> list[dict[str, Any]]:
    """Trials as JSON rows (what the graph records)."""
    return [t.to_dict() for t in trials]


def record_tuning(
    kg: KnowledgeGraph,
    result: TuneResult,
    *,
    run_id: str,
    profile_name: str,
    profile_file: str | None,
    provrag_version: str,
) -> str:
    """Write the tuning run and the profile it wrote as the named graph
    ``prid:tuning/<run id>`` (atomically); its IRI."""
    graph = ids.tuning_run_iri(run_id)
    if kg.graph_status(graph) is not None:
        raise TuningError(f"tuning run {run_id!r} is already recorded; give a new run id")
    record = TuningRunIn(
        run_id=run_id,
        golden_set_iri=result.golden_iri,
        golden_set_version=result.golden_version,
        split=result.split,
        objective=result.metric,
        search_space=result.space.params,
        trials=trial_rows(result.trials),
        strategy=result.strategy,
        budget=result.budget,
        seed=result.seed,
        query_count=result.query_count,
        baseline_score=result.baseline.score,
        best_score=result.best.score,
        provrag_version=provrag_version,
        started=result.started,
        ended=result.ended,
        profile_name=profile_name,
        profile_settings=changed_settings(result),
        profile_file=profile_file,
    )
    with kg.write_graph(graph) as writer:
        writer.add_statements(tuning_run_triples(record))
    return graph
