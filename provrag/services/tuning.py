"""Tune: search the retriever's weights on a golden set's dev split, write a named profile.

:func:`tune` reads only the dev items of the golden set
(:func:`provrag.services.golden.resolve_golden_split`: a file's holdout lines are
never parsed into items, a stored set's holdout items never queried), runs
:func:`evaluation.tuning.tune` with retrievers built by :mod:`provrag.wiring`
(one embedder and query linker shared by every trial), writes the best settings
as ``<home>/profiles/<profile>.toml`` (:mod:`provrag.profiles`) and records the
tuning run and the profile in the graph (:func:`evaluation.tuning.record_tuning`).
``provrag eval --profile NAME`` then reports the profile on the holdout split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.record import new_run_id
from evaluation.tuning import (
    SearchSpace,
    TuneProgress,
    TuneResult,
    changed_settings,
    record_tuning,
)
from kg.graph import KnowledgeGraph
from kg.model import Retriever
from kg.typing import Clearance, GoldenSplit, RetrieverMode
from provrag.errors import UsageError
from provrag.profiles import profile_path, write_profile
from provrag.services.evaluating import (
    DEFAULT_EVAL_CLEARANCE,
    EvalOptions,
    provrag_version,
    run_spec,
)
from provrag.services.golden import resolve_golden_split
from provrag.settings import Settings
from retrieval.config import RetrieverConfig

#: the only split settings are tuned on
TUNE_SPLIT: GoldenSplit = "dev"
#: the profile a tuning writes when none is named
DEFAULT_PROFILE = "tuned"


@dataclass
class TuneOutcome:
    """A tuning's result, its recorded run and the profile it wrote."""

    result: TuneResult
    run_id: str
    iri: str
    profile: str
    profile_path: Path

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``provrag tune --json``."""
        return {
            "run_id": self.run_id,
            "iri": self.iri,
            "profile": {
                "name": self.profile,
                "path": str(self.profile_path),
                "retrieval": changed_settings(self.result),
            },
            **self.result.to_dict(),
        }


def tune(
    settings: Settings,
    kg: KnowledgeGraph,
    golden: str | Path,
    *,
    split: GoldenSplit = TUNE_SPLIT,
    budget: int = 20,
    seed: int | None = None,
    profile: str = DEFAULT_PROFILE,
    retriever_kind: RetrieverMode | None = None,
    ks: Sequence[int] = (10,),
    metric: str | None = None,
    clearance: Clearance = DEFAULT_EVAL_CLEARANCE,
    space: SearchSpace | None = None,
    progress: TuneProgress | None = None,
) -> TuneOutcome:
    """Tune the settings' retriever on the ``split`` (dev) items of ``golden`` (a path,
    or NAME / NAME@VERSION) and write the best settings as the profile ``profile``."""
    from evaluation.tuning import tune as search
    from provrag import wiring

    if split != TUNE_SPLIT:
        raise UsageError(
            f"tune scores on the {TUNE_SPLIT!r} split only, got {split!r}: settings chosen "
            "on the holdout would be reported on the queries they were chosen on"
        )
    profile_path(settings, profile)  # a bad name fails before the search, not after
    dev = resolve_golden_split(kg, golden, split)
    options = EvalOptions(retriever_kind=retriever_kind, ks=ks, clearance=clearance, split=split)
    spec = run_spec(settings, dev, options)
    embedder = wiring.build_embedder(settings, lazy=True)
    linker = wiring.build_linker(settings)

    def retriever_for(config: RetrieverConfig) -> Retriever:
        trial = settings.model_copy(update={"retrieval": config})
        return wiring.build_retriever(trial, kg, mode=spec.mode, embedder=embedder, linker=linker)

    result = search(
        dev,
        spec,
        retriever_for,
        space=space,
        budget=budget,
        seed=seed if seed is not None else settings.evaluation.seed,
        metric=metric,
        progress=progress,
    )
    run_id = new_run_id(result.started)
    comment = (
        f"written by provrag tune (tuning run {run_id}): {result.metric} on the "
        f"{result.split} split of {result.golden_name}@{result.golden_version}, "
        f"{result.baseline.score:.4f} -> {result.best.score:.4f}"
    )
    path = write_profile(settings, profile, changed_settings(result), comment)
    iri = record_tuning(
        kg,
        result,
        run_id=run_id,
        profile_name=profile,
        profile_file=str(path.resolve()),
        provrag_version=provrag_version(),
    )
    return TuneOutcome(result, run_id, iri, profile, path)
