"""The monitors of the dashboard, as tidy tables (one row per observation).

:func:`collect` reads what the graph records (evaluation runs and their metric
values with intervals, coverage and test set validation runs, alerts) and runs the
cheap quality monitors itself: label agreement on each dataset version and drift
between consecutive versions. Those are recorded as monitor runs (only when their
numbers changed since the last run of the same scope) and each threshold breach of
the ``[monitors]`` settings becomes an alert (:func:`provrag.services.alerts.check_threshold`).

The tables are what ``provrag report --dashboard`` draws and what ``--export`` writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kg.graph import KnowledgeGraph
from kg.mapping.monitors import MonitorRunIn
from kg.monitors import record_monitor_run
from kg.queries.monitors import SYNTHETIC_SHARE_QUERY, MonitorRunRecord, monitor_runs
from kg.typing import MonitorName
from provrag.errors import ServiceError
from provrag.services.alerts import check_threshold, list_alerts
from provrag.settings import Settings

Row = dict[str, Any]

#: measurements that are counts (recorded as doubles, shown and exported as integers)
COUNTS = frozenset({"uncovered_clusters", "far_synthetic", "variants", "items"})

#: table names, in the order the dashboard shows them and ``--export`` writes them
TABLES = (
    "evaluation",
    "synthetic_share",
    "agreement",
    "drift",
    "coverage",
    "testset",
    "alerts",
)


@dataclass
class Monitors:
    """Every monitor's table, and the alerts this collection raised."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})
    new_alerts: list[str] = field(default_factory=list)
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))


def _natural(version: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", version))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


# ------------------------------------------------------------------------- readers


def evaluation_rows(kg: KnowledgeGraph) -> list[Row]:
    """Every metric value of every recorded run, with its interval and slice."""
    from kg.queries.runs import evaluation_runs, run_metric_values

    rows = []
    for run in evaluation_runs(kg):
        for mv in sorted(
            run_metric_values(kg, run.run_id),
            key=lambda m: (m.slice_name != "overall", m.slice_name, m.slice_value, m.metric),
        ):
            rows.append(
                {
                    "run_id": run.run_id,
                    "started": _iso(run.started),
                    "golden": run.golden_name,
                    "golden_version": run.golden_version,
                    "retriever": run.retriever_kind,
                    "k": run.k,
                    "slice": mv.slice_name,
                    "slice_value": mv.slice_value,
                    "metric": mv.metric,
                    "value": mv.value,
                    "ci_low": mv.ci_low,
                    "ci_high": mv.ci_high,
                    "queries": mv.query_count,
                }
            )
    return rows


def synthetic_share_rows(kg: KnowledgeGraph) -> list[Row]:
    rows = [
        {
            "dataset": str(r["dataset"]),
            "version": str(r["version"]),
            "samples": int(r["samples"]),
            "synthetic": int(r["synthetic"]),
            "synthetic_share": float(r["synthetic_share"]),
        }
        for r in kg.select(SYNTHETIC_SHARE_QUERY)
    ]
    return sorted(rows, key=lambda r: (r["dataset"], _natural(r["version"])))


def _run_row(run: MonitorRunRecord, *names: str) -> Row:
    row: Row = {"dataset": run.dataset, "run_id": run.run_id, "ended": _iso(run.ended)}
    for n in names:
        value = run.measurements.get(n)
        row[n] = int(value) if value is not None and n in COUNTS else value
    return row


def coverage_rows(kg: KnowledgeGraph) -> list[Row]:
    from kg.queries.monitors import COVERAGE_MEASURES

    rows = []
    for run in monitor_runs(kg, "coverage"):
        row = _run_row(run, *COVERAGE_MEASURES)
        clusters = run.result.get("uncovered_clusters") or []
        row["largest_uncovered"] = clusters[0]["name"] if clusters else None
        rows.append(row)
    return rows


def testset_rows(kg: KnowledgeGraph) -> list[Row]:
    from kg.queries.monitors import TESTSET_MEASURES

    rows = []
    for run in monitor_runs(kg, "testset"):
        row = _run_row(run, *TESTSET_MEASURES)
        row["testset"] = run.version
        rows.append(row)
    return rows


def alert_rows(kg: KnowledgeGraph) -> list[Row]:
    return [
        {
            "alert_id": a.alert_id,
            "time": _iso(a.time),
            "monitor": a.monitor,
            "measure": a.measure,
            "value": a.value,
            "comparator": a.comparator,
            "threshold": a.threshold,
            "dataset": a.dataset,
            "message": a.message,
            "note": a.notes[-1].text if a.notes else None,
        }
        for a in list_alerts(kg)
    ]


# ------------------------------------------------------------- monitors run here


def _record_if_changed(
    kg: KnowledgeGraph,
    previous: list[MonitorRunRecord],
    monitor: MonitorName,
    dataset: str,
    version: str,
    measurements: dict[str, float],
    result: dict[str, Any],
) -> str:
    """The run id of the last run of this scope with these numbers, or of a new one."""
    from evaluation.record import new_run_id

    same = [r for r in previous if r.dataset == dataset and r.version == version]
    if same and same[-1].measurements == measurements:
        return same[-1].run_id
    now = datetime.now(UTC)
    run_id = new_run_id(now)
    record_monitor_run(
        kg,
        MonitorRunIn(run_id, monitor, now, now, result, measurements, dataset, version),
    )
    return run_id


def agreement_rows(
    settings: Settings, kg: KnowledgeGraph, datasets: dict[str, list[str]]
) -> tuple[list[Row], list[str]]:
    from kg import ids
    from provrag.services.quality import agreement

    m = settings.monitors
    previous = monitor_runs(kg, "agreement")
    rows, alerts = [], []
    for dataset, versions in datasets.items():
        for version in versions:
            try:
                report = agreement(kg, m.agreement_field, dataset=dataset, version=version)
            except ServiceError:  # no labels of that field: nothing to watch
                continue
            measures = {"items": float(report.items)}
            if report.alpha is not None:
                measures["alpha"] = report.alpha
            if report.percent_agreement is not None:
                measures["percent_agreement"] = report.percent_agreement
            run_id = _record_if_changed(
                kg, previous, "agreement", dataset, version, measures,
                {"field": m.agreement_field, **measures},
            )  # fmt: skip
            rows.append(
                {
                    "dataset": dataset,
                    "version": version,
                    "field": m.agreement_field,
                    "alpha": report.alpha,
                    "percent_agreement": report.percent_agreement,
                    "items": report.items,
                    "run_id": run_id,
                }
            )
            aid = check_threshold(
                kg,
                monitor="agreement",
                measure="alpha",
                value=report.alpha,
                threshold=m.min_alpha,
                comparator=">=",
                dataset=dataset,
                scope=f"{m.agreement_field} in version {version}",
                informed_by=ids.monitor_run_iri(run_id),
            )
            if aid:
                alerts.append(aid)
    return rows, alerts


def drift_rows(
    settings: Settings, kg: KnowledgeGraph, datasets: dict[str, list[str]]
) -> tuple[list[Row], list[str]]:
    from kg import ids
    from provrag.services.quality import drift

    m = settings.monitors
    previous = monitor_runs(kg, "drift")
    rows, alerts = [], []
    for dataset, versions in datasets.items():
        for a, b in zip(versions, versions[1:], strict=False):
            report = drift(settings, kg, dataset, a, b)
            s = report.samples
            js = [d.js_divergence for d in report.labels.values() if d.js_divergence is not None]
            measures = {
                "changed_share": s.changed / s.size_a if s.size_a else 0.0,
                "new_share": s.new / s.size_b if s.size_b else 0.0,
                "removed_share": s.removed / s.size_a if s.size_a else 0.0,
            }
            if js:
                measures["label_js_divergence"] = max(js)
            scope = f"{a}..{b}"
            run_id = _record_if_changed(kg, previous, "drift", dataset, scope, measures, measures)
            rows.append(
                {
                    "dataset": dataset,
                    "from_version": a,
                    "to_version": b,
                    **measures,
                    "run_id": run_id,
                }
            )
            aid = check_threshold(
                kg,
                monitor="drift",
                measure="label_js_divergence",
                value=measures.get("label_js_divergence"),
                threshold=m.max_label_js,
                comparator="<=",
                dataset=dataset,
                scope=scope,
                informed_by=ids.monitor_run_iri(run_id),
            )
            if aid:
                alerts.append(aid)
    return rows, alerts


def collect(settings: Settings, kg: KnowledgeGraph) -> Monitors:
    """Every monitor's table; runs (and records) agreement and drift on the way."""
    out = Monitors()
    t = out.tables
    t["evaluation"] = evaluation_rows(kg)
    t["synthetic_share"] = synthetic_share_rows(kg)
    datasets: dict[str, list[str]] = {}
    for row in t["synthetic_share"]:
        datasets.setdefault(row["dataset"], []).append(row["version"])
    t["agreement"], raised = agreement_rows(settings, kg, datasets)
    out.new_alerts += raised
    t["drift"], raised = drift_rows(settings, kg, datasets)
    out.new_alerts += raised
    t["coverage"] = coverage_rows(kg)
    t["testset"] = testset_rows(kg)
    t["alerts"] = alert_rows(kg)
    return out
