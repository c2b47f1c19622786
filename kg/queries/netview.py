"""The reads behind :mod:`kg.netview`: samples, their provenance nodes and their edges.

One query per kind of node or edge over the whole graph (never one per sample), so
that building a networkx view costs a handful of queries whatever its size. Rows are
plain dicts of Python values (:meth:`kg.graph.KnowledgeGraph.select`).
"""

from __future__ import annotations

from typing import Any

from kg.graph import KnowledgeGraph
from kg.queries.current import bind_current, current_sample

Rows = list[dict[str, Any]]

_CURRENT_MENTIONS = f"""
SELECT ?s ?ext ?kind ?origin ?e WHERE {{
  {current_sample("?s")}
  ?s pr:mentions ?e .
  OPTIONAL {{ ?s pr:externalId ?ext }}
  OPTIONAL {{ ?s pr:kind ?kind }}
  OPTIONAL {{ ?s pr:origin ?origin }}
}}
"""


def _entities_query(current_only: bool) -> str:
    which = current_sample("?s") if current_only else "?s a pr:Sample ."
    return f"""
SELECT ?e (MIN(?l) AS ?label) (MIN(?t) AS ?type) (MIN(?n) AS ?norm) WHERE {{
  {which}
  ?s pr:mentions ?e .
  OPTIONAL {{ ?e skos:prefLabel ?l }}
  OPTIONAL {{ ?e pr:entityType ?t }}
  OPTIONAL {{ ?e pr:normalizedName ?n }}
}}
GROUP BY ?e
"""


_SAMPLES = f"""
SELECT ?s ?ext ?origin ?kind ?sensitivity ?current ?invalidated ?config WHERE {{
  ?s a pr:Sample .
  {bind_current("?s", "?current")}
  OPTIONAL {{ ?s pr:externalId ?ext }}
  OPTIONAL {{ ?s pr:origin ?origin }}
  OPTIONAL {{ ?s pr:kind ?kind }}
  OPTIONAL {{ ?s pr:sensitivity ?sensitivity }}
  OPTIONAL {{ ?s prov:invalidatedAtTime ?invalidated }}
  OPTIONAL {{
    ?s prov:wasGeneratedBy ?g . ?g a pr:Generation ; prov:used ?config .
    ?config a pr:GeneratorConfig
  }}
}}
"""

_CONFIGS = """
SELECT DISTINCT ?config ?generator ?model ?template ?prompt_version ?seed WHERE {
  ?config a pr:GeneratorConfig .
  OPTIONAL { ?config pr:generatorName ?generator }
  OPTIONAL { ?config pr:modelName ?model }
  OPTIONAL { ?config pr:promptTemplate ?template }
  OPTIONAL { ?config pr:promptVersion ?prompt_version }
  OPTIONAL { ?config pr:seed ?seed }
}
"""

_MEMBERSHIPS = """
SELECT ?s ?dv ?dataset ?version WHERE {
  ?s a pr:Sample ; pr:inDatasetVersion ?dv .
  OPTIONAL { ?dv pr:datasetName ?dataset }
  OPTIONAL { ?dv pr:versionLabel ?version }
}
"""

_LABELS = """
SELECT ?s ?agent ?name ?person ?field ?guideline_version WHERE {
  ?s a pr:Sample ; pr:hasLabel ?l .
  ?l prov:wasAttributedTo ?agent .
  OPTIONAL { ?agent rdfs:label ?name }
  BIND(EXISTS { ?agent a prov:Person } AS ?person)
  OPTIONAL { ?l pr:labelField ?field }
  OPTIONAL { ?l prov:wasGeneratedBy/pr:guideline/pr:guidelineVersion ?guideline_version }
}
"""

_MENTIONS = """
SELECT DISTINCT ?s ?e WHERE { ?s a pr:Sample ; pr:mentions ?e . }
"""

_DERIVATIONS = """
SELECT DISTINCT ?s ?relation ?source WHERE {
  VALUES (?p ?relation) {
    (prov:wasDerivedFrom "derived_from")
    (prov:wasRevisionOf "revision_of")
  }
  ?s a pr:Sample ; ?p ?source .
  ?source a pr:Sample .
}
"""


def current_mentions(kg: KnowledgeGraph) -> Rows:
    """``?s ?ext ?kind ?origin ?e``: each mention of an entity by a current sample."""
    return kg.select(_CURRENT_MENTIONS)


def mentioned_entities(kg: KnowledgeGraph, *, current_only: bool = True) -> Rows:
    """``?e ?label ?type ?norm``: entities mentioned by a (current, by default) sample."""
    return kg.select(_entities_query(current_only))


def sample_nodes(kg: KnowledgeGraph) -> Rows:
    """``?s ?ext ?origin ?kind ?sensitivity ?current ?invalidated ?config``: every revision."""
    return kg.select(_SAMPLES)


def generator_configs(kg: KnowledgeGraph) -> Rows:
    """``?config ?generator ?model ?template ?prompt_version ?seed``."""
    return kg.select(_CONFIGS)


def memberships(kg: KnowledgeGraph) -> Rows:
    """``?s ?dv ?dataset ?version``: each dataset version a sample revision is a member of."""
    return kg.select(_MEMBERSHIPS)


def label_attributions(kg: KnowledgeGraph) -> Rows:
    """``?s ?agent ?name ?person ?field ?guideline_version``: one row per label of a sample."""
    return kg.select(_LABELS)


def all_mentions(kg: KnowledgeGraph) -> Rows:
    """``?s ?e``: each entity each sample revision mentions."""
    return kg.select(_MENTIONS)


def sample_derivations(kg: KnowledgeGraph) -> Rows:
    """``?s ?relation ?source``: ``derived_from`` / ``revision_of`` edges between samples."""
    return kg.select(_DERIVATIONS)
