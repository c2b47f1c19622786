"""``provrag coverage`` and ``provrag alerts``: the synthetic coverage monitor and the
risk log (threshold breaches recorded as alerts)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kg.queries.monitors import AlertRecord
    from provrag.services.coverage import CoverageOutcome

#: clusters, ids and configurations listed on the terminal
SHOW = 10

ALERTS_HELP = (
    "List the risk log: every threshold breach (KPI gate, coverage, drift, agreement) "
    "recorded as a pr:Alert, newest first, with its notes. Subcommand: note ID TEXT."
)


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage)
    alerts_app = typer.Typer(help=ALERTS_HELP, no_args_is_help=False)
    alerts_app.callback(invoke_without_command=True)(alerts)
    alerts_app.command("note", help="Add a note to an alert (what was done about it).")(note)
    app.add_typer(alerts_app, name="alerts")


def coverage(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="dataset name")],
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            "-t",
            min=-1.0,
            max=1.0,
            help="cosine similarity at which a synthetic sample covers a real one "
            "(default: monitors.coverage_neighbour)",
        ),
    ] = None,
    golden: Annotated[
        str | None,
        typer.Option("--golden", "-g", help="also the queries of this golden set (PATH or NAME)"),
    ] = None,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="do not record the run (nor alerts) in the graph")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the JSON report only")] = False,
) -> None:
    """Synthetic coverage of a dataset: the share of real samples (and golden queries)
    with a synthetic neighbour within a cosine threshold; the real clusters with no
    synthetic neighbour, named by their most frequent entities and labels (where to
    generate next); synthetic samples far from every real one, by generator
    configuration (possible generator artefacts).

    Vectors are the index's (texts it lacks are embedded). The run is recorded in the
    graph (pr:MonitorRun, monitor "coverage"); a share below monitors.min_real_covered
    or monitors.min_golden_covered is recorded as an alert."""
    from provrag.commands.common import echo_outcome, open_graph, settings_of
    from provrag.services.coverage import coverage as coverage_service

    with open_graph(ctx) as kg:
        outcome = coverage_service(
            settings_of(ctx),
            kg,
            dataset,
            golden=golden,
            neighbour=threshold,
            record=not no_record,
        )
    echo_outcome(outcome, json_out, _print_coverage, ensure_ascii=False)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _print_coverage(outcome: CoverageOutcome) -> None:
    from rich.table import Table

    from provrag.commands.common import console

    r = outcome.report
    t = r.thresholds
    console.print(
        f"[bold]synthetic coverage of {r.dataset}[/] (neighbour: cosine >= {t.neighbour:g})",
        highlight=False,
    )
    console.print(
        f"real samples covered: {r.real_covered}/{r.real} ({_pct(r.real_covered_share)}); "
        f"synthetic samples: {r.synthetic}",
        highlight=False,
    )
    if r.golden is not None:
        console.print(
            f"golden queries covered: {r.golden_covered}/{r.golden} "
            f"({_pct(r.golden_covered_share)})",
            highlight=False,
        )
    table = Table(
        title=f"uncovered real clusters: where to generate next ({len(r.uncovered)})",
        title_justify="left",
    )
    for col in ("size", "named by (entities, labels)", "samples"):
        table.add_column(col, overflow="fold")
    for c in r.uncovered[:SHOW]:
        more = f" +{c.size - 5}" if c.size > 5 else ""
        table.add_row(str(c.size), c.name, ", ".join(c.sample_ids[:5]) + more)
    console.print(table)
    far = Table(
        title=f"synthetic samples far from every real one (cosine < {t.far:g})",
        title_justify="left",
    )
    for col in ("generator config", "far", "of", "samples"):
        far.add_column(col, overflow="fold")
    for f in r.far[:SHOW]:
        far.add_row(f.config, str(f.count), str(f.of), ", ".join(f.sample_ids[:5]))
    console.print(far)
    if outcome.run_id:
        console.print(f"recorded: monitor run {outcome.run_id}", highlight=False)
    for aid in outcome.alerts:
        console.print(f"[bold red]alert[/] {aid}", highlight=False)


def alerts(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from provrag.commands.common import open_graph
    from provrag.services.alerts import list_alerts

    with open_graph(ctx) as kg:
        rows = list_alerts(kg)
    if json_out:
        typer.echo(json.dumps([_alert_json(a) for a in rows], indent=2, ensure_ascii=False))
        return
    _print_alerts(rows)


def _alert_json(a: AlertRecord) -> dict[str, object]:
    payload = a.model_dump(mode="json")
    payload["note"] = a.notes[-1].text if a.notes else None
    return payload


def _print_alerts(rows: list[AlertRecord]) -> None:
    from rich.table import Table

    from provrag.commands.common import console

    table = Table(title=f"alerts ({len(rows)})", title_justify="left")
    for col in ("id", "time", "monitor", "message", "note"):
        table.add_column(col, overflow="fold")
    for a in rows:
        table.add_row(
            a.alert_id,
            a.time.strftime("%Y-%m-%d %H:%M"),
            a.monitor,
            a.message,
            a.notes[-1].text if a.notes else "",
        )
    console.print(table)


def note(
    ctx: typer.Context,
    alert_id: Annotated[str, typer.Argument(help="the alert's id (see provrag alerts)")],
    text: Annotated[str, typer.Argument(help="the note")],
    by: Annotated[str | None, typer.Option("--by", help="who writes the note")] = None,
) -> None:
    from provrag.commands.common import console, open_graph
    from provrag.services.alerts import note_alert

    with open_graph(ctx) as kg:
        iri = note_alert(kg, alert_id, text, by=by)
    console.print(f"noted: {iri}", highlight=False, markup=False)
