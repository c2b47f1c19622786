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

Plots use matplotlib's object API (no pyplot, no global backend switch).
"""

from __future__ import annotations

import base64
import inspect
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from matplotlib.figure import Figure

from evaluation.compare import Comparison, compare_runs
from evaluation.errors import EvaluationError
from evaluation.results import EvalResult

HTML_FILE = "report.html"
MD_FILE = "report.md"
#: colours of successive runs (colour-blind safe, Okabe & Ito)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


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


def _label(run: EvalResult, i: int) -> str:
    return run.run_id or f"run {i + 1}"


def _png(fig: Figure, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = buf.getvalue()
    path.write_bytes(data)
    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------- plots


def _overall_plot(runs: Sequence[EvalResult], metrics: list[str]) -> Figure:
    fig = Figure(
        figsize=(max(6.0, 0.9 * len(metrics) * max(1, len(runs)) + 2), 4.2), layout="constrained"
    )
    ax = fig.add_subplot()
    width = 0.8 / len(runs)
    x = np.arange(len(metrics))
    for i, run in enumerate(runs):
        means = [run.overall[m].mean if m in run.overall else np.nan for m in metrics]
        low = [
            run.overall[m].mean - run.overall[m].ci_low if m in run.overall else 0.0
            for m in metrics
        ]
        high = [
            run.overall[m].ci_high - run.overall[m].mean if m in run.overall else 0.0
            for m in metrics
        ]
        ax.bar(
            x + (i - (len(runs) - 1) / 2) * width,
            means,
            width,
            yerr=[low, high],
            capsize=3,
            color=PALETTE[i % len(PALETTE)],
            label=_label(run, i),
        )
    ax.set_xticks(x, metrics, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean over queries (95% CI)")
    ax.set_title("Metrics over all queries")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _slice_rows(runs: Sequence[EvalResult]) -> list[tuple[str, str, str]]:
    """(slice name, slice value, label) of every slice any run has, overall first."""
    rows: dict[tuple[str, str], str] = {("overall", "all"): "overall"}
    for run in runs:
        for s in run.slices:
            rows.setdefault((s.name, s.value), s.label)
    return [(n, v, label) for (n, v), label in rows.items()]


def _slices_plot(runs: Sequence[EvalResult], metric: str) -> Figure:
    rows = _slice_rows(runs)
    fig = Figure(
        figsize=(7.5, max(2.5, 0.26 * len(rows) * (1 + 0.4 * (len(runs) - 1)) + 1.2)),
        layout="constrained",
    )
    ax = fig.add_subplot()
    step = 0.7 / max(1, len(runs))
    y = np.arange(len(rows))[::-1].astype(float)
    for i, run in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        for j, (name, value, _) in enumerate(rows):
            s = run.summary(metric, name, value)
            if s is None:
                continue
            small = any(sl.small for sl in run.slices if sl.name == name and sl.value == value)
            yy = y[j] + ((len(runs) - 1) / 2 - i) * step
            ax.errorbar(
                s.mean,
                yy,
                xerr=[[s.mean - s.ci_low], [s.ci_high - s.mean]],
                fmt="o",
                color=colour,
                capsize=3,
                markerfacecolor="white" if small else colour,
                label=_label(run, i) if j == 0 else None,
            )
    labels = []
    for name, value, label in rows:
        n = max(
            (
                sl.query_count
                for r in runs
                for sl in r.slices
                if sl.name == name and sl.value == value
            ),
            default=None,
        )
        small = any(
            sl.small for r in runs for sl in r.slices if sl.name == name and sl.value == value
        )
        suffix = f" (n={n}{', small' if small else ''})" if n is not None else ""
        labels.append(label + suffix)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"{metric} (95% CI); hollow = small slice")
    ax.set_title(f"{metric} per slice")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _per_query_plot(runs: Sequence[EvalResult], metric: str) -> Figure:
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    hist, box = fig.subplots(1, 2)
    bins = np.linspace(0, 1, 21)
    data = []
    for i, run in enumerate(runs):
        values = np.array(list(run.per_query.get(metric, {}).values()), dtype=float)
        data.append(values)
        hist.hist(
            values,
            bins=bins,
            histtype="step",
            linewidth=1.8,
            color=PALETTE[i % len(PALETTE)],
            label=_label(run, i),
        )
    hist.set_xlabel(f"per-query {metric}")
    hist.set_ylabel("queries")
    hist.set_title("Distribution over queries")
    hist.legend(fontsize=8)
    # matplotlib 3.10 renamed vert=False to orientation="horizontal"
    horizontal: dict[str, Any] = (
        {"orientation": "horizontal"}
        if "orientation" in inspect.signature(box.boxplot).parameters
        else {"vert": False}
    )
    box.boxplot(data, showmeans=True, **horizontal)
    box.set_yticks(range(1, len(runs) + 1), [_label(r, i) for i, r in enumerate(runs)], fontsize=8)
    box.set_xlabel(f"per-query {metric}")
    box.set_title("Box plot (triangle = mean)")
    return fig


def _compare_plot(comparisons: Sequence[Comparison]) -> Figure:
    metrics = list(dict.fromkeys(d.metric for c in comparisons for d in c.deltas))
    fig = Figure(
        figsize=(max(6.0, 0.8 * len(metrics) * len(comparisons) + 2), 4.2), layout="constrained"
    )
    ax = fig.add_subplot()
    width = 0.8 / len(comparisons)
    x = np.arange(len(metrics))
    for i, comp in enumerate(comparisons):
        deltas = [comp.delta(m) for m in metrics]
        values = [d.delta if d else 0.0 for d in deltas]
        xs = x + (i - (len(comparisons) - 1) / 2) * width
        bars = ax.bar(
            xs,
            values,
            width,
            color=PALETTE[(i + 1) % len(PALETTE)],
            label=f"{comp.run_b} - {comp.run_a}",
        )
        for bar, d in zip(bars, deltas, strict=True):
            if d is None:
                continue
            mark = "*" if d.p_value < 0.05 else ""
            ax.annotate(
                f"p={d.p_value:.3f}{mark}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom" if d.delta >= 0 else "top",
                fontsize=7,
            )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, metrics, rotation=30, ha="right")
    ax.set_ylabel("difference of means (later run - first run)")
    ax.set_title("Run vs run (paired randomisation test; * p < 0.05)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


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
    labels = [_label(r, i) for i, r in enumerate(runs)]
    primary = runs[0].primary_metric
    metrics = list(dict.fromkeys(m for r in runs for m in r.metric_names))
    comparisons = [compare_runs(runs[0], other, samples=samples, seed=seed) for other in runs[1:]]
    figures: dict[str, Figure] = {
        "overall": _overall_plot(runs, metrics),
        "slices": _slices_plot(runs, primary),
        "per_query": _per_query_plot(runs, primary),
    }
    if comparisons:
        figures["compare"] = _compare_plot(comparisons)
    images: dict[str, str] = {}
    paths: list[Path] = []
    for name, fig in figures.items():
        path = output / f"{name}.png"
        images[name] = _png(fig, path)
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
    slice_rows: list[_Row] = []
    for name, value, label in _slice_rows(runs):
        if name == "overall":
            continue
        found = [sl for r in runs for sl in r.slices if sl.name == name and sl.value == value]
        slice_rows.append(
            _Row(
                label,
                [_fmt(r, primary, name, value) for r in runs],
                max(sl.query_count for sl in found),
                any(sl.small for sl in found),
            )
        )
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
        slices=slice_rows,
        primary=primary,
        images=images,
        comparisons=comparisons,
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
            for row in slice_rows
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
