"""``provrag agreement`` and ``provrag drift``: data quality over dataset versions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from evaluation.agreement import AgreementReport, GroupAgreement
    from evaluation.drift import Distribution, DriftReport, LengthStats

#: disagreements (and changed / new / removed ids) listed on the terminal
SHOW = 20


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement)
    app.command("drift")(drift)


# ------------------------------------------------------------------ helpers


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _table(title: str, *columns: str, left: int = 1) -> Table:
    """A table whose first ``left`` columns are text (left, folded), the rest numbers."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        if i < left:
            table.add_column(col, justify="left", overflow="fold")
        else:
            table.add_column(col, justify="right", no_wrap=True)
    return table


# ------------------------------------------------------------------ agreement


def agreement(
    ctx: typer.Context,
    field: Annotated[str, typer.Option("--field", "-f", help="label field, e.g. intent")],
    dataset: Annotated[
        str | None, typer.Option("--dataset", "-d", help="only this dataset")
    ] = None,
    version: Annotated[
        str | None,
        typer.Option("--version", "-v", help="this dataset version as ingested (needs --dataset)"),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--annotator-kind",
            help="annotator kinds to count: human, model, heuristic (repeatable; default human)",
        ),
    ] = None,
    all_kinds: Annotated[
        bool, typer.Option("--all-kinds", help="count labels of every annotator kind")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the JSON report only")] = False,
) -> None:
    """Inter-annotator agreement on one label field: percent agreement, Krippendorff's
    alpha, pairwise Cohen's kappa, per guideline version and origin, and the samples
    the annotators disagree on.

    Without --version: the current samples. With --version: that dataset version as
    it was ingested (revised since or not; deleted samples left out)."""
    from provrag.commands.common import open_graph, usage_error
    from provrag.errors import UsageError
    from provrag.services.quality import DEFAULT_KINDS
    from provrag.services.quality import agreement as agreement_service

    annotator_kinds = None if all_kinds else tuple(kinds or DEFAULT_KINDS)
    try:
        with open_graph(ctx) as kg:
            report = agreement_service(
                kg, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
            )
    except UsageError as exc:
        usage_error(str(exc), ctx)
    if json_out:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    _print_agreement(report)


def _print_agreement(r: AgreementReport) -> None:
    from provrag.commands.common import console

    if r.version is not None:
        scope = f"{r.dataset} version {r.version} (as ingested)"
    else:
        scope = "current samples" + (f" of {r.dataset}" if r.dataset else "")
    kinds = "all" if r.annotator_kinds is None else ", ".join(r.annotator_kinds)
    console.print(
        f"[bold]agreement on {r.field!r}[/]: {scope}; annotator kinds: {kinds}", highlight=False
    )
    summary = _table("summary", "measure", "value")
    summary.add_row("annotators", f"{len(r.annotators)} ({', '.join(r.annotators)})")
    summary.add_row("items with >= 2 labels", str(r.items))
    summary.add_row("items with 1 label (left out)", str(r.single_labelled))
    summary.add_row("labels", str(r.labels))
    summary.add_row("percent agreement (unanimous)", _pct(r.percent_agreement))
    summary.add_row("disagreement rate", _pct(r.disagreement_rate))
    summary.add_row("pairwise agreement", _pct(r.pairwise_agreement))
    summary.add_row("Krippendorff's alpha (nominal)", _num(r.alpha))
    summary.add_row(
        "Fleiss' kappa",
        _num(r.fleiss_kappa) if r.fleiss_kappa is not None else "n/a (labels per item vary)",
    )
    if r.repeated_labels:
        summary.add_row("annotator gave >1 value (latest kept)", str(r.repeated_labels))
    console.print(summary)

    pairs = _table("pairwise Cohen's kappa", "annotators", "items", "agreement", "kappa")
    for p in r.pairs:
        pairs.add_row(f"{p.a} / {p.b}", str(p.items), _pct(p.agreement), _num(p.kappa))
    console.print(pairs)
    for title, groups in (
        ("by guideline version", r.by_guideline_version),
        ("by origin", r.by_origin),
    ):
        console.print(_groups_table(title, groups))

    shown = r.disagreements[:SHOW]
    columns = ("sample", "origin", *r.annotators)
    table = _table(f"disagreements ({len(r.disagreements)})", *columns, left=len(columns))
    for d in shown:
        table.add_row(d.item, d.origin or "", *(str(d.values.get(a, "")) for a in r.annotators))
    console.print(table)
    more = len(r.disagreements) - len(shown)
    if more > 0:
        console.print(f"... and {more} more (use --json for all)", highlight=False)


def _groups_table(title: str, groups: dict[str, GroupAgreement]) -> Table:
    table = _table(title, title.split()[-1], "items", "disagreements", "agreement", "alpha")
    for key, g in groups.items():
        table.add_row(
            key, str(g.items), str(g.disagreements), _pct(g.percent_agreement), _num(g.alpha)
        )
    return table


# ------------------------------------------------------------------ drift


def drift(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="dataset name")],
    version_a: Annotated[str, typer.Option("--from", help="the earlier version")],
    version_b: Annotated[str, typer.Option("--to", help="the later version")],
    embed: Annotated[
        bool,
        typer.Option("--embed", help="also embed the texts and compare the version centroids"),
    ] = False,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--annotator-kind",
            help="count only labels of these annotator kinds (repeatable; default all)",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the JSON report only")] = False,
) -> None:
    """Drift of a dataset between two versions: new, removed, changed and unchanged
    samples; label, origin and prompt-version distributions with Jensen-Shannon
    divergence and a chi-square test; text lengths; with --embed, the cosine distance
    between the versions' embedding centroids."""
    from provrag.commands.common import open_graph, settings_of
    from provrag.services.quality import drift as drift_service

    # the embedder loads its model lazily, on the first embed() inside the report
    with open_graph(ctx) as kg:
        report = drift_service(
            settings_of(ctx),
            kg,
            dataset,
            version_a,
            version_b,
            embed=embed,
            annotator_kinds=kinds,
        )
    if json_out:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_drift(report)


def _print_drift(r: DriftReport) -> None:
    from provrag.commands.common import console

    a, b = r.version_a, r.version_b
    console.print(f"[bold]drift of {r.dataset}[/]: {a} -> {b}", highlight=False)
    s = r.samples
    samples = _table("samples", "", a, b)
    samples.add_row("samples", str(s.size_a), str(s.size_b))
    samples.add_row("unchanged", "", str(s.unchanged))
    samples.add_row("changed (revised)", "", str(s.changed))
    samples.add_row("new", "", str(s.new))
    samples.add_row("removed", "", str(s.removed))
    console.print(samples)
    for label, ids in (("changed", s.changed_ids), ("new", s.new_ids), ("removed", s.removed_ids)):
        if ids:
            more = f" ... and {len(ids) - SHOW} more" if len(ids) > SHOW else ""
            console.print(f"{label}: {', '.join(ids[:SHOW])}{more}", highlight=False)

    console.print(_distribution_table("origin", r.origin, a, b))
    console.print(_distribution_table("prompt version (synthetic)", r.prompt_versions, a, b))
    for name, dist in r.labels.items():
        console.print(_distribution_table(f"label {name!r}", dist, a, b))

    lengths = _table(
        "text length (characters)", "", "n", "mean", "std", "min", "median", "p90", "max"
    )
    for version, st in ((a, r.length_a), (b, r.length_b)):
        lengths.add_row(version, *_length_cells(st))
    console.print(lengths)
    if r.centroid_distance is not None:
        console.print(
            f"embedding centroid cosine distance: {r.centroid_distance:.5f}", highlight=False
        )


def _length_cells(st: LengthStats) -> list[str]:
    def n(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1f}"

    return [str(st.n), n(st.mean), n(st.std), n(st.min), n(st.median), n(st.p90), n(st.max)]


def _distribution_table(title: str, dist: Distribution, a: str, b: str) -> Table:
    """Counts and shares per value, the largest share changes first (``SHOW`` of them)."""
    from evaluation.drift import Distribution as Dist

    chi = dist.chi_square
    stats = f"JS divergence {_num(dist.js_divergence, 4)} bits"
    if chi is not None:
        stats += f"; chi-square {chi.statistic:.2f}, dof {chi.dof}, p = {chi.p_value:.3g}"

    def change(key: str) -> float:
        return abs(
            (Dist.share(dist.counts_b, key) or 0.0) - (Dist.share(dist.counts_a, key) or 0.0)
        )

    keys = sorted(set(dist.counts_a) | set(dist.counts_b), key=lambda k: (-change(k), k))
    if len(keys) > SHOW:
        title += f" ({SHOW} of {len(keys)} values, largest changes first; --json for all)"
    table = _table(f"{title}: {stats}", "value", a, f"{a} share", b, f"{b} share")
    for key in keys[:SHOW]:
        table.add_row(
            key,
            str(dist.counts_a.get(key, 0)),
            _pct(Dist.share(dist.counts_a, key)),
            str(dist.counts_b.get(key, 0)),
            _pct(Dist.share(dist.counts_b, key)),
        )
    return table
