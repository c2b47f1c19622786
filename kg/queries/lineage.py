"""Lineage reads: what :mod:`kg.provenance` asks the graph to build a trace.

Resolving what an id names (an answer, a sample revision, a logical sample, an
external id), a node's properties, an answer's citations, a revision's newer
revisions, the samples derived from a revision and a sample's entity mentions.
Values are Python values (:func:`kg.graph.to_python`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg.graph import KnowledgeGraph
from kg.mapping import SKOS, lit
from kg.queries.current import bind_current
from kg.terms import PR_NS

#: score of a citation; not yet a declared term of :class:`kg.terms.PR`
_SCORE = f"{PR_NS}score"

#: predicate IRI -> its values
Props = dict[str, list[Any]]


@dataclass(frozen=True, slots=True)
class Citation:
    """One sentence of a recorded answer and the sample it cites."""

    iri: str
    position: int
    sentence: str
    sample: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class MentionedEntity:
    """An entity a sample mentions, with its mentions in that sample."""

    iri: str
    name: str | None
    entity_type: str | None
    #: how many mention nodes of the sample point to it
    mentions: int
    #: the distinct texts of those mentions, sorted
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DerivedSample:
    """A sample revision that ``prov:wasDerivedFrom`` another, with how it was made."""

    iri: str
    external_id: str | None
    #: a dataset it is a member of (the first by name)
    dataset: str | None
    kind: str | None
    origin: str | None
    text: str | None
    invalidated_at: Any = None
    #: the generation activity and its configuration (synthetic samples)
    generation: str | None = None
    config: str | None = None
    generator: str | None = None
    model: str | None = None
    prompt_template: str | None = None
    prompt_version: str | None = None


@dataclass(frozen=True, slots=True)
class ExternalIdMatch:
    """A logical sample whose revisions carry an external id, and a dataset it is in."""

    logical: str
    #: None when no revision is a member of a named dataset version
    dataset: str | None


def is_answer(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether ``iri`` is a recorded answer (``pr:Answer``)."""
    return kg.ask(f"ASK {{ <{iri}> a pr:Answer }}")


def is_sample(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether ``iri`` is a sample revision (``pr:Sample``)."""
    return kg.ask(f"ASK {{ <{iri}> a pr:Sample }}")


def revision_to_trace(kg: KnowledgeGraph, logical: str) -> str | None:
    """The revision a trace of a logical sample starts from; None when it has none.

    The current revision (the first by IRI, should there be several), else the
    one invalidated last.
    """
    rows = kg.select(
        "SELECT DISTINCT ?s ?current ?inv WHERE { ?s a pr:Sample ; prov:specializationOf "
        f"<{logical}> . {bind_current('?s', '?current')} "
        "OPTIONAL { ?s prov:invalidatedAtTime ?inv } }"
    )
    if not rows:
        return None
    current = sorted(r["s"] for r in rows if r["current"])
    if current:
        return str(current[0])
    latest = max(rows, key=lambda r: (str(r.get("inv")), r["s"]))
    return str(latest["s"])


def samples_with_external_id(kg: KnowledgeGraph, external_id: str) -> list[ExternalIdMatch]:
    """The logical samples with a revision whose ``pr:externalId`` is ``external_id``."""
    rows = kg.select(
        "SELECT DISTINCT ?l ?ds WHERE { ?s a pr:Sample ; pr:externalId "
        f"{lit(external_id)} ; prov:specializationOf ?l . "
        "OPTIONAL { ?s pr:inDatasetVersion ?dv . ?dv pr:datasetName ?ds } }"
    )
    return [
        ExternalIdMatch(str(r["l"]), None if r.get("ds") is None else str(r["ds"])) for r in rows
    ]


def node_properties(kg: KnowledgeGraph, node: str) -> Props:
    """Every ``<node> ?p ?o``: predicate IRI -> values."""
    out: Props = defaultdict(list)
    for row in kg.select(f"SELECT DISTINCT ?p ?o WHERE {{ <{node}> ?p ?o }}"):
        out[row["p"]].append(row["o"])
    return out


def citations_of(kg: KnowledgeGraph, answer: str) -> list[Citation]:
    """The citations of a recorded answer, by position."""
    rows = kg.select(
        "SELECT DISTINCT ?c ?pos ?sentence ?sample ?score WHERE { "
        f"<{answer}> pr:citation ?c . ?c pr:position ?pos ; pr:sentence ?sentence ; "
        f"pr:citedSample ?sample . OPTIONAL {{ ?c <{_SCORE}> ?score }} }} ORDER BY ?pos"
    )
    return [
        Citation(
            iri=r["c"],
            position=r["pos"],
            sentence=r["sentence"],
            sample=r["sample"],
            score=r.get("score"),
        )
        for r in rows
    ]


def newer_revisions(kg: KnowledgeGraph, sample: str) -> list[str]:
    """The revisions that ``prov:wasRevisionOf`` ``sample``, by IRI."""
    rows = kg.select(f"SELECT DISTINCT ?n WHERE {{ ?n prov:wasRevisionOf <{sample}> }} ORDER BY ?n")
    return [str(r["n"]) for r in rows]


def derived_samples(kg: KnowledgeGraph, sample: str) -> list[DerivedSample]:
    """The sample revisions that ``prov:wasDerivedFrom`` ``sample``, by IRI.

    Answers derived from it are not samples and are left out.
    """
    rows = kg.select(
        "SELECT ?d ?ext ?dataset ?kind ?origin ?text ?inv ?g ?c ?generator ?model ?template "
        f"?pv WHERE {{ ?d prov:wasDerivedFrom <{sample}> ; a pr:Sample . "
        "OPTIONAL { ?d pr:externalId ?ext } OPTIONAL { ?d pr:kind ?kind } "
        "OPTIONAL { ?d pr:origin ?origin } OPTIONAL { ?d pr:text ?text } "
        "OPTIONAL { ?d prov:invalidatedAtTime ?inv } "
        "OPTIONAL { ?d pr:inDatasetVersion ?dv . ?dv pr:datasetName ?dataset } "
        "OPTIONAL { ?d prov:wasGeneratedBy ?g . ?g a pr:Generation ; prov:used ?c . "
        "?c a pr:GeneratorConfig . OPTIONAL { ?c pr:generatorName ?generator } "
        "OPTIONAL { ?c pr:modelName ?model } OPTIONAL { ?c pr:promptTemplate ?template } "
        "OPTIONAL { ?c pr:promptVersion ?pv } } }"
    )
    # a row per dataset version: keep the first dataset by name
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        kept = best.get(r["d"])
        if kept is None or str(r.get("dataset") or "") < str(kept.get("dataset") or ""):
            best[r["d"]] = r
    return [
        DerivedSample(
            iri=d,
            external_id=r.get("ext"),
            dataset=r.get("dataset"),
            kind=r.get("kind"),
            origin=r.get("origin"),
            text=r.get("text"),
            invalidated_at=r.get("inv"),
            generation=r.get("g"),
            config=r.get("c"),
            generator=r.get("generator"),
            model=r.get("model"),
            prompt_template=r.get("template"),
            prompt_version=r.get("pv"),
        )
        for d, r in sorted(best.items())
    ]


def mentioned_entities(kg: KnowledgeGraph, sample: str) -> list[MentionedEntity]:
    """The entities ``sample`` mentions (``pr:mentions``), by IRI."""
    rows = kg.select(
        f"SELECT DISTINCT ?e ?name ?type ?m ?text WHERE {{ <{sample}> pr:mentions ?e . "
        f"OPTIONAL {{ ?e <{SKOS}prefLabel> ?name }} OPTIONAL {{ ?e pr:entityType ?type }} "
        f"OPTIONAL {{ <{sample}> pr:hasMention ?m . ?m pr:mentionOf ?e ; "
        "pr:mentionText ?text } }"
    )
    found: dict[str, tuple[Any, Any, set[str], set[str]]] = {}
    for r in rows:
        _, _, mentions, texts = found.setdefault(
            r["e"], (r.get("name"), r.get("type"), set(), set())
        )
        if r.get("m") is not None:
            mentions.add(r["m"])
        if r.get("text") is not None:
            texts.add(r["text"])
    return [
        MentionedEntity(
            iri=iri,
            name=name,
            entity_type=entity_type,
            mentions=len(mentions),
            texts=tuple(sorted(texts)),
        )
        for iri, (name, entity_type, mentions, texts) in sorted(found.items())
    ]
