"""Terminal rendering of ``provrag eval`` and its subcommands (rich tables on stdout,
missed gates and differences on stderr)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from provrag.commands.common import console, err_console

if TYPE_CHECKING:
    from evaluation.compare import Comparison
    from evaluation.gates import GateOutcome
    from evaluation.results import EvalResult
    from provrag.services.rerun import Rerun
    from provrag.settings import Settings


def print_gates(outcomes: Sequence[GateOutcome], *, quiet: bool) -> None:
    for o in outcomes:
        if o.passed and not quiet:
            console.print(f"[green]{escape(o.message())}[/]", highlight=False)
        elif not o.passed:
            err_console.print(f"[bold red]{escape(o.message())}[/]", highlight=False)


def _ci(s: Any) -> str:
    return f"{s.ci_low:.3f}-{s.ci_high:.3f}"


def print_result(result: EvalResult, run_dir: Path, settings: Settings | None = None) -> None:
    from rich.table import Table

    split = None if result.spec is None else result.spec.split
    console.print(
        f"[bold]run[/] {result.run_id}  golden "
        f"{escape(result.golden_name)} {escape(result.golden_version)} "
        f"{'' if split is None else f'split {split} '}"
        f"({len(result.qrels)} queries)  retriever {result.retriever_kind}  k {result.k}  "
        f"seed {result.seed}",
        highlight=False,
    )
    table = Table(title="over all queries", title_justify="left")
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("queries", justify="right")
    for name, summary in result.overall.items():
        table.add_row(name, f"{summary.mean:.4f}", _ci(summary), str(summary.query_count))
    console.print(table)
    primary = result.primary_metric
    shown = [
        m for m in (f"recall@{result.k}", f"synthetic_share@{result.k}") if m in result.overall
    ]
    slices = Table(
        title="per slice (small: fewer queries than evaluation.min_slice_queries)",
        title_justify="left",
    )
    slices.add_column("slice", overflow="fold")
    slices.add_column("n", justify="right")
    slices.add_column(primary, justify="right")
    slices.add_column("95% CI", justify="right", no_wrap=True)
    for m in shown:
        slices.add_column(m.replace("synthetic_share", "synth."), justify="right")
    for sl in result.slices:
        head = sl.metrics.get(primary)
        cells = [f"{sl.metrics[m].mean:.4f}" if m in sl.metrics else "-" for m in shown]
        label = escape(sl.label) + (" [dim](small)[/]" if sl.small else "")
        slices.add_row(
            label,
            str(sl.query_count),
            f"{head.mean:.4f}" if head else "-",
            _ci(head) if head else "-",
            *cells,
        )
    console.print(slices)
    print_failures(result)
    console.print(f"run files: {run_dir}", highlight=False, markup=False)


#: failing queries listed one by one (the rest are counted; --json lists them all)
FAILURES_SHOWN = 20


def print_failures(result: EvalResult) -> None:
    """The failing queries (reason, detail, tags) and, per slice, how many failed."""
    from rich.table import Table

    summary = result.failure_summary()
    if not summary["count"]:
        console.print("failing queries: none", highlight=False)
        return
    reasons = ", ".join(f"{r} {n}" for r, n in summary["by_reason"].items() if n)
    queries = Table(title=f"failing queries: {summary['count']} ({reasons})", title_justify="left")
    for column in ("query", "reason", "why", "tags"):
        queries.add_column(column, overflow="fold")
    for f in summary["queries"][:FAILURES_SHOWN]:
        queries.add_row(
            escape(f["query_id"]), f["reason"], escape(f["detail"]), escape(", ".join(f["tags"]))
        )
    console.print(queries)
    if summary["count"] > FAILURES_SHOWN:
        console.print(f"... and {summary['count'] - FAILURES_SHOWN} more (--json lists them all)")
    groups = Table(title="failing queries per slice", title_justify="left")
    for column in ("slice", "failing", "by reason"):
        groups.add_column(column, overflow="fold")
    for g in summary["groups"]:
        why = ", ".join(f"{r} {n}" for r, n in g["by_reason"].items())
        groups.add_row(escape(g["slice"]), f"{g['failing']}/{g['queries']}", why)
    console.print(groups)


def print_comparison(c: Comparison) -> None:
    from rich.table import Table

    for w in c.warnings:
        err_console.print(f"[yellow]note:[/] {escape(w)}", highlight=False)
    table = Table(
        title=f"B = {c.run_b} against A = {c.run_a} (paired randomisation test, "
        f"{c.samples} sign flips)",
        title_justify="left",
    )
    for col in ("metric", "A", "B", "B - A", "p", "queries"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for d in c.deltas:
        colour = "green" if d.delta > 0 else "red" if d.delta < 0 else "white"
        mark = " *" if d.p_value < 0.05 else ""
        table.add_row(
            d.metric,
            f"{d.mean_a:.4f}",
            f"{d.mean_b:.4f}",
            f"[{colour}]{d.delta:+.4f}[/]",
            f"{d.p_value:.4f}{mark}",
            str(d.query_count),
        )
    console.print(table)
    console.print(
        f"{c.metric}: {c.improved_count} queries better, {c.worsened_count} worse, "
        f"{c.tie_count} unchanged (* p < 0.05)",
        highlight=False,
    )
    for title, rows in (("better", c.improved), ("worse", c.worsened)):
        if not rows:
            continue
        t = Table(title=f"most {title} on {c.metric}", title_justify="left")
        for col in ("query", "A", "B", "B - A", "text"):
            t.add_column(col, justify="right" if col in ("A", "B", "B - A") else "left")
        for q in rows:
            t.add_row(
                escape(q.query_id),
                f"{q.a:.4f}",
                f"{q.b:.4f}",
                f"{q.delta:+.4f}",
                escape((q.query or "")[:70]),
            )
        console.print(t)


def print_rerun(outcome: Rerun) -> None:
    from rich.table import Table

    diff = outcome.differences
    table = Table(
        title=f"run {outcome.run_id} (recorded) and its re-run {outcome.new.run_id}",
        title_justify="left",
    )
    for col in ("number", "recorded", "re-run", ""):
        table.add_column(col, justify="left" if col == "number" else "right")
    keys = sorted(set(outcome.before) | set(outcome.after))
    # the overall means, and every number that differs (slices: counted, not listed)
    for key in keys:
        if key not in diff and not (key.startswith("overall ") and key.endswith(" mean")):
            continue
        a, b = outcome.before.get(key), outcome.after.get(key)
        same = key not in diff
        table.add_row(
            escape(key),
            "-" if a is None else repr(a),
            "-" if b is None else repr(b),
            "[green]same[/]" if same else "[bold red]DIFFERENT[/]",
        )
    console.print(table)
    if outcome.identical:
        console.print(
            f"[green]identical:[/] all {len(keys)} numbers (means and interval bounds) are equal",
            highlight=False,
        )
    else:
        err_console.print(
            f"[bold red]{len(diff)} of {len(keys)} numbers differ[/] (did the "
            "index or the graph change since the run?)",
            highlight=False,
        )


def print_runs(rows: Sequence[dict[str, Any]]) -> None:
    """The recorded runs (``provrag eval list``), one a row."""
    from rich.table import Column, Table

    table = Table("golden set", "retriever", "k", "nDCG@k", "started")
    table.columns.insert(0, Column("run", no_wrap=True))
    for r in rows:
        ndcg = "-" if r["ndcg"] is None else f"{r['ndcg']:.4f}"
        started = str(r["started"] or "-").replace("T", " ")[:19]
        table.add_row(
            escape(r["run_id"]),
            escape(f"{r['golden']} {r['golden_version']}"),
            str(r["retriever"]),
            str(r["k"]),
            ndcg,
            started,
        )
    console.print(table)
