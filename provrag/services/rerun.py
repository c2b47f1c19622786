"""Rerun: re-create a recorded evaluation run from its graph record and compare every number."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.record import (
    RunNotFoundError,
    load_golden,
    load_run,
    read_run_record,
    recorded_numbers,
)
from evaluation.results import EvalResult
from evaluation.runner import ProgressFn
from evaluation.spec import RunSpec
from kg.graph import KnowledgeGraph
from provrag.services.evaluating import evaluate
from provrag.settings import Settings


@dataclass
class Rerun:
    """A recorded run and its re-run. ``before``/``after``: every mean and interval
    bound, keyed ``<slice> <metric> <mean|ci_low|ci_high>`` (before: from the run
    directory, or from the graph when the directory is gone)."""

    run_id: str
    original: EvalResult | None
    new: EvalResult
    before: dict[str, float]
    after: dict[str, float]

    @property
    def differences(self) -> dict[str, tuple[float | None, float | None]]:
        keys = sorted(set(self.before) | set(self.after))
        return {
            k: (self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        }

    @property
    def identical(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``provrag eval rerun --json``."""
        return {
            "run_id": self.run_id,
            "new_run_id": self.new.run_id,
            "identical": self.identical,
            "recorded": self.before,
            "rerun": self.after,
            "differences": {k: list(v) for k, v in self.differences.items()},
        }


def rerun(
    settings: Settings,
    kg: KnowledgeGraph,
    run_id: str,
    *,
    progress: ProgressFn | None = None,
    record: bool = True,
) -> Rerun:
    """Re-create run ``run_id`` from its recorded :class:`RunSpec` and compare every number."""
    rec = read_run_record(kg, run_id)
    if rec.golden_name is None:
        raise RunNotFoundError(
            f"run {run_id!r} used golden set {rec.golden_iri}, which the graph no longer "
            "holds; ingest that golden set version again to re-run it"
        )
    original: EvalResult | None
    try:
        original = load_run(settings.runs_dir, run_id)
    except RunNotFoundError:
        original = None
    spec = RunSpec.from_record(rec)
    golden = load_golden(kg, spec.golden, spec.golden_version, spec.split)
    new = evaluate(settings, kg, golden, spec, progress=progress, record=record)
    before = original.numbers() if original is not None else recorded_numbers(kg, run_id)
    return Rerun(run_id, original, new, before, new.numbers())
