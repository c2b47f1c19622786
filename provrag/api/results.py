"""Results of the Python API that carry pandas DataFrames next to the service result.

Each keeps the service's own result (``.outcome`` / ``.report``) for everything
else; the frames are built when the result is (pandas is imported then).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluation.agreement import AgreementReport
    from evaluation.drift import DriftReport
    from evaluation.gates import GateOutcome
    from evaluation.results import EvalResult
    from provrag.services.eval_outcome import EvalOutcome


@dataclass
class Evaluation:
    """An evaluation run: ``per_query`` (one row per query: text and every metric),
    ``slices`` (one row per slice and metric), ``overall`` (one row per metric)."""

    outcome: EvalOutcome
    per_query: Any
    slices: Any
    overall: Any

    @classmethod
    def of(cls, outcome: EvalOutcome) -> Evaluation:
        from provrag.render.frames import overall_frame, per_query_frame, slices_frame

        r = outcome.result
        return cls(outcome, per_query_frame(r), slices_frame(r), overall_frame(r))

    @property
    def result(self) -> EvalResult:
        return self.outcome.result

    @property
    def run_id(self) -> str | None:
        return self.outcome.result.run_id

    @property
    def gates(self) -> list[GateOutcome]:
        return self.outcome.gates

    @property
    def passed(self) -> bool:
        """Every KPI gate (settings and ``gates=``) met."""
        return self.outcome.passed

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``provrag eval --json``."""
        return self.outcome.to_dict()


@dataclass
class Agreement:
    """Label agreement: ``summary`` (one row), ``pairs``, ``by_guideline_version``,
    ``by_origin`` and ``disagreements`` frames."""

    report: AgreementReport
    summary: Any
    pairs: Any
    by_guideline_version: Any
    by_origin: Any
    disagreements: Any

    @classmethod
    def of(cls, report: AgreementReport) -> Agreement:
        from provrag.render.frames import agreement_frames

        return cls(report, **agreement_frames(report))


@dataclass
class Drift:
    """Dataset drift: ``samples`` (one row of counts), ``distributions`` (value counts and
    shares in both versions), ``divergence`` (per distribution) and ``lengths`` frames."""

    report: DriftReport
    samples: Any
    distributions: Any
    divergence: Any
    lengths: Any

    @classmethod
    def of(cls, report: DriftReport) -> Drift:
        from provrag.render.frames import drift_frames

        return cls(report, **drift_frames(report))
