"""``provrag report --dashboard``: one self-contained HTML page of the monitors'
tables (:mod:`provrag.services.monitoring`): inline SVG charts and tables, no
script, no stylesheet or font from the network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from provrag.render.svg import Point, point_chart

Row = Mapping[str, Any]

#: slices left out of the dashboard's slice tables (one value each on most data)
HIDDEN_SLICES = ("annotator", "author")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; } .alert { color: #b00; font-weight: bold; }
"""


def _num(v: Any, digits: int = 3) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _table(table_id: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for v in row:
            cls = ' class="num"' if isinstance(v, int | float) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{escape(_num(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(columns)}" class="muted">nothing recorded</td></tr>')
    return f'<table id="{table_id}"><tr>{head}</tr>{"".join(body)}</table>'


def _short_time(iso: str | None) -> str:
    return "" if not iso else iso[:16].replace("T", " ")


def _evaluation(rows: Sequence[Row]) -> str:
    out = ["<h2>Retrieval quality: evaluation runs</h2>"]
    primary = [r for r in rows if r["metric"] == f"ndcg@{r['k']}"]
    goldens = sorted({str(r["golden"]) for r in primary})
    if not goldens:
        out.append('<p class="muted">no evaluation run recorded yet (provrag eval)</p>')
    charts = []
    for golden in goldens:
        series: dict[str, list[Point]] = {}
        for r in primary:
            if r["golden"] == golden and r["slice"] == "overall":
                x = _short_time(r["started"])[5:]
                series.setdefault(str(r["retriever"]), []).append(
                    Point(x, r["value"], r["ci_low"], r["ci_high"])
                )
        charts.append(point_chart(f"{golden}: overall nDCG per run (95% CI)", series, y_max=1.0))
    out.append(f'<div class="grid">{"".join(charts)}</div>')
    latest: dict[tuple[str, str], str] = {}
    for r in primary:
        latest[(str(r["golden"]), str(r["retriever"]))] = r["run_id"]
    for golden in goldens:
        retrievers = sorted({k[1] for k in latest if k[0] == golden})
        cells: dict[str, dict[str, str]] = {}
        for r in primary:
            if r["golden"] != golden or latest.get((golden, str(r["retriever"]))) != r["run_id"]:
                continue
            if r["slice"] in HIDDEN_SLICES:
                continue
            where = "overall" if r["slice"] == "overall" else f"{r['slice']}={r['slice_value']}"
            ci = "" if r["ci_low"] is None else f" [{r['ci_low']:.3f}, {r['ci_high']:.3f}]"
            cells.setdefault(where, {})[str(r["retriever"])] = (
                f"{r['value']:.3f}{ci} (n={r['queries']})"
            )
        out.append(f"<h3>{escape(golden)}: latest run per retriever, nDCG by slice (95% CI)</h3>")
        out.append(
            _table(
                "evaluation-table",
                ("slice", *retrievers),
                [(w, *(cells[w].get(k, "") for k in retrievers)) for w in cells],
            )
        )
    return "\n".join(out)


def _by_dataset(rows: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(str(r["dataset"]), []).append(r)
    return out


def _versions(tables: Mapping[str, Sequence[Row]], thresholds: Mapping[str, float]) -> str:
    out = ["<h2>Dataset versions: synthetic share, label agreement, drift</h2>"]
    share = _by_dataset(tables["synthetic_share"])
    agreement = _by_dataset(tables["agreement"])
    drift = _by_dataset(tables["drift"])
    for dataset in sorted(set(share) | set(agreement) | set(drift)):
        charts = [
            point_chart(
                f"{dataset}: synthetic share",
                {
                    "synthetic share": [
                        Point(r["version"], r["synthetic_share"]) for r in share.get(dataset, [])
                    ]
                },
                y_max=1.0,
            )
        ]
        if dataset in agreement:
            charts.append(
                point_chart(
                    f"{dataset}: Krippendorff's alpha ({agreement[dataset][0]['field']})",
                    {"alpha": [Point(r["version"], r["alpha"]) for r in agreement[dataset]]},
                    y_max=1.0,
                    threshold=thresholds.get("min_alpha"),
                    threshold_label="min",
                )
            )
        if dataset in drift:
            rows = drift[dataset]
            charts.append(
                point_chart(
                    f"{dataset}: drift between versions",
                    {
                        "label JS (bits)": [
                            Point(
                                f"{r['from_version']}→{r['to_version']}",
                                r.get("label_js_divergence"),
                            )
                            for r in rows
                        ],
                        "changed share": [
                            Point(f"{r['from_version']}→{r['to_version']}", r["changed_share"])
                            for r in rows
                        ],
                        "new share": [
                            Point(f"{r['from_version']}→{r['to_version']}", r["new_share"])
                            for r in rows
                        ],
                    },
                    threshold=thresholds.get("max_label_js"),
                    threshold_label="max JS",
                )
            )
        out.append(f"<h3>{escape(dataset)}</h3>")
        out.append(f'<div class="grid">{"".join(charts)}</div>')
    if not share:
        out.append('<p class="muted">no dataset ingested yet</p>')
    out.append(
        _table(
            "versions-table",
            ("dataset", "version", "samples", "synthetic", "synthetic share"),
            [
                (r["dataset"], r["version"], r["samples"], r["synthetic"], r["synthetic_share"])
                for r in tables["synthetic_share"]
            ],
        )
    )
    return "\n".join(out)


def _coverage(tables: Mapping[str, Sequence[Row]], thresholds: Mapping[str, float]) -> str:
    out = ["<h2>Synthetic coverage</h2>"]
    rows = tables["coverage"]
    charts = []
    for dataset, runs in sorted(_by_dataset(rows).items()):
        charts.append(
            point_chart(
                f"{dataset}: covered by a synthetic neighbour",
                {
                    "real samples": [
                        Point(_short_time(r["ended"]), r["real_covered_share"]) for r in runs
                    ],
                    "golden queries": [
                        Point(_short_time(r["ended"]), r["golden_covered_share"]) for r in runs
                    ],
                },
                y_max=1.0,
                threshold=thresholds.get("min_real_covered"),
                threshold_label="min",
            )
        )
    out.append(f'<div class="grid">{"".join(charts)}</div>')
    out.append(
        _table(
            "coverage-table",
            (
                "dataset",
                "run",
                "ended",
                "real covered",
                "golden covered",
                "uncovered clusters",
                "largest uncovered (where to generate next)",
                "far synthetic",
            ),
            [
                (
                    r["dataset"],
                    r["run_id"],
                    _short_time(r["ended"]),
                    r["real_covered_share"],
                    r["golden_covered_share"],
                    r["uncovered_clusters"],
                    r["largest_uncovered"],
                    r["far_synthetic"],
                )
                for r in rows
            ],
        )  # fmt: skip
    )
    if not rows:
        out.append('<p class="muted">run provrag coverage --dataset D</p>')
    return "\n".join(out)


def _testset(rows: Sequence[Row]) -> str:
    return "<h2>Synthetic test set validation</h2>\n" + _table(
        "testset-table",
        ("dataset", "test set", "run", "ended", "Kendall's tau", "p-value", "mean |gap|"),
        [
            (r["dataset"], r["testset"], r["run_id"], _short_time(r["ended"]), r["kendall_tau"],
             r["kendall_p_value"], r["mean_abs_gap"])
            for r in rows
        ],
    )  # fmt: skip


def _alerts(rows: Sequence[Row]) -> str:
    return f"<h2>Alerts: the risk log ({len(rows)})</h2>\n" + _table(
        "alerts-table",
        ("id", "time", "monitor", "message", "note"),
        [
            (r["alert_id"], _short_time(r["time"]), r["monitor"], r["message"], r["note"] or "")
            for r in rows
        ],
    )


def extra_section(title: str, table_id: str, rows: Sequence[Row]) -> str:
    """A titled table of any monitor rows (columns: the keys of the first row)."""
    columns = list(rows[0]) if rows else ["(empty)"]
    return f"<h2>{escape(title)}</h2>\n" + _table(
        table_id, columns, [tuple(r.get(c) for c in columns) for r in rows]
    )


def dashboard_html(
    tables: Mapping[str, Sequence[Row]],
    thresholds: Mapping[str, float],
    *,
    generated: datetime,
    new_alerts: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> str:
    """The page; ``extra`` are further HTML sections (e.g. releases), after coverage."""
    raised = (
        f'<p class="alert">{len(new_alerts)} new alert(s) raised while building this page: '
        f"{escape(', '.join(new_alerts))}</p>"
        if new_alerts
        else ""
    )
    body = [
        "<h1>provrag dashboard</h1>",
        f'<p class="muted">generated {escape(generated.isoformat(timespec="seconds"))}; '
        "every table exports with --export DIR</p>",
        raised,
        _alerts(tables["alerts"]),
        _versions(tables, thresholds),
        _coverage(tables, thresholds),
        *extra,
        _evaluation(tables["evaluation"]),
        _testset(tables["testset"]),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>provrag dashboard</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
