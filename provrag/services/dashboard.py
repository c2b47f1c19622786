"""``provrag report --dashboard``: collect the monitors (:mod:`provrag.services.monitoring`),
write the one-page HTML dashboard and, on request, each monitor's tidy table.

Export format: Parquet (``<table>.parquet``) when pyarrow is installed, else CSV
(``<table>.csv``); one file per table of :data:`~provrag.services.monitoring.TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.graph import KnowledgeGraph
from provrag.errors import ServiceError
from provrag.settings import Settings

DASHBOARD_FILE = "dashboard.html"


@dataclass
class DashboardFiles:
    html: Path
    exported: list[Path] = field(default_factory=list)
    new_alerts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "html": str(self.html),
            "exported": [str(p) for p in self.exported],
            "new_alerts": self.new_alerts,
        }


def export_format() -> str:
    """``parquet`` when pyarrow can be imported, else ``csv``."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    return "parquet"


def export_tables(tables: Mapping[str, Sequence[Mapping[str, Any]]], directory: Path) -> list[Path]:
    """One tidy file per table in ``directory`` (:func:`export_format`); their paths."""
    import pandas as pd

    fmt = export_format()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(f"cannot create the export directory {directory}: {exc}") from exc
    out = []
    for name, rows in tables.items():
        frame = pd.DataFrame([dict(r) for r in rows])
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        out.append(path)
    return out


def thresholds(settings: Settings) -> dict[str, float]:
    m = settings.monitors
    return {
        "min_alpha": m.min_alpha,
        "max_label_js": m.max_label_js,
        "min_real_covered": m.min_real_covered,
        "min_golden_covered": m.min_golden_covered,
    }


def build_dashboard(
    settings: Settings,
    kg: KnowledgeGraph,
    out: Path | None = None,
    export: Path | None = None,
) -> DashboardFiles:
    """Write the dashboard to ``out`` (default ``<home>/reports/dashboard.html``) and,
    with ``export``, every monitor's table to that directory."""
    from provrag.render.dashboard import dashboard_html
    from provrag.services.monitoring import collect

    monitors = collect(settings, kg)
    html_path = out or settings.reports_dir / DASHBOARD_FILE
    page = dashboard_html(
        monitors.tables,
        thresholds(settings),
        generated=monitors.generated,
        new_alerts=monitors.new_alerts,
    )
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ServiceError(f"cannot write the dashboard to {html_path}: {exc}") from exc
    files = DashboardFiles(html_path, new_alerts=monitors.new_alerts)
    if export is not None:
        files.exported = export_tables(monitors.tables, export)
    return files
