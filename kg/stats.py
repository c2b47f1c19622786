"""Counts that describe a knowledge graph, computed with SPARQL aggregates only.

"Current" samples are the ones not invalidated (:mod:`kg.queries.current`); every
breakdown counts current samples and the labels attached to them.
"""

from __future__ import annotations

from typing import Any

from kg.graph import KnowledgeGraph
from kg.queries.current import current_sample, is_invalidated

_CURRENT = current_sample("?s")

BY_ORIGIN = f"""
SELECT ?origin (COUNT(DISTINCT ?s) AS ?samples)
WHERE {{ {_CURRENT} ?s pr:origin ?origin . }}
GROUP BY ?origin ORDER BY ?origin
"""

BY_DATASET_VERSION = f"""
SELECT ?dataset ?version (COUNT(DISTINCT ?s) AS ?samples)
WHERE {{
  {_CURRENT}
  ?s pr:inDatasetVersion ?dv .
  ?dv pr:datasetName ?dataset ; pr:versionLabel ?version .
}}
GROUP BY ?dataset ?version ORDER BY ?dataset ?version
"""

BY_GENERATOR_CONFIG = f"""
SELECT ?generator ?prompt_template ?prompt_version (COUNT(DISTINCT ?s) AS ?samples)
WHERE {{
  {_CURRENT}
  ?s prov:wasGeneratedBy ?generation .
  ?generation a pr:Generation ; prov:used ?config .
  ?config pr:generatorName ?generator .
  OPTIONAL {{ ?config pr:promptTemplate ?prompt_template }}
  OPTIONAL {{ ?config pr:promptVersion ?prompt_version }}
}}
GROUP BY ?generator ?prompt_template ?prompt_version
ORDER BY ?generator ?prompt_template ?prompt_version
"""

BY_ANNOTATOR = f"""
SELECT ?annotator ?kind (COUNT(DISTINCT ?label) AS ?labels) (COUNT(DISTINCT ?s) AS ?samples)
WHERE {{
  {_CURRENT}
  ?s pr:hasLabel ?label .
  ?label prov:wasAttributedTo ?agent .
  ?agent rdfs:label ?annotator .
  OPTIONAL {{ ?label prov:wasGeneratedBy ?annotation . ?annotation pr:annotatorKind ?kind }}
}}
GROUP BY ?annotator ?kind ORDER BY ?annotator ?kind
"""

BY_LABEL_FIELD = f"""
SELECT ?field (COUNT(DISTINCT ?label) AS ?labels) (COUNT(DISTINCT ?s) AS ?samples)
       (COUNT(DISTINCT ?value) AS ?values)
WHERE {{
  {_CURRENT}
  ?s pr:hasLabel ?label .
  ?label pr:labelField ?field ; pr:labelValue ?value .
}}
GROUP BY ?field ORDER BY ?field
"""

TOTALS = f"""
SELECT ?samples_current ?samples_invalidated ?labels ?entities ?batches ?datasets
WHERE {{
  {{ SELECT (COUNT(DISTINCT ?s) AS ?samples_current) WHERE {{ {_CURRENT} }} }}
  {{ SELECT (COUNT(DISTINCT ?s) AS ?samples_invalidated)
     WHERE {{ ?s a pr:Sample . {is_invalidated("?s")} }} }}
  {{ SELECT (COUNT(DISTINCT ?label) AS ?labels) WHERE {{ {_CURRENT} ?s pr:hasLabel ?label . }} }}
  {{ SELECT (COUNT(DISTINCT ?e) AS ?entities) WHERE {{ ?e a pr:Entity . }} }}
  {{ SELECT (COUNT(DISTINCT ?b) AS ?batches) WHERE {{ ?b a pr:IngestBatch . }} }}
  {{ SELECT (COUNT(DISTINCT ?d) AS ?datasets) WHERE {{ ?d a pr:Dataset . }} }}
}}
"""


def _rows(kg: KnowledgeGraph, sparql: str, columns: list[str]) -> list[dict[str, Any]]:
    """SELECT rows with every column present (None when unbound)."""
    return [{c: row.get(c) for c in columns} for row in kg.select(sparql)]


def graph_stats(kg: KnowledgeGraph) -> dict[str, Any]:
    """Totals and breakdowns of current samples, as plain JSON-able values.

    Keys: ``totals`` (samples_current, samples_invalidated, labels, entities,
    batches, datasets, triples), ``by_origin`` ({origin: samples}),
    ``by_dataset_version``, ``by_generator_config``, ``by_annotator`` and
    ``by_label_field`` (lists of row dicts, each with a ``samples`` count).
    """
    totals_rows = kg.select(TOTALS)
    totals: dict[str, int] = {k: int(v) for k, v in (totals_rows[0] if totals_rows else {}).items()}
    totals["triples"] = kg.triple_count()
    return {
        "totals": totals,
        "by_origin": {r["origin"]: int(r["samples"]) for r in kg.select(BY_ORIGIN)},
        "by_dataset_version": _rows(kg, BY_DATASET_VERSION, ["dataset", "version", "samples"]),
        "by_generator_config": _rows(
            kg, BY_GENERATOR_CONFIG, ["generator", "prompt_template", "prompt_version", "samples"]
        ),
        "by_annotator": _rows(kg, BY_ANNOTATOR, ["annotator", "kind", "labels", "samples"]),
        "by_label_field": _rows(kg, BY_LABEL_FIELD, ["field", "labels", "samples", "values"]),
    }
