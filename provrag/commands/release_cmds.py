"""``provrag release`` (create, approve, list, show, diff, promote, rollback) and
``provrag lineage stale``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from kg.typing import RetrieverMode
from provrag.commands.common import console, open_session
from provrag.exit_codes import ExitCode


def _paragraphs(*paras: str) -> str:
    return "\n\n".join(" ".join(p.split()) for p in paras)


RELEASE_HELP = _paragraphs(
    """Releases: immutable, named selections of sample revisions that someone approves and
    that search, ask, trace and eval serve.""",
    """create NAME --dataset D [--version V]... [--golden G] [--gate 'ndcg@10>=0.7']...:
    the revisions of each version (or the dataset's current samples), their own index
    under <home>/releases/NAME/, an evaluation run and its gates, recorded as a pr:Release.
    A name is used once: creating it again exits 2. A missed gate: the release is created,
    exit 2, and it can be approved only with --override and a --note.""",
    """approve NAME --by PERSON [--note] [--override]; promote NAME --by PERSON [--reason]
    (approved releases only: else exit 2, nothing changed); rollback --by PERSON
    [--reason] serves the previous one again; list; show NAME; diff A B. --json on each.""",
)

JsonOut = Annotated[bool, typer.Option("--json", help="machine-readable output on stdout")]
By = Annotated[str, typer.Option("--by", help="the person doing it (recorded)")]


def register(app: typer.Typer) -> None:
    release_app = typer.Typer(help=RELEASE_HELP, no_args_is_help=True)
    release_app.command("create")(create)
    release_app.command("approve")(approve)
    release_app.command("list")(list_cmd)
    release_app.command("show")(show)
    release_app.command("diff")(diff)
    release_app.command("promote")(promote)
    release_app.command("rollback")(rollback)
    app.add_typer(release_app, name="release")
    lineage_app = typer.Typer(
        help="Lineage impact: what was made from data that has changed since.",
        no_args_is_help=True,
    )
    lineage_app.command("stale")(stale)
    app.add_typer(lineage_app, name="lineage")


def _echo(payload: Any) -> None:  # noqa: ANN401 - JSON-able
    typer.echo(json.dumps(payload, indent=2, default=str))


def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the release name (unique)")],
    dataset: Annotated[str, typer.Option("--dataset", help="dataset to release")],
    version: Annotated[
        list[str] | None,
        typer.Option("--version", help="dataset version (repeatable; default: current samples)"),
    ] = None,
    golden: Annotated[
        str | None, typer.Option("--golden", help="golden set (path or NAME[@VERSION])")
    ] = None,
    gate: Annotated[
        list[str] | None,
        typer.Option("--gate", help="KPI gate, e.g. 'ndcg@10>=0.7' (repeatable; needs --golden)"),
    ] = None,
    retriever: Annotated[
        RetrieverMode | None, typer.Option("--retriever", help="retriever of the evaluation")
    ] = None,
    json_out: JsonOut = False,
) -> None:
    """Create a release: select its sample revisions, build its index, evaluate, record."""
    from provrag.commands.eval_render import print_gates
    from provrag.commands.progress import stages
    from provrag.services.releasing import create_release

    with open_session(ctx) as session, stages(quiet=json_out) as bar:
        outcome = create_release(
            session, name, dataset=dataset, versions=version or (),
            golden=golden,
            gates=gate or (), mode=retriever, index_progress=bar.counted("embedding"),
        )  # fmt: skip
    if json_out:
        _echo(outcome.to_dict())
    else:
        console.print(
            f"release [bold]{outcome.name}[/]: {outcome.members} sample revision(s) of "
            f"{outcome.dataset} {', '.join(outcome.versions) or '(current)'}, manifest "
            f"{outcome.manifest_hash[:16]}, index in {outcome.directory}",
            highlight=False,
        )
        if outcome.run_ids:
            console.print(f"evaluation run: {', '.join(outcome.run_ids)}", highlight=False)
    print_gates(outcome.gates, quiet=json_out)
    if not outcome.gates_passed:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def approve(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the release")],
    by: By,
    note: Annotated[str | None, typer.Option("--note", help="a note (recorded)")] = None,
    override: Annotated[
        bool, typer.Option("--override", help="approve although a gate failed (needs --note)")
    ] = False,
    json_out: JsonOut = False,
) -> None:
    """Record a person's approval of a release (a failed gate needs --override and --note)."""
    from provrag.services.releasing import approve as approve_service

    with open_session(ctx) as session:
        outcome = approve_service(session, name, by=by, note=note, override=override)
    if json_out:
        _echo(outcome.to_dict())
        return
    extra = " (overriding a failed gate)" if outcome.override else ""
    console.print(f"release {name} approved by {by}{extra}", highlight=False, markup=False)


def list_cmd(ctx: typer.Context, json_out: JsonOut = False) -> None:
    """List the releases: dataset, members, gates, approval, which one is served."""
    from provrag.services.release_views import list_releases

    with open_session(ctx, recover=False) as session:
        rows = list_releases(session)
    if json_out:
        _echo(rows)
        return
    if not rows:
        console.print("no releases yet (provrag release create NAME --dataset D)")
        return
    for r in rows:
        state = ("approved" if r["approved"] else "not approved") + (
            "" if r["gates_passed"] else ", gate failed"
        )
        served = "  <- served" if r["served"] else ""
        console.print(
            f"{r['name']}  {r['dataset']} {', '.join(r['versions']) or '(current)'}  "
            f"{r['members']} samples  {state}  {r['created']}{served}",
            highlight=False,
            markup=False,
        )


def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the release")],
    json_out: JsonOut = False,
) -> None:
    """Show a release: members, index, runs, gates, approvals, stale share."""
    from provrag.services.release_views import show_release

    with open_session(ctx, recover=False) as session:
        info = show_release(session, name)
    if json_out:
        _echo(info)
        return
    lines = [
        f"release {info['name']} ({info['iri']})",
        f"  dataset {info['dataset']} {', '.join(info['versions']) or '(current samples)'}, "
        f"created {info['created']}, {info['members']} sample revisions, "
        f"manifest {info['manifest_hash']}",
        f"  index {info['index']['directory']} ({info['index']['count']} samples)",
        f"  served by default: {'yes' if info['served'] else 'no'}",
        f"  stale: {info['stale']} of {info['members']} ({info['stale_share']:.1%}) derived "
        "from samples revised or deleted since",
    ]
    lines += [f"  run {r}" for r in info["runs"]]
    lines += [
        f"  gate {g['gate']}: {'passed' if g['passed'] else 'FAILED'} (value {g['value']})"
        for g in info["gates"]
    ]
    lines += [
        f"  approved by {a['by']} at {a['at']}"
        + (" (override)" if a["override"] else "")
        + (f": {a['note']}" if a["note"] else "")
        for a in info["approvals"]
    ] or ["  not approved"]
    for line in lines:
        console.print(line, highlight=False, markup=False)


def diff(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="the earlier release")],
    b: Annotated[str, typer.Argument(help="the later release")],
    json_out: JsonOut = False,
) -> None:
    """Samples added / removed / revised from A to B (by origin and generator config),
    and metric deltas with paired p-values."""
    from provrag.services.release_views import diff_releases

    with open_session(ctx, recover=False) as session:
        payload = diff_releases(session, a, b).to_dict()
    if json_out:
        _echo(payload)
        return
    for what in ("added", "removed", "revised"):
        part = payload[what]
        console.print(
            f"{what}: {part['count']}  by origin {part['origin']}  by generator config "
            f"{part['generator_config']}",
            highlight=False,
            markup=False,
        )
    console.print(f"unchanged: {payload['unchanged']}", highlight=False)
    for m in payload["metrics"]:
        console.print(
            f"{m['metric']}: {m['a']:.4f} -> {m['b']:.4f} ({m['delta']:+.4f}, paired p = "
            f"{m['p_value']:.4f}, {m['queries']} queries)",
            highlight=False,
            markup=False,
        )
    for w in payload["warnings"]:
        console.print(f"[dim]note:[/] {w}", highlight=False)


def promote(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the approved release to serve")],
    by: By,
    reason: Annotated[str | None, typer.Option("--reason", help="why (recorded)")] = None,
    json_out: JsonOut = False,
) -> None:
    """Serve an approved release by default (an unapproved one: exit 2, nothing changed)."""
    from provrag.services.serving import promote as promote_service

    with open_session(ctx) as session:
        outcome = promote_service(session, name, by=by, note=reason)
    if json_out:
        _echo(outcome.to_dict())
        return
    was = f" (was {outcome.replaced})" if outcome.replaced else ""
    console.print(f"release {name} is served by default{was}", highlight=False, markup=False)


def rollback(
    ctx: typer.Context,
    by: By,
    reason: Annotated[str | None, typer.Option("--reason", help="why (recorded)")] = None,
    json_out: JsonOut = False,
) -> None:
    """Serve the previous approved release again (recorded with who and why)."""
    from provrag.services.serving import rollback as rollback_service

    with open_session(ctx) as session:
        outcome = rollback_service(session, by=by, note=reason)
    if json_out:
        _echo(outcome.to_dict())
        return
    console.print(
        f"rolled back from {outcome.replaced} to {outcome.release}",
        highlight=False,
        markup=False,
    )


def stale(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option("--dataset", help="only this dataset")] = None,
    json_out: JsonOut = False,
) -> None:
    """Synthetic samples whose derived_from sources were revised or deleted after they
    were generated, and golden items whose relevant samples were."""
    from provrag.services.lineage_impact import stale_report

    with open_session(ctx, recover=False) as session:
        report = stale_report(session, dataset)
    if json_out:
        _echo(report.to_dict())
        return
    console.print(
        f"{len(report.samples)} stale synthetic sample(s), {len(report.golden_items)} golden "
        "item(s) judging revised or deleted samples",
        highlight=False,
    )
    for s in report.samples:
        console.print(
            f"  {s.external_id}: source {s.source_id} {s.reason}"
            + (f" ({s.generator} prompt v{s.prompt_version})" if s.generator else ""),
            highlight=False,
            markup=False,
        )
    for g in report.golden_items:
        console.print(
            f"  golden {g.golden_set} {g.query_id}: {g.sample_id} {g.reason}",
            highlight=False,
            markup=False,
        )
