"""``provrag search`` and ``provrag ask``."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kg.typing import SAMPLE_KINDS, Clearance, Origin, RetrieverMode
from provrag.commands.common import console, err_console, open_session, usage_error

if TYPE_CHECKING:
    from kg.model import Filters, ScoredPassage
    from retrieval.answerer import AnswerResult

SEARCH_HELP = """Search the samples: dense, lexical, hybrid or graph-enriched (default).

Filters combine (AND) and are evaluated in the graph, so they never leak:
--origin, --dataset [--version], --generator [--prompt-version], --annotator,
--label FIELD=VALUE (repeatable), --clearance (public < internal < restricted;
default: settings retrieval.default_clearance, "internal"). Invalidated
(deleted or revised) samples are never returned. A filtered search returns k
hits whenever at least k samples match.

Once a release is promoted (`provrag release promote`), searches see exactly its
sample revisions, from its own index; --release NAME searches another one,
--release current the current samples.

--explain shows each hit's channel scores and ranks, the graph path that
brought it (query entity -> sample) and its provenance.
"""

ASK_HELP = """Answer a question from the best sentences of the top passages, each cited.

Extractive by default (nothing leaves the machine); with generator_url set in
the settings, an OpenAI-compatible endpoint writes the answer from the cited
passages. --record stores the answer in the graph (derived from the cited
samples, with the query, settings and time); `provrag trace ID` shows its
lineage. Takes the same filters as `provrag search`.
"""


RetrieverOpt = Annotated[
    RetrieverMode | None,
    typer.Option(
        "--retriever",
        help="channels to use (default: settings retrieval.mode, enriched)",
        show_default=False,
    ),
]
OriginOpt = Annotated[Origin | None, typer.Option("--origin", help="sample origin")]
Dataset = Annotated[str | None, typer.Option("--dataset", help="dataset name")]
Version = Annotated[str | None, typer.Option("--version", help="dataset version label")]
Generator = Annotated[str | None, typer.Option("--generator", help="generator name (synthetic)")]
PromptVersion = Annotated[
    str | None, typer.Option("--prompt-version", help="generator prompt version")
]
Annotator = Annotated[str | None, typer.Option("--annotator", help="an annotator who labelled it")]
Labels = Annotated[
    list[str] | None,
    typer.Option("--label", help="FIELD=VALUE a label must have (repeatable)", show_default=False),
]
ClearanceOpt = Annotated[
    Clearance | None,
    typer.Option(
        "--clearance",
        help="highest sensitivity you may see (default: settings, internal)",
        show_default=False,
    ),
]
Kinds = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        help=f"kind of sample to return: {', '.join(SAMPLE_KINDS)} (repeatable; default: "
        "settings retrieval.answer_kinds, passage); a match on a sample derived from one "
        "counts for it",
        show_default=False,
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="machine-readable output on stdout")]
ReleaseOpt = Annotated[
    str | None,
    typer.Option(
        "--release",
        help="search this release's sample revisions, from its own index ('current': the "
        "current samples; default: settings release.serve, else the release promoted last)",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    app.command("search", help=SEARCH_HELP)(search)
    app.command("ask", help=ASK_HELP)(ask)


# the search filter options of ``search`` and ``ask``, after their own options, in this
# order: (parameter, keyword of ``filters_from``, option)
_FILTER_OPTIONS: tuple[tuple[str, str, Any], ...] = (
    ("origin", "origin", OriginOpt),
    ("dataset", "dataset", Dataset),
    ("version", "version", Version),
    ("generator", "generator", Generator),
    ("prompt_version", "prompt_version", PromptVersion),
    ("annotator", "annotator", Annotator),
    ("label", "labels", Labels),
    ("clearance", "clearance", ClearanceOpt),
    ("kind", "kinds", Kinds),
    ("release", "release", ReleaseOpt),
)


def _with_filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the search filter options (--origin ... --release) after its own;
    it receives them as its keyword-only ``filters`` (a malformed one is a usage error)."""
    # ``Filters`` is imported for type checking only (kg.model loads rdflib; ``provrag
    # --help`` stays instant): it need not resolve, that parameter is not an option
    signature = inspect.signature(command, eval_str=True, locals={"Filters": Any})
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hint)
        for name, _, hint in _FILTER_OPTIONS
    ]

    @functools.wraps(command)
    def with_filters(ctx: typer.Context, **values: Any) -> None:
        from kg.errors import FilterError
        from provrag.errors import UsageError
        from provrag.services.searching import filters_from

        given = {keyword: values.pop(name) for name, keyword, _ in _FILTER_OPTIONS}
        try:
            filters = filters_from(**given)
        except (FilterError, UsageError) as exc:
            usage_error(str(exc), ctx)
        command(ctx, **values, filters=filters)

    signature = signature.replace(parameters=[*own, *options])
    del with_filters.__wrapped__  # typer reads the signature below, not the command's
    with_filters.__signature__ = signature  # type: ignore[attr-defined]
    with_filters.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return with_filters


@_with_filter_options
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="what to search for", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="number of hits")] = 10,
    json_out: JsonOut = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="channel scores, graph paths and provenance")
    ] = False,
    retriever: RetrieverOpt = None,
    *,
    filters: Filters,
) -> None:
    from provrag.services.searching import search as search_service

    with open_session(ctx) as session:
        outcome = search_service(
            session, text, k=k, mode=retriever, filters=filters, explain=explain or json_out
        )
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
        return
    _print_hits(text, outcome.hits, outcome.mode, explain, outcome.linked_entities)
    if explain and outcome.graph is not None:
        console.print(f"graph: {outcome.graph['reason']}", highlight=False, markup=False)


def _channels(hit: ScoredPassage) -> str:
    short = {"dense": "D", "lexical": "L", "graph": "G"}
    return " ".join(f"{short.get(c, c)}{r}" for c, r in hit.channel_ranks.items())


def _provenance_line(hit: ScoredPassage) -> str:
    p = hit.provenance
    if p is None:
        return ""
    parts: list[str] = [p.origin or "?"]
    if p.generator:
        parts.append(
            p.generator
            + (f" prompt v{p.prompt_version}" if p.prompt_version else "")
            + (f" seed {p.seed}" if p.seed is not None else "")
        )
    if p.annotators:
        parts.append("labelled by " + ", ".join(p.annotators))
    if p.dataset:
        parts.append(f"{p.dataset}@{p.version}" if p.version else p.dataset)
    return "; ".join(parts)


def _print_hits(
    query: str,
    hits: list[ScoredPassage],
    mode: str,
    explain: bool,
    linked: list[dict[str, str]],
) -> None:
    from rich.table import Table

    if not hits:
        console.print(f"no hits for {query!r} ({mode}); check the filters and the clearance")
        return
    table = Table(title=f"{len(hits)} hit(s) for {query!r} [{mode}]", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("id", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("channels")
    table.add_column("provenance", overflow="fold")
    table.add_column("text", overflow="fold", ratio=1)
    for rank, h in enumerate(hits, 1):
        snippet = h.text if len(h.text) <= 160 else h.text[:157] + "..."
        table.add_row(
            str(rank), h.sample_id, f"{h.score:.4f}", _channels(h), _provenance_line(h), snippet
        )
    console.print(table)
    if not explain:
        return
    if linked:
        names = ", ".join(f"{e['label']} ({e['type']})" for e in linked)
        console.print(f"query entities: {names}", highlight=False, markup=False)
    for rank, h in enumerate(hits, 1):
        console.print(f"[bold]#{rank} {h.sample_id}[/] [dim]{h.sample_iri}[/]", highlight=False)
        for c in h.channel_ranks:
            console.print(
                f"  {c}: rank {h.channel_ranks[c]}, score {h.channel_scores.get(c, 0.0):.4f}",
                highlight=False,
            )
        if h.matched_via is not None:
            console.print(f"  {h.matched_via.explanation}", highlight=False, markup=False)
        if h.graph_path:
            console.print("  graph path:", highlight=False)
            for step in h.graph_path:
                console.print(f"    {step}", highlight=False, markup=False)
        if h.provenance is not None:
            facts = h.provenance.model_dump(exclude_none=True, exclude_defaults=True)
            for key, value in facts.items():
                shown = ", ".join(value) if isinstance(value, list) else value
                console.print(f"  {key}: {shown}", highlight=False, markup=False)


@_with_filter_options
def ask(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="the question", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="passages to answer from")] = 5,
    record: Annotated[
        bool, typer.Option("--record", help="store the answer and its citations in the graph")
    ] = False,
    json_out: JsonOut = False,
    retriever: RetrieverOpt = None,
    *,
    filters: Filters,
) -> None:
    from provrag.services.asking import ask as ask_service

    with open_session(ctx) as session:
        outcome = ask_service(
            session, text, k=k, mode=retriever, filters=filters, record_answer=record
        )
    if outcome.note is not None:
        err_console.print(f"[yellow]{outcome.note}[/]")
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
        return
    _print_answer(outcome.result)


def _print_answer(result: AnswerResult) -> None:
    if not result.passages:
        console.print(
            f"no answer: nothing matched {result.query!r}; check the filters and the clearance"
        )
        return
    from rich.markup import escape

    if not result.sentences:
        why = (
            f"the best evidence supports it at {result.support:.3f}, below the threshold "
            f"{result.abstain_below:.3f} (answer.abstain_below)"
            if result.support is not None and result.abstain_below is not None
            else "no sentence of the passages found can answer it"
        )
        console.print(f"No grounded answer: {why}.", highlight=False, markup=False)
        closest = ", ".join(p.sample_id for p in result.passages[:3])
        console.print(f"closest passages: {closest}", highlight=False, markup=False)
        return
    for s in result.sentences:
        console.print(
            f"{escape(s.text)} [dim]{escape('[' + s.sample_id + ']')}[/]", highlight=False
        )
    console.print()
    console.print(
        f"confidence {result.confidence:.2f} (support {result.support:.3f})"
        if result.support is not None
        else f"confidence {result.confidence:.2f}",
        highlight=False,
    )
    console.print("sources:", highlight=False)
    for iri in result.cited_samples():
        console.print(f"  {iri}", highlight=False, markup=False)
    if result.id:
        console.print(
            f"recorded answer [bold]{result.id}[/] (see its lineage: provrag trace {result.id})",
            highlight=False,
        )
