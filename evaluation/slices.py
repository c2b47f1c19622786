"""Provenance slices of an evaluation: which queries belong to which slice.

A slice is a ``(name, value)`` pair and the golden queries in it; every metric
is then averaged over each slice's queries as well as over all of them. The
slice families:

``tag``
    one slice per tag of the golden items (``tag=fees``); an item with several
    tags is in several slices.
``origin``
    the origin of the query's *relevant* gold samples (grade >= ``rel_level``):
    ``real`` when all of them are real (collected) samples, ``synthetic`` when
    all are synthetic, ``mixed`` otherwise. Relevant samples the graph does not
    know (never ingested, or only invalidated revisions without an origin) are
    left out of the decision; when none is known the query is ``unknown``.
    Judged-not-relevant samples (grade 0) play no part.
``gold_origin``
    a *judgement-level* view of the same question, for golden sets where most
    queries have both real and synthetic gold passages (so that ``origin`` is
    mostly ``mixed``): ``gold_origin=real`` scores every query that has at least
    one real relevant sample against its real relevant samples only, and
    ``gold_origin=synthetic`` likewise. The relevant samples of the other origin
    (and of unknown origin) are taken out of both the judgements and the
    ranking (a condensed list, Sakai 2007), so they neither count as hits nor
    push the gold passages of the chosen origin down. Unlike the other slices,
    its metrics are recomputed, not averaged from the overall per-query values.
``generator`` / ``prompt_version``
    the generator, and ``<generator>/<prompt version>``, of the query's
    synthetic relevant samples; a query whose relevant samples come from two
    generators is in both slices; queries without synthetic relevant samples
    are in none.
``author``
    the author of the golden item (the golden set's author when the item names
    none).
``annotator``
    the human annotators (``prov:Person``) who labelled the query's relevant
    samples; a query is in the slice of each of them.

Slices overlap across families (and within the multi-valued ones): they are
views, not a partition. The metadata of all gold samples is read from the graph
in one SPARQL query (:func:`gold_sample_info`, through
:func:`kg.queries.slices.sample_provenance_rows`); the current revision of a sample
is preferred, an invalidated one is used only when no current one exists.

:func:`synthetic_share` gives, per query, the share of synthetic samples among
the top-k results, an extra per-query number averaged overall and per slice
like any metric.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import GoldenItem
from kg.queries.slices import sample_provenance_rows
from kg.typing import ORIGINS

#: slice families, in the order reports list them
SLICE_FAMILIES: tuple[str, ...] = (
    "origin",
    "gold_origin",
    "tag",
    "generator",
    "prompt_version",
    "author",
    "annotator",
)

SliceKey = tuple[str, str]


@dataclass(frozen=True)
class GoldSampleInfo:
    """What slicing needs to know of one judged sample (by external id)."""

    external_id: str
    origin: str | None = None
    generators: tuple[str, ...] = ()
    #: ``<generator>/<prompt version>`` of the generation config
    prompt_versions: tuple[str, ...] = ()
    annotators: tuple[str, ...] = ()
    current: bool = True


@dataclass
class _Acc:
    origin: str | None = None
    current: bool = False
    generators: set[str] = field(default_factory=set)
    prompts: set[str] = field(default_factory=set)
    annotators: set[str] = field(default_factory=set)


def gold_sample_info(
    kg: KnowledgeGraph, dataset: str, sample_ids: Iterable[str]
) -> dict[str, GoldSampleInfo]:
    """Origin, generators, prompt versions and human annotators of judged samples.

    ``sample_ids`` are external ids in ``dataset``; ids the graph does not hold
    are missing from the result. One SPARQL query (per 2,000 ids).
    """
    wanted = sorted(set(sample_ids))
    by_logical = {ids.logical_sample_iri(dataset, sid): sid for sid in wanted}
    known = set(by_logical.values())
    revisions: dict[str, dict[str, _Acc]] = {}
    for row in sample_provenance_rows(kg, by_logical):
        if row.external_id not in known:
            continue
        acc = revisions.setdefault(row.external_id, {}).setdefault(row.sample, _Acc())
        acc.current = row.current
        if row.origin is not None:
            acc.origin = row.origin
        if row.generator is not None:
            acc.generators.add(row.generator)
            if row.prompt_version is not None:
                acc.prompts.add(f"{row.generator}/{row.prompt_version}")
        if row.annotator is not None:
            acc.annotators.add(row.annotator)
    out: dict[str, GoldSampleInfo] = {}
    for ext, revs in revisions.items():
        current = [a for a in revs.values() if a.current]
        # the current revision wins; without one, the invalidated revisions together
        chosen = current or list(revs.values())
        origins = sorted({a.origin for a in chosen if a.origin is not None})
        out[ext] = GoldSampleInfo(
            external_id=ext,
            origin=origins[0] if len(origins) == 1 else ("mixed" if origins else None),
            generators=tuple(sorted(set().union(*(a.generators for a in chosen)))),
            prompt_versions=tuple(sorted(set().union(*(a.prompts for a in chosen)))),
            annotators=tuple(sorted(set().union(*(a.annotators for a in chosen)))),
            current=bool(current),
        )
    return out


def origin_class(origins: Iterable[str | None]) -> str:
    """``real`` / ``synthetic`` when all known origins agree, ``mixed`` when they do not,
    ``unknown`` when none is known."""
    known = {o for o in origins if o is not None}
    if not known:
        return "unknown"
    if len(known) == 1:
        value = next(iter(known))
        return value if value in ORIGINS else "mixed"
    return "mixed"


def slice_membership(
    items: Sequence[GoldenItem],
    info: Mapping[str, GoldSampleInfo] | None,
    *,
    set_author: str | None = None,
    rel_level: int = 1,
) -> dict[SliceKey, list[str]]:
    """``(slice name, slice value) -> query ids`` for every slice with at least one query.

    Queries keep the golden set's order within each slice; provenance slices
    (origin, generator, prompt version, annotator) are only given to items that
    judge at least one sample relevant, and only when ``info`` is given (``None``:
    no graph to read provenance from, so tag and author slices only).
    """
    out: dict[SliceKey, list[str]] = {}

    def add(name: str, value: str, qid: str) -> None:
        members = out.setdefault((name, value), [])
        if not members or members[-1] != qid:
            members.append(qid)

    for item in items:
        qid = item.query_id
        for tag in dict.fromkeys(item.tags):
            add("tag", tag, qid)
        author = item.author or set_author
        if author:
            add("author", author, qid)
        relevant = [sid for sid, grade in item.relevant.items() if grade >= rel_level]
        if not relevant or info is None:
            continue
        known = [info[sid] for sid in relevant if sid in info]
        add("origin", origin_class(s.origin for s in known), qid)
        synthetic = [s for s in known if s.origin == "synthetic"]
        for gen in sorted({g for s in synthetic for g in s.generators}):
            add("generator", gen, qid)
        for prompt in sorted({p for s in synthetic for p in s.prompt_versions}):
            add("prompt_version", prompt, qid)
        for person in sorted({a for s in known for a in s.annotators}):
            add("annotator", person, qid)
    order = {name: i for i, name in enumerate(SLICE_FAMILIES)}
    return dict(sorted(out.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])))


def gold_origin_views(
    items: Sequence[GoldenItem],
    info: Mapping[str, GoldSampleInfo],
    *,
    rel_level: int = 1,
) -> dict[str, dict[str, set[str]]]:
    """``origin -> query id -> relevant sample ids to take out`` for the ``gold_origin``
    slices: a query is in ``gold_origin=o`` when at least one of its relevant
    samples has origin ``o``; what is taken out are its other relevant samples."""
    out: dict[str, dict[str, set[str]]] = {}
    for item in items:
        relevant = [sid for sid, grade in item.relevant.items() if grade >= rel_level]
        by_origin: dict[str, set[str]] = {}
        for sid in relevant:
            origin = info[sid].origin if sid in info else None
            if origin in ORIGINS:
                by_origin.setdefault(str(origin), set()).add(sid)
        for origin, keep in sorted(by_origin.items()):
            out.setdefault(origin, {})[item.query_id] = set(relevant) - keep
    return dict(sorted(out.items()))


def synthetic_share(
    origins_by_query: Mapping[str, Sequence[str | None]], k: int
) -> dict[str, float]:
    """Per query: synthetic samples among its top ``k`` results / results in the top ``k``.

    ``origins_by_query`` lists the origin of each result in rank order (None when
    unknown, which counts as not synthetic). A query with no result scores 0.
    """
    out: dict[str, float] = {}
    for qid, origins in origins_by_query.items():
        top = list(origins[:k])
        out[qid] = sum(1 for o in top if o == "synthetic") / len(top) if top else 0.0
    return out


def slice_label(name: str, value: str) -> str:
    """``origin=real`` (and ``overall`` for the overall slice)."""
    return name if name == "overall" else f"{name}={value}"
