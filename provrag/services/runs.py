"""Recorded evaluation runs: list them, compare two, report on several.

``provrag eval list``, ``provrag eval compare`` and ``provrag report`` run these;
runs are read from ``<home>/runs/<run id>/`` (the graph lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.graph import KnowledgeGraph
from provrag.settings import Settings

if TYPE_CHECKING:
    from evaluation.compare import Comparison
    from evaluation.report import ReportFiles


def list_runs(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every recorded run: id, golden set and version, retriever, k, nDCG@k, start."""
    from evaluation.record import list_runs as recorded

    return recorded(kg)


def run_detail(kg: KnowledgeGraph, run_id: str) -> dict[str, Any]:
    """One recorded run as the graph holds it (``GET /eval/runs/{id}``): everything a
    re-run needs, and every metric value (overall and per slice, with its interval).

    Raises :class:`~evaluation.errors.RunNotFoundError` for an unknown run id.
    """
    from dataclasses import asdict

    from evaluation.record import read_run_record
    from kg.queries.runs import run_metric_values

    record = read_run_record(kg, run_id).model_dump(mode="json")
    record["metrics"] = [asdict(m) for m in run_metric_values(kg, run_id)]
    return record


def compare(
    settings: Settings,
    run_a: str,
    run_b: str,
    *,
    metric: str | None = None,
    top: int = 10,
    samples: int = 10000,
) -> Comparison:
    """B - A for every metric both runs computed (paired randomisation test), and the
    ``top`` queries that got better and worse on ``metric`` (default nDCG@k of A)."""
    from evaluation.compare import compare_runs
    from evaluation.gates import canonical_metric
    from evaluation.record import load_run

    a = load_run(settings.runs_dir, run_a)
    b = load_run(settings.runs_dir, run_b)
    focus = canonical_metric(metric) if metric else None
    return compare_runs(a, b, metric=focus, top=top, samples=samples, seed=settings.evaluation.seed)


def report_dir(settings: Settings, run_ids: Sequence[str]) -> Path:
    """Where the report of ``run_ids`` goes by default: ``<home>/reports/<run ids>/``."""
    name = (
        run_ids[0]
        if len(run_ids) == 1
        else "_vs_".join(run_ids[:3])
        + (f"_and_{len(run_ids) - 3}_more" if len(run_ids) > 3 else "")
    )
    return settings.reports_dir / name


def report(settings: Settings, run_ids: Sequence[str], output: Path | None = None) -> ReportFiles:
    """Write the HTML and Markdown report (with plots) of ``run_ids`` (the first is the
    baseline) into ``output`` (default :func:`report_dir`)."""
    from evaluation.record import load_run
    from evaluation.report import write_report

    runs = [load_run(settings.runs_dir, r) for r in run_ids]
    return write_report(
        runs, output or report_dir(settings, run_ids), seed=settings.evaluation.seed
    )
