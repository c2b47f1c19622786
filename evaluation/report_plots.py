"""The plots of an evaluation report (:mod:`evaluation.report`), as matplotlib figures.

- :func:`overall_plot`: every metric per run, with bootstrap 95% intervals;
- :func:`slices_plot`: one metric per slice with intervals, small slices drawn
  hollow and marked;
- :func:`per_query_plot`: the distribution of a per-query metric (histogram and
  box plot per run);
- :func:`compare_plot`: the difference of every metric of each later run against
  the first, with paired randomisation p-values.

Plots use matplotlib's object API (no pyplot, no global backend switch).
"""

from __future__ import annotations

import base64
import inspect
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from evaluation.compare import Comparison
from evaluation.results import EvalResult

#: colours of successive runs (colour-blind safe, Okabe & Ito)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def run_label(run: EvalResult, i: int) -> str:
    """How run number ``i`` (from 0) is named in plots and tables: its id, else ``run i+1``."""
    return run.run_id or f"run {i + 1}"


def save_png(fig: Figure, path: Path) -> str:
    """Write ``fig`` as a PNG file at ``path``; the same PNG in base64 (for inline HTML)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = buf.getvalue()
    path.write_bytes(data)
    return base64.b64encode(data).decode("ascii")


def overall_plot(runs: Sequence[EvalResult], metrics: list[str]) -> Figure:
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
            label=run_label(run, i),
        )
    ax.set_xticks(x, metrics, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean over queries (95% CI)")
    ax.set_title("Metrics over all queries")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def slice_rows(runs: Sequence[EvalResult]) -> list[tuple[str, str, str]]:
    """(slice name, slice value, label) of every slice any run has, overall first."""
    rows: dict[tuple[str, str], str] = {("overall", "all"): "overall"}
    for run in runs:
        for s in run.slices:
            rows.setdefault((s.name, s.value), s.label)
    return [(n, v, label) for (n, v), label in rows.items()]


def slices_plot(runs: Sequence[EvalResult], metric: str) -> Figure:
    rows = slice_rows(runs)
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
                label=run_label(run, i) if j == 0 else None,
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


def per_query_plot(runs: Sequence[EvalResult], metric: str) -> Figure:
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
            label=run_label(run, i),
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
    box.set_yticks(
        range(1, len(runs) + 1), [run_label(r, i) for i, r in enumerate(runs)], fontsize=8
    )
    box.set_xlabel(f"per-query {metric}")
    box.set_title("Box plot (triangle = mean)")
    return fig


def compare_plot(comparisons: Sequence[Comparison]) -> Figure:
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
