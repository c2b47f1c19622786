"""``provrag testset generate`` and ``provrag testset validate``: synthetic test sets
from the graph, and whether they rank retriever variants as the experts' set does."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from kg.typing import RetrieverMode

if TYPE_CHECKING:
    from provrag.services.testset import TestsetValidation

TESTSET_HELP = (
    "Synthetic test sets: template questions from the graph (generate), checked against "
    "the experts' golden set (validate)."
)


def register(app: typer.Typer) -> None:
    testset_app = typer.Typer(help=TESTSET_HELP, no_args_is_help=True)
    testset_app.command("generate")(generate)
    testset_app.command("validate")(validate)
    app.add_typer(testset_app, name="testset")


def generate(
    ctx: typer.Context,
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="dataset the questions are about")
    ],
    size: Annotated[int, typer.Option("--size", "-n", min=1, help="number of questions")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="seed of the template draws")] = 7,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    """Generate a deterministic synthetic test set: template questions about the
    dataset's real passages (from their intent labels, entities and first sentence).

    The questions are ingested as synthetic samples of dataset DATASET-testset (generator
    provrag-testset, template and template version, seed; derived_from their passage)
    and written with a golden set (each question's passage relevant) under
    <home>/testsets/DATASET-sSEED-nSIZE/; the golden set is ingested too."""
    from provrag.commands.common import console, open_session
    from provrag.services.testset import generate as generate_service

    with open_session(ctx) as session:
        outcome = generate_service(session, dataset, size, seed)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
        return
    templates = ", ".join(f"{t}: {n}" for t, n in sorted(outcome.templates.items()))
    console.print(
        f"{outcome.questions} questions about {dataset} ({templates}); "
        f"{outcome.ingested_new} new samples in {outcome.name}",
        highlight=False,
        markup=False,
    )
    console.print(
        f"golden set {outcome.name}@{outcome.version}: {outcome.golden_path}",
        highlight=False,
        markup=False,
    )


def validate(
    ctx: typer.Context,
    golden: Annotated[
        str, typer.Option("--golden", "-g", help="the experts' golden set: PATH or NAME[@VERSION]")
    ],
    testset: Annotated[
        str | None,
        typer.Option(
            "--testset",
            "-t",
            help="the synthetic golden set: PATH or NAME[@VERSION] (default: the latest "
            "generated about the golden set's dataset)",
        ),
    ] = None,
    retriever: Annotated[
        list[str] | None,
        typer.Option(
            "--retriever",
            "-r",
            help="variants to rank (repeatable; default dense, lexical, hybrid, enriched)",
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="cutoff of nDCG@k")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    """Rank retriever variants by nDCG@k on the experts' golden set and on the synthetic
    test set; report Kendall's tau between the two rankings and the metric gaps. Every
    evaluation is recorded as a run; the validation as a monitor run (monitor testset)."""
    from kg.typing import RETRIEVER_MODES, literal_value
    from provrag.commands.common import open_session, usage_error
    from provrag.services.testset import DEFAULT_VARIANTS
    from provrag.services.testset import validate as validate_service

    variants: list[RetrieverMode] = []
    for name in retriever or DEFAULT_VARIANTS:
        mode = literal_value(RETRIEVER_MODES, name)
        if mode is None:
            usage_error(f"--retriever {name!r} is unknown; use {', '.join(RETRIEVER_MODES)}", ctx)
        variants.append(mode)
    with open_session(ctx) as session:
        outcome = validate_service(session, golden, testset, variants=variants, k=k)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_validation(outcome)


def _print_validation(v: TestsetValidation) -> None:
    from rich.table import Table

    from provrag.commands.common import console

    a = v.agreement
    table = Table(title=f"{v.metric}: experts' set vs synthetic set", title_justify="left")
    for col in ("variant", f"expert {v.golden}", f"synthetic {v.testset}", "gap"):
        table.add_column(col, justify="right" if col != "variant" else "left")
    for variant, e, s in zip(a.variants, a.expert, a.synthetic, strict=True):
        table.add_row(variant, f"{e:.4f}", f"{s:.4f}", f"{s - e:+.4f}")
    console.print(table)
    console.print(f"expert ranking:    {' > '.join(a.ranking('expert'))}", highlight=False)
    console.print(f"synthetic ranking: {' > '.join(a.ranking('synthetic'))}", highlight=False)
    tau = "n/a" if a.tau is None else f"{a.tau:.3f} (p = {a.p_value:.3g})"
    console.print(f"Kendall's tau: {tau}; mean |gap|: {a.mean_abs_gap:.4f}", highlight=False)
    if v.run_id:
        console.print(f"recorded: monitor run {v.run_id}", highlight=False)
