"""Entity mentions of the current samples, and the names of the entities: what graph
enrichment builds its sample <-> entity adjacency from (two queries, whole graph);
the same restricted to a few new committed graphs (plus the samples they invalidate),
so the adjacency can be refreshed by the delta of an ingest or delete; and the samples
of a dataset that no entity extraction has seen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from kg import ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.queries.current import is_current
from kg.store.base import SelectResult

_MENTIONS = f"""
SELECT ?s ?ext ?e WHERE {{
  ?s pr:mentions ?e ;
     a pr:Sample .
  OPTIONAL {{ ?s pr:externalId ?ext }}
  {is_current("?s")}
}}
"""

_ENTITIES = """
SELECT ?e (MIN(STR(?l)) AS ?label) (MIN(STR(?t)) AS ?type) (MIN(STR(?n)) AS ?norm) WHERE {
  ?e a pr:Entity .
  OPTIONAL { ?e skos:prefLabel ?l }
  OPTIONAL { ?e pr:entityType ?t }
  OPTIONAL { ?e pr:normalizedName ?n }
}
GROUP BY ?e
"""


class Mention(NamedTuple):
    """A current sample revision mentions an entity (``pr:mentions``)."""

    sample: str
    #: the sample's external id, None when it has none
    external_id: str | None
    entity: str


class EntityName(NamedTuple):
    """An entity node and how it is named (None: not stated in the graph)."""

    iri: str
    label: str | None
    type: str | None
    normalized_name: str | None


def _rows(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Any]]:
    result = kg.query(sparql)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the entity adjacency query did not return rows")
    return result.rows


def _str(term: Any) -> str | None:
    return None if term is None else str(term.value)


def current_mentions(kg: KnowledgeGraph) -> list[Mention]:
    """Every ``sample pr:mentions entity`` of the current samples, in store order."""
    return [
        Mention(str(r["s"].value), _str(r.get("ext")), str(r["e"].value))
        for r in _rows(kg, _MENTIONS)
    ]


def entity_names(kg: KnowledgeGraph) -> list[EntityName]:
    """Every ``pr:Entity`` with its label, type and normalised name (the smallest of
    each when the graph states several), in store order."""
    return [
        EntityName(
            str(r["e"].value), _str(r.get("label")), _str(r.get("type")), _str(r.get("norm"))
        )
        for r in _rows(kg, _ENTITIES)
    ]


def _values(graphs: Sequence[str]) -> str:
    for g in graphs:
        if not g or any(c in g for c in '<>"{}| \n'):
            raise QueryError(f"{g!r} is not a graph IRI; pass the names of committed graphs")
    return " ".join(f"<{g}>" for g in graphs)


def mentions_in_graphs(kg: KnowledgeGraph, graphs: Sequence[str]) -> list[Mention]:
    """The ``sample pr:mentions entity`` stated in the named ``graphs`` (a few new
    batches) whose sample is current: what an ingest added to the adjacency."""
    if not graphs:
        return []
    sparql = f"""
SELECT ?s ?ext ?e WHERE {{
  VALUES ?g {{ {_values(graphs)} }}
  GRAPH ?g {{ ?s pr:mentions ?e }}
  ?s a pr:Sample .
  OPTIONAL {{ ?s pr:externalId ?ext }}
  {is_current("?s")}
}}
"""
    return [
        Mention(str(r["s"].value), _str(r.get("ext")), str(r["e"].value)) for r in _rows(kg, sparql)
    ]


def entity_names_in_graphs(kg: KnowledgeGraph, graphs: Sequence[str]) -> list[EntityName]:
    """The entities first described (``a pr:Entity``) in the named ``graphs``, named as
    :func:`entity_names` names them."""
    if not graphs:
        return []
    sparql = f"""
SELECT ?e (MIN(STR(?l)) AS ?label) (MIN(STR(?t)) AS ?type) (MIN(STR(?n)) AS ?norm) WHERE {{
  VALUES ?g {{ {_values(graphs)} }}
  GRAPH ?g {{ ?e a pr:Entity }}
  OPTIONAL {{ ?e skos:prefLabel ?l }}
  OPTIONAL {{ ?e pr:entityType ?t }}
  OPTIONAL {{ ?e pr:normalizedName ?n }}
}}
GROUP BY ?e
"""
    return [
        EntityName(
            str(r["e"].value), _str(r.get("label")), _str(r.get("type")), _str(r.get("norm"))
        )
        for r in _rows(kg, sparql)
    ]


def invalidated_in_graphs(kg: KnowledgeGraph, graphs: Sequence[str]) -> list[str]:
    """The samples the named ``graphs`` invalidate (a deletion, a newer revision)."""
    if not graphs:
        return []
    sparql = f"""
SELECT DISTINCT ?s WHERE {{
  VALUES ?g {{ {_values(graphs)} }}
  GRAPH ?g {{ ?s prov:invalidatedAtTime ?_t }}
}}
"""
    return [str(r["s"].value) for r in _rows(kg, sparql)]


def samples_without_extraction(kg: KnowledgeGraph, dataset: str) -> int:
    """How many current samples of ``dataset`` were ingested by a batch that ran no
    entity extraction (``provrag ingest --no-ner``, or a BEIR evaluation of a
    retriever without the graph): the entity graph knows nothing of them."""
    d = ids.dataset_iri(dataset)
    rows = kg.select(
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a pr:Sample ; pr:inDatasetVersion ?dv ; pr:ingestedIn ?batch .
  ?dv dcterms:isVersionOf <{d}> .
  {is_current("?s")}
  FILTER NOT EXISTS {{ ?x a pr:EntityExtraction ; prov:wasInformedBy ?batch }}
}}"""
    )
    return int(rows[0]["n"]) if rows else 0
