"""HTML and Markdown report of one or more evaluation runs, with plots.

:func:`write_report` writes into one directory:

- ``report.html``: self-contained (plots embedded as base64 PNG), opens offline;
- ``report.md``: the same tables, the plots as PNG files next to it;
- ``overall.png``: every metric per run, with bootstrap 95% intervals;
- ``slices.png``: the primary metric (nDCG@k) per slice with intervals, small
  slices drawn hollow and marked;
- ``per_query.png``: the distribution of the per-query primary metric (histogram
  and box plot per run);
- ``compare.png`` (two runs or more): the difference of every metric of each
  later run against the first, with paired randomisation p-values.

The plots are drawn by :mod:`evaluation.report_plots`; this module assembles the
tables and renders both documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from matplotlib.figure import Figure

from evaluation.compare import compare_runs
from evaluation.errors import EvaluationError
from evaluation.report_plots import (
    compare_plot,
    overall_plot,
    per_query_plot,
    run_label,
    save_png,
    slice_rows,
    slices_plot,
)
from evaluation.results import EvalResult
from kg.typing import FAILURE_REASONS

HTML_FILE = "report.html"
MD_FILE = "report.md"


@dataclass
class _Row:
    """One table row: a metric or a slice, and a cell per run."""

    label: str
    cells: list[str]
    n: int = 0
    small: bool = False


@dataclass
class ReportFiles:
    html: Path
    markdown: Path
    images: list[Path] = field(default_factory=list)


# ------------------------------------------------------------------- templates

_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1150px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
tr.small td { color: #888; font-style: italic; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
code { background: #f5f5f5; padding: 0 0.2em; }
.note { color: #555; font-size: 0.9em; }
</style></head>
<body>
<h1>{{ title }}</h1>
<p class="note">Generated {{ generated }} by provrag. Means over queries with bootstrap 95%
confidence intervals; slices with fewer than the configured minimum of queries are marked
<em>small</em> (shown, not hidden).</p>

<h2>Runs</h2>
<table id="runs">
<tr><th>run</th><th>golden set</th><th>retriever</th><th>k</th><th>queries</th>
<th>seed</th><th>started</th></tr>
{% for r in runs %}<tr><td><code>{{ r.label }}</code></td><td>{{ r.golden }}</td>
<td>{{ r.retriever }}</td><td>{{ r.k }}</td><td>{{ r.queries }}</td><td>{{ r.seed }}</td>
<td>{{ r.started }}</td></tr>
{% endfor %}</table>

<h2>Metrics over all queries</h2>
<table id="metric-table">
<tr><th>metric</th>{% for r in runs %}<th>{{ r.label }}</th>{% endfor %}</tr>
{% for row in overall %}<tr><td>{{ row.label }}</td>
{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
<img alt="metrics over all queries" src="data:image/png;base64,{{ images.overall }}">

<h2>{{ primary }} per slice</h2>
<p class="note">origin: real / synthetic when all relevant gold samples of a query have that
origin, mixed otherwise; generator / prompt_version: of the synthetic gold samples;
annotator: who labelled the gold samples; author: who wrote the golden item;
synthetic_share: share of synthetic samples among the top k results.</p>
<table id="slice-table">
<tr><th>slice</th><th>queries</th>{% for r in runs %}<th>{{ r.label }}</th>{% endfor %}</tr>
{% for row in slices %}<tr{% if row.small %} class="small"{% endif %}>
<td>{{ row.label }}{% if row.small %} (small){% endif %}</td><td>{{ row.n }}</td>
{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
<img alt="{{ primary }} per slice" src="data:image/png;base64,{{ images.slices }}">

<h2>Per-query distribution of {{ primary }}</h2>
<img alt="per-query distribution" src="data:image/png;base64,{{ images.per_query }}">

<h2>Failing queries</h2>
<p class="note">A query fails when nothing relevant is in its top k, or when what is there was
reached only through a synthetic sample derived from it. Reasons: {{ reasons|join(", ") }}.</p>
{% for f in failures %}
<h3><code>{{ f.label }}</code>: {{ f.count }} failing
{%- if f.reasons %} ({{ f.reasons }}){% endif %}</h3>
{% if f.groups %}<table class="failure-groups">
<tr><th>slice</th><th>failing</th><th>by reason</th><th>queries</th></tr>
{% for g in f.groups %}<tr><td>{{ g.slice }}</td><td>{{ g.failing }}</td><td>{{ g.why }}</td>
<td>{{ g.ids }}</td></tr>
{% endfor %}</table>{% endif %}
{% if f.queries %}<table class="failure-queries">
<tr><th>query</th><th>reason</th><th>why</th><th>tags</th></tr>
{% for q in f.queries %}<tr><td><code>{{ q.query_id }}</code> {{ q.query or "" }}</td>
<td>{{ q.reason }}</td><td>{{ q.detail }}</td><td>{{ q.tags|join(", ") }}</td></tr>
{% endfor %}</table>{% endif %}
{% endfor %}

{% if comparisons %}<h2>Run vs run</h2>
{% for c in comparisons %}
<h3><code>{{ c.run_b }}</code> against <code>{{ c.run_a }}</code></h3>
{% for w in c.warnings %}<p class="note">note: {{ w }}</p>{% endfor %}
<table class="compare-table">
<tr><th>metric</th><th>A</th><th>B</th><th>B - A</th><th>p</th><th>queries</th></tr>
{% for d in c.deltas %}<tr><td>{{ d.metric }}</td><td>{{ "%.4f"|format(d.mean_a) }}</td>
<td>{{ "%.4f"|format(d.mean_b) }}</td><td>{{ "%+.4f"|format(d.delta) }}</td>
<td>{{ "%.4f"|format(d.p_value) }}</td><td>{{ d.query_count }}</td></tr>
{% endfor %}</table>
<p>{{ c.metric }}: {{ c.improved_count }} queries better, {{ c.worsened_count }} worse,
{{ c.tie_count }} unchanged.</p>
{% for title, rows in [("Most improved", c.improved), ("Most worsened", c.worsened)] %}
{% if rows %}<h4>{{ title }} ({{ c.metric }})</h4>
<table><tr><th>query</th><th>A</th><th>B</th><th>B - A</th></tr>
{% for q in rows %}<tr><td><code>{{ q.query_id }}</code> {{ q.query or "" }}</td>
<td>{{ "%.4f"|format(q.a) }}</td><td>{{ "%.4f"|format(q.b) }}</td>
<td>{{ "%+.4f"|format(q.delta) }}</td></tr>
{% endfor %}</table>{% endif %}
{% endfor %}
{% endfor %}
<img alt="run vs run" src="data:image/png;base64,{{ images.compare }}">
{% endif %}
</body></html>
"""
)


def _fmt(run: EvalResult, metric: str, slice_name: str = "overall", value: str = "all") -> str:
    s = run.summary(metric, slice_name, value)
    return "-" if s is None else f"{s.mean:.4f} [{s.ci_low:.4f}, {s.ci_high:.4f}]"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    out = [
        "| " + " | ".join(esc(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return out


def _counts(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{r} {n}" for r, n in by_reason.items() if n)


def _failure_view(label: str, run: EvalResult) -> dict[str, Any]:
    """What the report shows of a run's failing queries."""
    summary = run.failure_summary()
    return {
        "label": label,
        "count": summary["count"],
        "reasons": _counts(summary["by_reason"]),
        "groups": [
            {
                "slice": g["slice"],
                "failing": f"{g['failing']}/{g['queries']}",
                "why": _counts(g["by_reason"]),
                "ids": ", ".join(g["query_ids"]),
            }
            for g in summary["groups"]
        ],
        "queries": summary["queries"],
    }


def _md_failures(failures: Sequence[dict[str, Any]]) -> list[str]:
    md = ["## Failing queries", ""]
    for f in failures:
        why = f" ({f['reasons']})" if f["reasons"] else ""
        md += [f"### {f['label']}: {f['count']} failing{why}", ""]
        if f["groups"]:
            md += _md_table(
                ["slice", "failing", "by reason", "queries"],
                [[g["slice"], g["failing"], g["why"], g["ids"]] for g in f["groups"]],
            )
            md.append("")
        if f["queries"]:
            md += _md_table(
                ["query", "reason", "why", "tags"],
                [
                    [q["query_id"], q["reason"], q["detail"], ", ".join(q["tags"])]
                    for q in f["queries"]
                ],
            )
            md.append("")
    return md


def write_report(
    runs: Sequence[EvalResult],
    output: Path,
    *,
    title: str | None = None,
    samples: int = 10000,
    seed: int = 13,
) -> ReportFiles:
    """Write ``report.html``, ``report.md`` and the plots for ``runs`` into ``output``.

    With two runs or more, each later run is compared with the first (paired
    randomisation test with ``samples`` sign flips and ``seed``).
    """
    if not runs:
        raise EvaluationError("a report needs at least one run")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    labels = [run_label(r, i) for i, r in enumerate(runs)]
    primary = runs[0].primary_metric
    metrics = list(dict.fromkeys(m for r in runs for m in r.metric_names))
    comparisons = [compare_runs(runs[0], other, samples=samples, seed=seed) for other in runs[1:]]
    figures: dict[str, Figure] = {
        "overall": overall_plot(runs, metrics),
        "slices": slices_plot(runs, primary),
        "per_query": per_query_plot(runs, primary),
    }
    if comparisons:
        figures["compare"] = compare_plot(comparisons)
    images: dict[str, str] = {}
    paths: list[Path] = []
    for name, fig in figures.items():
        path = output / f"{name}.png"
        images[name] = save_png(fig, path)
        paths.append(path)

    run_rows = [
        {
            "label": labels[i],
            "golden": f"{r.golden_name} {r.golden_version}",
            "retriever": r.retriever_kind,
            "k": r.k,
            "queries": len(r.per_query.get(r.primary_metric, {})),
            "seed": r.seed,
            "started": r.started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        for i, r in enumerate(runs)
    ]
    overall = [_Row(m, [_fmt(r, m) for r in runs]) for m in metrics]
    slice_table: list[_Row] = []
    for name, value, label in slice_rows(runs):
        if name == "overall":
            continue
        found = [sl for r in runs for sl in r.slices if sl.name == name and sl.value == value]
        slice_table.append(
            _Row(
                label,
                [_fmt(r, primary, name, value) for r in runs],
                max(sl.query_count for sl in found),
                any(sl.small for sl in found),
            )
        )
    failures = [_failure_view(labels[i], r) for i, r in enumerate(runs)]
    the_title = title or (
        f"provrag evaluation report: {', '.join(labels)}"
        if len(runs) <= 3
        else f"provrag evaluation report: {len(runs)} runs"
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = _HTML.render(
        title=the_title,
        generated=generated,
        runs=run_rows,
        overall=overall,
        slices=slice_table,
        primary=primary,
        images=images,
        comparisons=comparisons,
        failures=failures,
        reasons=FAILURE_REASONS,
    )
    html_path = output / HTML_FILE
    html_path.write_text(html, encoding="utf-8")

    md: list[str] = [
        f"# {the_title}",
        "",
        f"Generated {generated} by provrag. Means over "
        "queries with bootstrap 95% confidence intervals; small slices are marked.",
        "",
        "## Runs",
        "",
    ]
    md += _md_table(
        ["run", "golden set", "retriever", "k", "queries", "seed", "started"],
        [
            [str(r[c]) for c in ("label", "golden", "retriever", "k", "queries", "seed", "started")]
            for r in run_rows
        ],
    )
    md += ["", "## Metrics over all queries", ""]
    md += _md_table(["metric", *labels], [[row.label, *row.cells] for row in overall])
    md += ["", "![metrics over all queries](overall.png)", "", f"## {primary} per slice", ""]
    md += _md_table(
        ["slice", "queries", *labels],
        [
            [row.label + (" (small)" if row.small else ""), str(row.n), *row.cells]
            for row in slice_table
        ],
    )
    md += [
        "",
        f"![{primary} per slice](slices.png)",
        "",
        f"## Per-query distribution of {primary}",
        "",
        "![per-query distribution](per_query.png)",
        "",
    ]
    md += _md_failures(failures)
    for c in comparisons:
        md += [f"## Run vs run: {c.run_b} against {c.run_a}", ""]
        md += [f"note: {w}" for w in c.warnings]
        md += _md_table(
            ["metric", "A", "B", "B - A", "p", "queries"],
            [
                [
                    d.metric,
                    f"{d.mean_a:.4f}",
                    f"{d.mean_b:.4f}",
                    f"{d.delta:+.4f}",
                    f"{d.p_value:.4f}",
                    str(d.query_count),
                ]
                for d in c.deltas
            ],
        )
        md += [
            "",
            f"{c.metric}: {c.improved_count} queries better, {c.worsened_count} worse, "
            f"{c.tie_count} unchanged.",
            "",
        ]
        for heading, rows in (("Most improved", c.improved), ("Most worsened", c.worsened)):
            if rows:
                md += [f"### {heading} ({c.metric})", ""]
                md += _md_table(
                    ["query", "A", "B", "B - A"],
                    [
                        [
                            f"{q.query_id} {q.query or ''}".strip(),
                            f"{q.a:.4f}",
                            f"{q.b:.4f}",
                            f"{q.delta:+.4f}",
                        ]
                        for q in rows
                    ],
                )
                md.append("")
    if comparisons:
        md += ["![run vs run](compare.png)", ""]
    md_path = output / MD_FILE
    md_path.write_text("\n".join(md), encoding="utf-8")
    return ReportFiles(html_path, md_path, paths)
