"""Erasure reads and writes: which revisions an erasure reaches, and the updates that
remove their content (text, metadata, labels, mentions) while the skeleton stays.

An erasure reaches every revision of the named sample and, following
``prov:wasDerivedFrom`` backwards, every revision of each sample derived from one of
them (and so on). Content means ``pr:text``, ``pr:metadata``, the labels with their
annotation activities, the mentions and the ``pr:mentions`` edges; ids, content
hashes, dataset versions, batches, generations and derivations stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg import ids as kg_ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.queries.current import bind_current
from kg.store.base import SelectResult

#: sample properties that carry content (removed by an erasure)
CONTENT_PROPERTIES = (
    "pr:text",
    "pr:metadata",
    "pr:hasLabel",
    "pr:hasMention",
    "pr:mentions",
    "pr:entityExtraction",
)


@dataclass(frozen=True, slots=True)
class ErasedRevision:
    """A sample revision an erasure reaches, with what it had before."""

    iri: str
    logical: str
    external_id: str
    dataset: str
    content_hash: str
    current: bool
    #: None once erased
    text: str | None
    #: already erased by an earlier erasure (has ``pr:erasedBy``)
    erased: bool = False


#: properties whose literals are data of their own (a text, a name, a label, metadata):
#: an erased string found there is shared with what stays, and is left alone
OWN_DATA_PROPERTIES = (
    "pr:text",
    "pr:metadata",
    "pr:labelValue",
    "pr:mentionText",
    "pr:normalizedName",
    "skos:prefLabel",
    "skos:altLabel",
)


@dataclass(frozen=True, slots=True)
class LiteralHit:
    """A literal holding erased text: ``graph``, ``subject``, ``predicate``, the literal
    in N-Triples syntax, and whether it is data of its own (:data:`OWN_DATA_PROPERTIES`:
    shared, kept) rather than a copy (an answer quoting it, say: scrubbed)."""

    graph: str
    subject: str
    predicate: str
    literal: str
    value: str
    own_data: bool


def _iris(values: Iterable[str]) -> str:
    return " ".join(f"<{v}>" for v in sorted(set(values)))


def revisions_query(logicals: Iterable[str]) -> str:
    """SPARQL: every revision of the logical samples, with id, hash, text and currency."""
    return f"""SELECT ?s ?logical ?id ?dataset ?hash ?text ?current ?erased WHERE {{
  VALUES ?logical {{ {_iris(logicals)} }}
  ?s a pr:Sample ; prov:specializationOf ?logical ; pr:externalId ?id ; pr:contentHash ?hash ;
     pr:inDatasetVersion/pr:datasetName ?dataset .
  OPTIONAL {{ ?s pr:text ?text }}
  BIND(EXISTS {{ ?s pr:erasedBy ?_erasure }} AS ?erased)
  {bind_current("?s")}
}} ORDER BY ?s"""


def revisions_of(kg: KnowledgeGraph, logicals: Iterable[str]) -> list[ErasedRevision]:
    """Every revision of ``logicals`` (IRIs of logical samples), ordered by IRI."""
    wanted = set(logicals)
    if not wanted:
        return []
    return [
        ErasedRevision(
            iri=str(r["s"]),
            logical=str(r["logical"]),
            external_id=str(r["id"]),
            dataset=str(r["dataset"]),
            content_hash=str(r["hash"]),
            current=bool(r["current"]),
            text=None if r.get("text") is None else str(r["text"]),
            erased=bool(r["erased"]),
        )
        for r in kg.select(revisions_query(wanted))
    ]


def derived_logicals_query(samples: Iterable[str]) -> str:
    """SPARQL: the logical samples of the revisions derived from ``samples``."""
    return f"""SELECT DISTINCT ?logical WHERE {{
  VALUES ?source {{ {_iris(samples)} }}
  ?derived prov:wasDerivedFrom ?source ; a pr:Sample ; prov:specializationOf ?logical .
}}"""


def derived_logicals(kg: KnowledgeGraph, samples: Iterable[str]) -> set[str]:
    """Logical samples with a revision derived from one of ``samples``."""
    wanted = set(samples)
    if not wanted:
        return set()
    return {str(r["logical"]) for r in kg.select(derived_logicals_query(wanted))}


def erasure_closure(kg: KnowledgeGraph, dataset: str, external_id: str) -> list[ErasedRevision]:
    """Every revision of the sample and of all samples derived from it, transitively
    (empty when the sample is unknown)."""
    seen: set[str] = set()
    frontier = {kg_ids.logical_sample_iri(dataset, external_id)}
    revisions: dict[str, ErasedRevision] = {}
    while frontier:
        seen |= frontier
        found = revisions_of(kg, frontier)
        revisions.update((r.iri, r) for r in found)
        frontier = derived_logicals(kg, [r.iri for r in found]) - seen
    return [revisions[k] for k in sorted(revisions)]


def mentioned_entities(kg: KnowledgeGraph, samples: Sequence[str]) -> set[str]:
    """Entities the ``samples`` mention."""
    if not samples:
        return set()
    rows = kg.select(
        f"SELECT DISTINCT ?e WHERE {{ VALUES ?s {{ {_iris(samples)} }} ?s pr:mentions ?e }}"
    )
    return {str(r["e"]) for r in rows}


def content_values_query(samples: Sequence[str]) -> str:
    """SPARQL: the literals of the content an erasure removes (besides the text):
    mention texts, metadata, label values and the names of the entities mentioned."""
    return f"""SELECT DISTINCT ?v WHERE {{
  VALUES ?s {{ {_iris(samples)} }}
  {{ ?s pr:hasMention/pr:mentionText ?v }}
  UNION {{ ?s pr:metadata ?v }}
  UNION {{ ?s pr:hasLabel/pr:labelValue ?v }}
  UNION {{ ?s pr:mentions/(skos:prefLabel|skos:altLabel|pr:normalizedName) ?v }}
}}"""


def content_values(kg: KnowledgeGraph, samples: Sequence[str]) -> list[str]:
    """The literal values :func:`content_values_query` finds, as strings."""
    if not samples:
        return []
    return sorted({str(r["v"]) for r in kg.select(content_values_query(samples)) if "v" in r})


def remove_content_update(samples: Sequence[str]) -> str:
    """SPARQL update removing the content of ``samples`` from every graph (see module)."""
    props = " ".join(CONTENT_PROPERTIES)
    return f"""DELETE {{ GRAPH ?g {{ ?x ?p ?o }} }}
WHERE {{
  VALUES ?s {{ {_iris(samples)} }}
  {{
    VALUES ?p {{ {props} }}
    GRAPH ?g {{ ?s ?p ?o }}
    BIND(?s AS ?x)
  }} UNION {{
    GRAPH ?g1 {{ ?s pr:hasLabel ?x }}
    GRAPH ?g {{ ?x ?p ?o }}
  }} UNION {{
    GRAPH ?g1 {{ ?s pr:hasLabel ?label }}
    GRAPH ?g2 {{ ?label prov:wasGeneratedBy ?x }}
    GRAPH ?g {{ ?x ?p ?o }}
  }} UNION {{
    GRAPH ?g1 {{ ?s pr:hasMention ?x }}
    GRAPH ?g {{ ?x ?p ?o }}
  }}
}}"""


def remove_orphan_entities_update(entities: Iterable[str]) -> str:
    """SPARQL update removing, from ingest batch graphs, the entities of ``entities`` that
    no sample mentions any more (their names may come from the erased text)."""
    return f"""DELETE {{ GRAPH ?g {{ ?e ?p ?o }} }}
WHERE {{
  VALUES ?e {{ {_iris(entities)} }}
  GRAPH ?g {{ ?e ?p ?o }}
  GRAPH ?gb {{ ?g a pr:IngestBatch }}
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?other pr:mentions ?e }} }}
  FILTER NOT EXISTS {{ GRAPH ?h2 {{ ?mention pr:mentionOf ?e }} }}
}}"""


def literals_query(needles: Sequence[str]) -> str:
    """SPARQL: every literal, in any graph, that contains one of ``needles``."""
    tests = " || ".join(f"CONTAINS(STR(?o), {lit(n)})" for n in needles)
    return f"""SELECT ?g ?s ?p ?o ?own WHERE {{
  GRAPH ?g {{ ?s ?p ?o FILTER(isLiteral(?o) && ({tests})) }}
  BIND(?p IN ({", ".join(OWN_DATA_PROPERTIES)}) AS ?own)
}}"""


def literals_containing(kg: KnowledgeGraph, needles: Sequence[str]) -> list[LiteralHit]:
    """Literals holding one of ``needles`` (none given: none)."""
    if not needles:
        return []
    result = kg.query(literals_query(needles))
    if not isinstance(result, SelectResult):
        return []
    return [
        LiteralHit(
            graph=str(r["g"].value),  # type: ignore[union-attr]
            subject=str(r["s"]),
            predicate=str(r["p"].value),  # type: ignore[union-attr]
            literal=str(r["o"]),
            value=str(r["o"].value),  # type: ignore[union-attr]
            own_data=str(r["own"].value) == "true",  # type: ignore[union-attr]
        )
        for r in result.rows
    ]


def replace_literal_update(hit: LiteralHit, replacement: str) -> str:
    """SPARQL update putting ``replacement`` in place of the literal of ``hit``."""
    subject = hit.subject if hit.subject.startswith("<") else "?s"
    return f"""DELETE {{ GRAPH <{hit.graph}> {{ {subject} <{hit.predicate}> ?o }} }}
INSERT {{ GRAPH <{hit.graph}> {{ {subject} <{hit.predicate}> {lit(replacement)} }} }}
WHERE {{
  GRAPH <{hit.graph}> {{ {subject} <{hit.predicate}> ?o FILTER(sameTerm(?o, {hit.literal})) }}
}}"""


def entities_present(kg: KnowledgeGraph, entities: Iterable[str]) -> set[str]:
    """Those of ``entities`` the graph still holds (typed ``pr:Entity``)."""
    wanted = set(entities)
    if not wanted:
        return set()
    rows = kg.select(f"SELECT ?e WHERE {{ VALUES ?e {{ {_iris(wanted)} }} ?e a pr:Entity }}")
    return {str(r["e"]) for r in rows}
