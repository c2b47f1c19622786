"""Errors of the evaluation layer. Each says what was wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import ProvragError


class EvaluationError(ProvragError):
    """Base class of every error raised by :mod:`evaluation`."""


class RunSpecError(EvaluationError, ValueError):
    """A value of an evaluation run spec (``evaluation.spec.RunSpec``) is not valid.

    Raised inside pydantic validators, which only turn a ``ValueError`` into a
    ``pydantic.ValidationError``: hence the second base.
    """


class MetricError(EvaluationError):
    """A metric name, cutoff or relevance level is not valid, or the input cannot be scored."""


@dataclass(frozen=True)
class GoldenProblem:
    """One problem found in a golden set: where it is, which field, what was wrong."""

    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = self.path or "<golden set>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field is not None:
            where += f" [{self.field}]"
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.message}{shown}"


class GoldenSetError(EvaluationError):
    """A golden set file is malformed or inconsistent; ``problems`` lists every finding."""

    def __init__(self, problems: list[GoldenProblem] | str, *, limit: int = 20) -> None:
        if isinstance(problems, str):
            problems = [GoldenProblem(problems)]
        self.problems = problems
        shown = [str(p) for p in problems[:limit]]
        more = len(problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more")
        head = "golden set is not valid" if len(problems) > 1 else "golden set is not valid:"
        super().__init__(head + ("\n  " if len(problems) > 1 else " ") + "\n  ".join(shown))


class GoldenVersionConflictError(GoldenSetError):
    """A golden set with the same name and version but different content is already stored."""


class TrecFormatError(EvaluationError):
    """A TREC run or qrels file (or a value to be written to one) is malformed."""


class GateError(EvaluationError):
    """A gate is not written as ``METRIC[SLICE=VALUE]>=THRESHOLD``."""


class RunNotFoundError(EvaluationError):
    """No recorded run has the id asked for."""


class UnknownVersionError(EvaluationError):
    """A dataset version asked for is not in the graph."""

    def __init__(self, dataset: str, version: str, known: Sequence[str]) -> None:
        self.dataset = dataset
        self.version = version
        self.known = list(known)
        hint = (
            f"versions of {dataset!r} in the graph: {', '.join(known)}"
            if known
            else f"the graph has no dataset {dataset!r}; ingest it first or check the name"
        )
        super().__init__(f"dataset {dataset!r} has no version {version!r}; {hint}")


class CoverageError(EvaluationError):
    """The coverage monitor cannot run on what it was given (no real samples, a threshold
    out of range, vectors that do not match their samples)."""


class SyntheticSetError(EvaluationError):
    """A synthetic test set cannot be generated or validated as asked."""
