"""``provrag eval`` (run, compare, rerun, list) and ``provrag report``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.typing import Clearance, RetrieverMode
from provrag.commands.common import console, open_graph, settings_of, usage_error
from provrag.commands.progress import counted
from provrag.exit_codes import ExitCode

if TYPE_CHECKING:
    from evaluation.results import EvalResult
    from provrag.services.beir import BeirIngest


def _paragraphs(*paras: str) -> str:
    return "\n\n".join(" ".join(p.split()) for p in paras)


EVAL_HELP = _paragraphs(
    "Evaluate a retriever against an expert golden set (or a BEIR dataset), sliced by provenance.",
    """--golden takes a golden set .jsonl file (with its .meta.json; checked against the
    samples of its dataset and ingested into the graph as a versioned GoldenSet, again a
    no-op) or the NAME (NAME@VERSION) of one already ingested. --beir DIR ingests a BEIR
    dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) as a dataset named after the
    directory (documents embedded as "title text", as MTEB does; entities extracted only
    for a retriever that uses the entity graph, -r enriched), indexes it and scores the
    split's queries against its qrels, ignoring a hit whose id is the query's own id
    (BEIR's convention).""",
    """Prints nDCG, recall, precision, MRR, MAP and hit rate at each -k (repeatable; the
    first is the primary cutoff) with bootstrap 95% intervals, overall and per slice (tag,
    origin of the gold passages, generator / prompt version, author, annotator), and the
    share of synthetic samples in the top k. Slices with fewer than
    evaluation.min_slice_queries queries are marked small. The run is written to
    <home>/runs/<run id>/ (run.trec, qrels.trec, metrics.json) and recorded in the graph.""",
    """Clearance defaults to restricted: an expert's golden set may cite restricted samples
    (use --clearance to score what a less cleared caller would see).""",
    """KPI gates: evaluation.gates in the settings and --gate 'ndcg@10>=0.6' /
    --gate 'ndcg@10\\[origin=real]>=0.6' (repeatable). Exit codes: 0 done and every gate met;
    2 a gate missed (the message names metric, slice, value and threshold); 1 error.""",
    "Subcommands: compare RUN_A RUN_B, rerun RUN_ID, list.",
)

COMPARE_HELP = _paragraphs(
    "Compare two recorded runs: B - A for every metric both computed, over their common "
    "queries, with a paired randomisation test p-value; and the queries that got better and "
    "worse on --metric (default nDCG@k of A).",
)

RERUN_HELP = _paragraphs(
    "Re-create a recorded run from its graph record (same golden set version, retriever kind "
    "and settings, k, seed) and check that every number is identical.",
    "Prints the recorded and the new numbers; exit 2 if any differs (e.g. the index changed "
    "since), 0 if all are identical, 1 on an error. The re-run is recorded as a new run.",
)

REPORT_HELP = _paragraphs(
    "Write an HTML and a Markdown report of one or more recorded runs, with plots: metrics "
    "with confidence intervals, the primary metric per slice, the per-query distribution and, "
    "for two runs or more, each run against the first (differences and p-values).",
    "Default output: <home>/reports/<run ids>/ (report.html, report.md and the PNG plots).",
    """--dashboard (no run ids): one self-contained HTML page of every monitor instead
    (default <home>/reports/dashboard.html, or --out FILE): evaluation runs with intervals
    per slice, synthetic share, label agreement and drift per dataset version, coverage,
    synthetic test set validation, alerts. Building it runs the agreement and drift
    monitors (recorded in the graph; a threshold breach is an alert). --export DIR writes
    each monitor's tidy table as Parquet (CSV when pyarrow is missing).""",
)


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(help=EVAL_HELP, no_args_is_help=False)
    eval_app.callback(invoke_without_command=True)(eval_main)
    eval_app.command("compare", help=COMPARE_HELP)(compare)
    eval_app.command("rerun", help=RERUN_HELP)(rerun)
    eval_app.command("list", help="List the recorded evaluation runs.")(list_runs)
    app.add_typer(eval_app, name="eval")
    app.command("report", help=REPORT_HELP)(report)


# --------------------------------------------------------------------------- eval


def eval_main(
    ctx: typer.Context,
    golden: Annotated[
        str | None,
        typer.Option(
            "--golden",
            "-g",
            help="golden set: a .jsonl PATH, or NAME or NAME@VERSION of one ingested before",
        ),
    ] = None,
    beir: Annotated[
        Path | None, typer.Option("--beir", help="a BEIR dataset directory to evaluate end to end")
    ] = None,
    split: Annotated[str, typer.Option("--split", help="BEIR qrels split")] = "test",
    retriever: Annotated[
        RetrieverMode | None,
        typer.Option("--retriever", "-r", help="retriever kind (default: settings retrieval.mode)"),
    ] = None,
    k: Annotated[
        list[int] | None,
        typer.Option(
            "-k", "--k", min=1, help="cutoff(s), repeatable; the first is primary (default 10)"
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            help="metric(s) instead of the default set, e.g. ndcg@10, recall@100 (repeatable)",
        ),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", min=1, help="results asked per query (default max(100, k))"),
    ] = None,
    clearance: Annotated[
        Clearance,
        typer.Option(
            "--clearance",
            help="caller clearance; restricted by default, since "
            "golden sets may cite restricted samples",
        ),
    ] = "restricted",
    gate: Annotated[
        list[str] | None,
        typer.Option(
            "--gate",
            help="KPI gate, e.g. 'ndcg@10>=0.6' or "
            "'ndcg@10\\[origin=real]>=0.6' (repeatable; exit 2 when missed)",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="bootstrap seed (default: evaluation.seed)")
    ] = None,
    answers: Annotated[
        bool, typer.Option("--answers", help="also answer items with gold answers (EM, token F1)")
    ] = False,
    keep_identical: Annotated[
        bool,
        typer.Option("--keep-identical-ids", help="BEIR: keep a hit whose id is the query id"),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="evaluate what this release serves ('current': the current samples; "
            "default for --golden: settings release.serve, else the release promoted last)",
            show_default=False,
        ),
    ] = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if (golden is None) == (beir is None):
        both = "both" if golden is not None else "neither"
        usage_error(f"give exactly one of --golden NAME|PATH or --beir DIR (got {both})", ctx)
    from provrag.commands.eval_render import print_gates, print_result
    from provrag.services.eval_outcome import EvalOutcome, gates_for
    from provrag.services.evaluating import EvalOptions, evaluate
    from provrag.services.golden import resolve_golden

    settings = settings_of(ctx)
    gates = gates_for(settings, gate or [])
    options = EvalOptions(
        retriever_kind=retriever,
        ks=k or [10],
        metrics=metric or None,
        depth=depth,
        clearance=clearance,
        seed=seed,
        answers=answers,
        ignore_identical_ids=beir is not None and not keep_identical,
    )
    beir_info: BeirIngest | None = None
    result: EvalResult
    with open_graph(ctx) as kg:
        if beir is not None:
            from provrag.commands.progress import stages
            from provrag.services.session import CURRENT, Session

            if release not in (None, CURRENT):
                options = replace(options, release=Session(settings, kg).release(release))
            from provrag.services.beir import evaluate_beir, uses_entity_graph

            what = "ingesting the corpus" + (
                " (with entities)" if uses_entity_graph(settings, options.retriever_kind) else ""
            )
            with stages(quiet=json_out) as bar:
                result, beir_info = evaluate_beir(
                    settings,
                    kg,
                    beir,
                    options,
                    split=split,
                    ingest_progress=bar.records(what),
                    index_progress=bar.counted("embedding the corpus"),
                    progress=bar.counted("queries"),
                )
        elif golden is not None:  # always: exactly one of the two is set (checked above)
            from provrag.services.session import Session

            served = Session(settings, kg).release(release)
            options = replace(options, release=served)
            with counted("queries", quiet=json_out) as progress:
                golden_set = resolve_golden(kg, golden)
                result = evaluate(settings, kg, golden_set, options, progress=progress)
        outcome = EvalOutcome.of(settings, result, gates, beir_info, kg=kg)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        print_result(result, outcome.run_dir, settings)
    print_gates(outcome.gates, quiet=json_out)
    if outcome.alerts and not json_out:
        console.print(
            f"alerts recorded (provrag alerts): {', '.join(outcome.alerts)}",
            highlight=False,
            markup=False,
        )
    if not outcome.passed:
        raise typer.Exit(ExitCode.CHECK_FAILED)


# ------------------------------------------------------------------------ compare


def compare(
    ctx: typer.Context,
    run_a: Annotated[str, typer.Argument(help="the baseline run id")],
    run_b: Annotated[str, typer.Argument(help="the run compared with it")],
    metric: Annotated[
        str | None, typer.Option("--metric", "-m", help="metric of the per-query lists")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="queries listed each way")] = 10,
    samples: Annotated[
        int, typer.Option("--samples", min=1, help="random sign flips of the test")
    ] = 10000,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from provrag.commands.eval_render import print_comparison
    from provrag.services.runs import compare as compare_service

    comparison = compare_service(
        settings_of(ctx), run_a, run_b, metric=metric, top=top, samples=samples
    )
    if json_out:
        typer.echo(json.dumps(comparison.to_dict(), indent=2))
        return
    print_comparison(comparison)


# -------------------------------------------------------------------------- rerun


def rerun(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="the run to re-create")],
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from provrag.commands.eval_render import print_rerun
    from provrag.services.rerun import rerun as rerun_service

    settings = settings_of(ctx)
    with open_graph(ctx) as kg, counted("queries", quiet=json_out) as progress:
        outcome = rerun_service(settings, kg, run_id, progress=progress)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        print_rerun(outcome)
    if not outcome.identical:
        raise typer.Exit(ExitCode.CHECK_FAILED)


# --------------------------------------------------------------------------- list


def list_runs(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from provrag.commands.eval_render import print_runs
    from provrag.services.runs import list_runs as recorded

    with open_graph(ctx) as kg:
        rows = recorded(kg)
    if json_out:
        typer.echo(json.dumps(rows, indent=2))
        return
    print_runs(rows)


# ------------------------------------------------------------------------- report


def report(
    ctx: typer.Context,
    run_ids: Annotated[
        list[str] | None, typer.Argument(help="run ids; the first is the baseline")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="output directory")] = None,
    dashboard: Annotated[
        bool, typer.Option("--dashboard", help="the monitors' dashboard instead of run reports")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="dashboard HTML file (with --dashboard)")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="also write each monitor's table here (with --dashboard)"),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="print the written paths as JSON")
    ] = False,
) -> None:
    if dashboard:
        if run_ids or output is not None:
            usage_error("--dashboard takes no run ids and no --output (use --out FILE)", ctx)
        _dashboard(ctx, out, export, json_out)
        return
    if out is not None or export is not None:
        usage_error("--out and --export go with --dashboard", ctx)
    if not run_ids:
        usage_error("give one or more run ids (provrag eval list), or --dashboard", ctx)
    from provrag.services.runs import report as report_service

    files = report_service(settings_of(ctx), run_ids, output)
    if json_out:
        typer.echo(
            json.dumps(
                {
                    "html": str(files.html),
                    "markdown": str(files.markdown),
                    "images": [str(p) for p in files.images],
                },
                indent=2,
            )
        )
        return
    console.print(f"report: {files.html}", highlight=False, markup=False)
    console.print(
        f"        {files.markdown} (+ {len(files.images)} PNG plots)", highlight=False, markup=False
    )


def _dashboard(ctx: typer.Context, out: Path | None, export: Path | None, json_out: bool) -> None:
    from provrag.services.dashboard import build_dashboard, export_format

    with open_graph(ctx) as kg:
        files = build_dashboard(settings_of(ctx), kg, out, export)
    if json_out:
        payload = files.to_dict()
        payload["export_format"] = export_format() if export is not None else None
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(f"dashboard: {files.html}", highlight=False, markup=False)
    if files.exported:
        console.print(
            f"exported {len(files.exported)} tables ({export_format()}) to {export}",
            highlight=False,
            markup=False,
        )
    for aid in files.new_alerts:
        console.print(f"[bold red]new alert[/] {aid}", highlight=False)
