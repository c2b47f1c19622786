"""``provrag tune``: search the retriever's weights on a golden set's dev split."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from kg.typing import Clearance, GoldenSplit, RetrieverMode
from provrag.commands.common import console, open_graph, settings_of
from provrag.commands.progress import counted

TUNE_HELP = re.sub(
    r"\s+",
    " ",
    """Tune the retriever's weights (fusion: method and channel weights; the entity
    PageRank: damping, passage seed weight, gate) on the dev split of a golden set, and
    write the best as a named retriever profile (<home>/profiles/NAME.toml, applied by
    `provrag eval --profile NAME`, which reports on the holdout split). At most --budget
    evaluations: the current settings first, then the whole grid when it fits, else a
    sample of it drawn with --seed (the same inputs give the same trials). Only the dev
    items are read: a golden file's holdout lines are never parsed into queries, a stored
    set's holdout items never queried. The run (search space, every trial, the result)
    and the profile are recorded in the graph (a tuning run activity and a profile entity).
    --space FILE: a JSON object {"setting": [values...]} replacing the default space
    (settings of [retrieval], weights.<channel> for one weight).""",
).strip()


def register(app: typer.Typer) -> None:
    app.command("tune", help=TUNE_HELP)(tune)


def tune(
    ctx: typer.Context,
    golden: Annotated[
        str,
        typer.Option(
            "--golden", "-g", help="golden set: a .jsonl PATH, or NAME or NAME@VERSION ingested"
        ),
    ],
    split: Annotated[
        GoldenSplit, typer.Option("--split", help="the split scored (dev only: never the holdout)")
    ] = "dev",
    budget: Annotated[
        int, typer.Option("--budget", "-n", min=1, help="most evaluations (trials)")
    ] = 20,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="seed of the sampled trials (default: evaluation.seed)"),
    ] = None,
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="name of the profile written")
    ] = "tuned",
    retriever: Annotated[
        RetrieverMode | None,
        typer.Option("--retriever", "-r", help="retriever kind (default: settings retrieval.mode)"),
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="cutoff of the objective")] = 10,
    metric: Annotated[
        str | None, typer.Option("--metric", "-m", help="objective (default ndcg@k)")
    ] = None,
    clearance: Annotated[
        Clearance, typer.Option("--clearance", help="caller clearance (default restricted)")
    ] = "restricted",
    space: Annotated[
        Path | None, typer.Option("--space", help="JSON search space {setting: [values]}")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout")] = False,
) -> None:
    from evaluation.tuning import SearchSpace
    from provrag.errors import UsageError
    from provrag.services.tuning import tune as tune_service

    search_space = None
    if space is not None:
        try:
            search_space = SearchSpace(params=json.loads(space.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"--space {space}: not a readable JSON object of setting -> list of values ({exc})"
            ) from exc
    settings = settings_of(ctx)
    with open_graph(ctx) as kg, counted("trials", quiet=json_out) as progress:
        outcome = tune_service(
            settings,
            kg,
            golden,
            split=split,
            budget=budget,
            seed=seed,
            profile=profile,
            retriever_kind=retriever,
            ks=(k,),
            metric=metric,
            clearance=clearance,
            space=search_space,
            progress=progress,
        )
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
        return
    r = outcome.result
    say = console.print
    say(
        f"tuned on {r.golden_name}@{r.golden_version} split {r.split} ({r.query_count} queries), "
        f"{len(r.trials)} trials ({r.strategy}, seed {r.seed})",
        highlight=False,
        markup=False,
    )
    say(
        f"{r.metric}: {r.baseline.score:.4f} (settings as they were) -> {r.best.score:.4f} "
        f"(trial {r.best.index})",
        highlight=False,
        markup=False,
    )
    for name, value in r.best.params.items():
        say(f"  {name} = {value}", highlight=False, markup=False)
    say(
        f"profile {outcome.profile}: {outcome.profile_path} (tuning run {outcome.run_id}); "
        f"report it on the holdout: provrag eval --golden {r.golden_name} "
        f"--profile {outcome.profile}",
        highlight=False,
        markup=False,
    )
