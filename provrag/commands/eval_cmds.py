"""``provrag eval`` (run, compare, rerun, list) and ``provrag report``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from kg.typing import Clearance, RetrieverMode
from provrag.commands.common import console, err_console, fail, settings_of, usage_error
from provrag.commands.progress import counted
from provrag.exit_codes import ExitCode

if TYPE_CHECKING:
    from evaluation.compare import Comparison
    from evaluation.gates import GateOutcome
    from evaluation.results import EvalResult
    from kg.graph import KnowledgeGraph
    from provrag.evaluating import BeirIngest, EvalOptions, Rerun
    from provrag.settings import Settings


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
)


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(help=EVAL_HELP, no_args_is_help=False)
    eval_app.callback(invoke_without_command=True)(eval_main)
    eval_app.command("compare", help=COMPARE_HELP)(compare)
    eval_app.command("rerun", help=RERUN_HELP)(rerun)
    eval_app.command("list", help="List the recorded evaluation runs.")(list_runs)
    app.add_typer(eval_app, name="eval")
    app.command("report", help=REPORT_HELP)(report)


def _errors() -> tuple[type[Exception], ...]:
    from kg.errors import ProvragError

    return (ProvragError,)


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
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if (golden is None) == (beir is None):
        both = "both" if golden is not None else "neither"
        usage_error(f"give exactly one of --golden NAME|PATH or --beir DIR (got {both})", ctx)
    from evaluation.gates import check_gates, gates_from_settings, parse_gate
    from provrag import evaluating
    from provrag.app import open_kg

    settings = settings_of(ctx)
    errors = _errors()
    try:
        gates = gates_from_settings(settings.evaluation.gates) + [parse_gate(g) for g in gate or []]
    except errors as exc:
        fail(escape(str(exc)))
    options = evaluating.EvalOptions(
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
    kg = None
    try:
        kg = open_kg(settings)
        if beir is not None:
            result, beir_info = _evaluate_beir(
                settings, kg, beir, options, split=split, quiet=json_out
            )
        elif golden is not None:  # always: exactly one of the two is set (checked above)
            with counted("queries", quiet=json_out) as progress:
                golden_set = evaluating.resolve_golden(kg, golden)
                result = evaluating.evaluate(settings, kg, golden_set, options, progress=progress)
    except errors as exc:
        fail(escape(str(exc)))
    finally:
        if kg is not None:
            kg.store.close()
    outcomes = check_gates(result, gates)
    run_dir = settings.runs_dir / str(result.run_id)
    if json_out:
        payload = result_json(result, run_dir)
        payload["gates"] = [_gate_json(o) for o in outcomes]
        if beir_info is not None:
            payload["beir"] = {
                "dataset": beir_info.dataset,
                "documents": beir_info.documents,
                "skipped_empty": beir_info.skipped_empty,
                "new": beir_info.new,
                "unchanged": beir_info.unchanged,
                "golden": beir_info.golden.name,
            }
        typer.echo(json.dumps(payload, indent=2))
    else:
        print_result(result, run_dir, settings)
    _print_gates(outcomes, quiet=json_out)
    if any(not o.passed for o in outcomes):
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _evaluate_beir(
    settings: Settings,
    kg: KnowledgeGraph,
    directory: Path,
    options: EvalOptions,
    *,
    split: str,
    quiet: bool,
) -> tuple[EvalResult, BeirIngest]:
    """``evaluate_beir`` with progress: the ingest (with entity extraction when the
    retriever uses the entity graph), the embedding of the corpus, the queries."""
    from provrag import evaluating
    from provrag.commands.progress import stages

    what = (
        "ingesting the corpus (with entities)"
        if evaluating.uses_entity_graph(settings, options.retriever_kind)
        else "ingesting the corpus"
    )
    with stages(quiet=quiet) as bar:
        return evaluating.evaluate_beir(
            settings,
            kg,
            directory,
            options,
            split=split,
            ingest_progress=bar.records(what),
            index_progress=bar.counted("embedding the corpus"),
            progress=bar.counted("queries"),
        )


def result_json(result: EvalResult, run_dir: Path) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "golden": {
            "name": result.golden_name,
            "version": result.golden_version,
            "dataset": result.dataset,
        },
        "retriever": result.retriever_kind,
        "k": result.k,
        "depth": result.depth,
        "seed": result.seed,
        "queries": len(result.qrels),
        "run_dir": str(run_dir),
        "run_file": str(run_dir / "run.trec"),
        "overall": {m: s.to_dict() for m, s in result.overall.items()},
        "slices": [
            {
                "name": s.name,
                "value": s.value,
                "query_count": s.query_count,
                "small": s.small,
                "metrics": {m: v.to_dict() for m, v in s.metrics.items()},
            }
            for s in result.slices
        ],
    }


def _gate_json(o: GateOutcome) -> dict[str, Any]:
    return {
        "gate": str(o.gate),
        "metric": o.gate.metric,
        "slice": o.gate.where,
        "op": o.gate.op,
        "threshold": o.gate.threshold,
        "value": o.value,
        "passed": o.passed,
        "message": o.message(),
    }


def _print_gates(outcomes: Sequence[GateOutcome], *, quiet: bool) -> None:
    for o in outcomes:
        if o.passed and not quiet:
            console.print(f"[green]{escape(o.message())}[/]", highlight=False)
        elif not o.passed:
            err_console.print(f"[bold red]{escape(o.message())}[/]", highlight=False)


def _ci(s: Any) -> str:
    return f"{s.ci_low:.3f}-{s.ci_high:.3f}"


def print_result(result: EvalResult, run_dir: Path, settings: Settings | None = None) -> None:
    from rich.table import Table

    console.print(
        f"[bold]run[/] {result.run_id}  golden "
        f"{escape(result.golden_name)} {escape(result.golden_version)} "
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
    console.print(f"run files: {run_dir}", highlight=False, markup=False)


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
    from evaluation.compare import compare_runs
    from evaluation.gates import canonical_metric
    from evaluation.record import load_run

    settings = settings_of(ctx)
    try:
        a = load_run(settings.runs_dir, run_a)
        b = load_run(settings.runs_dir, run_b)
        focus = canonical_metric(metric) if metric else None
        comparison = compare_runs(
            a, b, metric=focus, top=top, samples=samples, seed=settings.evaluation.seed
        )
    except _errors() as exc:
        fail(escape(str(exc)))
    if json_out:
        typer.echo(json.dumps(comparison.to_dict(), indent=2))
        return
    print_comparison(comparison)


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


# -------------------------------------------------------------------------- rerun


def rerun(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="the run to re-create")],
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from provrag import evaluating
    from provrag.app import open_kg

    settings = settings_of(ctx)
    kg = None
    try:
        kg = open_kg(settings)
        with counted("queries", quiet=json_out) as progress:
            outcome = evaluating.rerun(settings, kg, run_id, progress=progress)
    except _errors() as exc:
        fail(escape(str(exc)))
    finally:
        if kg is not None:
            kg.store.close()
    if json_out:
        typer.echo(
            json.dumps(
                {
                    "run_id": run_id,
                    "new_run_id": outcome.new.run_id,
                    "identical": outcome.identical,
                    "recorded": outcome.before,
                    "rerun": outcome.after,
                    "differences": {k: list(v) for k, v in outcome.differences.items()},
                },
                indent=2,
            )
        )
    else:
        print_rerun(outcome)
    if not outcome.identical:
        raise typer.Exit(ExitCode.CHECK_FAILED)


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


# --------------------------------------------------------------------------- list


def list_runs(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from evaluation.record import list_runs as recorded
    from provrag.app import open_kg

    settings = settings_of(ctx)
    try:
        kg = open_kg(settings)
        rows = recorded(kg)
        kg.store.close()
    except _errors() as exc:
        fail(escape(str(exc)))
    if json_out:
        typer.echo(json.dumps(rows, indent=2))
        return
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


# ------------------------------------------------------------------------- report


def report(
    ctx: typer.Context,
    run_ids: Annotated[list[str], typer.Argument(help="run ids; the first is the baseline")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="output directory")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="print the written paths as JSON")
    ] = False,
) -> None:
    from evaluation.record import load_run
    from evaluation.report import write_report

    settings = settings_of(ctx)
    name = (
        run_ids[0]
        if len(run_ids) == 1
        else "_vs_".join(run_ids[:3])
        + (f"_and_{len(run_ids) - 3}_more" if len(run_ids) > 3 else "")
    )
    target = output or settings.reports_dir / name
    try:
        runs = [load_run(settings.runs_dir, r) for r in run_ids]
        files = write_report(runs, target, seed=settings.evaluation.seed)
    except _errors() as exc:
        fail(escape(str(exc)))
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
