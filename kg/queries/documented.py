"""Documented SPARQL queries (``docs/sparql.md`` quotes them verbatim) and their helpers.

provrag's prefixes (``pr:``, ``prid:``, ``prov:``, ``rdfs:``, ...) are predeclared by
:meth:`kg.graph.KnowledgeGraph.query` and by ``provrag sparql``, so the queries do
not repeat them.
"""

from __future__ import annotations

from typing import Any

from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.queries.current import bind_current, is_current
from kg.queries.monitors import MONITOR_QUERIES
from kg.queries.releases import RELEASES_QUERY, SERVING_HISTORY_QUERY
from kg.terms import PREFIXES

#: The line of :data:`PROVENANCE_QUERY` that picks one sample; uncomment it to use it.
SELECTOR_LINE = '  # VALUES ?external_id { "kb-0042" }   # one sample: uncomment, put its id'
#: Separator of the GROUP_CONCAT columns.
SEPARATOR = " | "

PROVENANCE_QUERY = f"""\
# Where does a sample come from? One row per sample revision: origin, generator
# configuration (synthetic) or annotators and guideline versions (labels),
# dataset version, ingest batch and the sha256 of the batch's source file(s).
SELECT ?sample ?external_id ?origin ?current
       ?config ?generator ?model ?prompt_template ?prompt_version ?seed
       (GROUP_CONCAT(DISTINCT ?annotator_name; separator="{SEPARATOR}") AS ?annotators)
       (GROUP_CONCAT(DISTINCT ?guideline_version; separator="{SEPARATOR}")
         AS ?guideline_versions)
       (GROUP_CONCAT(DISTINCT ?label_text; separator="{SEPARATOR}") AS ?labels)
       ?dataset (GROUP_CONCAT(DISTINCT ?version; separator="{SEPARATOR}") AS ?versions)
       ?batch (GROUP_CONCAT(DISTINCT ?file_sha256; separator="{SEPARATOR}") AS ?source_sha256)
WHERE {{
{SELECTOR_LINE}
  ?sample a pr:Sample ;
          pr:externalId ?external_id ;
          pr:origin ?origin ;
          pr:inDatasetVersion ?dataset_version .
  ?dataset_version pr:datasetName ?dataset ;
                   pr:versionLabel ?version .
  {bind_current("?sample", "?current")}
  OPTIONAL {{
    ?sample pr:ingestedIn ?batch .
    OPTIONAL {{ ?batch prov:used ?file . ?file pr:sha256 ?file_sha256 . }}
  }}
  OPTIONAL {{
    ?sample prov:wasGeneratedBy ?generation .
    ?generation a pr:Generation ;
                prov:used ?config .
    ?config pr:generatorName ?generator .
    OPTIONAL {{ ?config pr:modelName ?model }}
    OPTIONAL {{ ?config pr:promptTemplate ?prompt_template }}
    OPTIONAL {{ ?config pr:promptVersion ?prompt_version }}
    OPTIONAL {{ ?config pr:seed ?seed }}
  }}
  OPTIONAL {{
    ?sample pr:hasLabel ?label .
    ?label pr:labelField ?field ;
           pr:labelValue ?value ;
           prov:wasAttributedTo ?annotator ;
           prov:wasGeneratedBy ?annotation .
    ?annotator rdfs:label ?annotator_name .
    OPTIONAL {{ ?annotation pr:guideline/pr:guidelineVersion ?guideline_version }}
    BIND(CONCAT(?field, "=", STR(?value), " (", ?annotator_name, ")") AS ?label_text)
  }}
}}
GROUP BY ?sample ?external_id ?origin ?current ?config ?generator ?model
         ?prompt_template ?prompt_version ?seed ?dataset ?batch
ORDER BY ?dataset ?external_id ?sample
"""

CURRENT_SAMPLES_QUERY = f"""\
# Current (not invalidated) samples of one dataset version.
SELECT ?sample ?external_id ?origin ?kind ?text
WHERE {{
  VALUES (?dataset ?version) {{ ("support-kb" "2026.11") }}
  ?dataset_version pr:datasetName ?dataset ;
                   pr:versionLabel ?version .
  ?sample a pr:Sample ;
          pr:inDatasetVersion ?dataset_version ;
          pr:externalId ?external_id ;
          pr:origin ?origin ;
          pr:kind ?kind ;
          pr:text ?text .
  {is_current("?sample")}
}}
ORDER BY ?external_id
"""

SAMPLES_BY_PROMPT_VERSION_QUERY = f"""\
# Current synthetic samples generated with one prompt version.
SELECT ?sample ?external_id ?generator ?prompt_template ?prompt_version ?model ?seed
WHERE {{
  VALUES ?prompt_version {{ "3" }}
  ?config a pr:GeneratorConfig ;
          pr:generatorName ?generator ;
          pr:promptVersion ?prompt_version .
  OPTIONAL {{ ?config pr:promptTemplate ?prompt_template }}
  OPTIONAL {{ ?config pr:modelName ?model }}
  ?generation prov:used ?config .
  OPTIONAL {{ ?config pr:seed ?seed }}
  ?sample prov:wasGeneratedBy ?generation ;
          pr:externalId ?external_id .
  {is_current("?sample")}
}}
ORDER BY ?generator ?external_id
"""

LABEL_DISAGREEMENTS_QUERY = f"""\
# Current samples whose annotators gave different values to the same label field.
SELECT ?sample ?external_id ?field
       (COUNT(DISTINCT ?value) AS ?distinct_values)
       (GROUP_CONCAT(DISTINCT CONCAT(STR(?value), " (", ?annotator, ")");
                     separator="{SEPARATOR}") AS ?labels)
WHERE {{
  ?sample a pr:Sample ;
          pr:externalId ?external_id ;
          pr:hasLabel ?label .
  {is_current("?sample")}
  ?label pr:labelField ?field ;
         pr:labelValue ?value ;
         prov:wasAttributedTo/rdfs:label ?annotator .
}}
GROUP BY ?sample ?external_id ?field
HAVING (COUNT(DISTINCT ?value) > 1)
ORDER BY ?external_id ?field
"""

#: Name -> query, in the order ``docs/sparql.md`` presents them.
DOCUMENTED_QUERIES: dict[str, str] = {
    "provenance": PROVENANCE_QUERY,
    "current-samples": CURRENT_SAMPLES_QUERY,
    "samples-by-prompt-version": SAMPLES_BY_PROMPT_VERSION_QUERY,
    "label-disagreements": LABEL_DISAGREEMENTS_QUERY,
    "releases": RELEASES_QUERY,
    "serving-history": SERVING_HISTORY_QUERY,
    **MONITOR_QUERIES,
}

#: Columns of :data:`PROVENANCE_QUERY`, in order.
PROVENANCE_COLUMNS = (
    "sample",
    "external_id",
    "origin",
    "current",
    "config",
    "generator",
    "model",
    "prompt_template",
    "prompt_version",
    "seed",
    "annotators",
    "guideline_versions",
    "labels",
    "dataset",
    "versions",
    "batch",
    "source_sha256",
)
#: GROUP_CONCAT columns of :data:`PROVENANCE_QUERY`, returned as lists by
#: :func:`provenance_of`.
LIST_COLUMNS = ("annotators", "guideline_versions", "labels", "versions", "source_sha256")

_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _expand(ref: str) -> str | None:
    """An absolute IRI for ``ref`` (``<...>``, ``http...`` or a known prefix), else None."""
    ref = ref.strip()
    if ref.startswith("<") and ref.endswith(">"):
        return ref[1:-1]
    if "://" in ref:
        return ref
    prefix, sep, local = ref.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return None


def provenance_query_for(sample_id_or_iri: str) -> str:
    """:data:`PROVENANCE_QUERY` narrowed to one sample.

    An IRI (full, ``<...>`` or ``prid:...``) selects that revision, or every revision
    of a logical sample; anything else is an external id (in any dataset).
    """
    iri = _expand(sample_id_or_iri)
    if iri is not None:
        if any(c in iri for c in '<>"{}|^`\\ '):
            raise QueryError(f"{sample_id_or_iri!r} is not a valid IRI")
        selector = f"  VALUES ?key {{ <{iri}> }}\n  ?sample prov:specializationOf? ?key ."
    else:
        selector = f'  VALUES ?external_id {{ "{sample_id_or_iri.translate(_STRING_ESCAPES)}" }}'
    return PROVENANCE_QUERY.replace(SELECTOR_LINE, selector, 1)


def provenance_of(kg: KnowledgeGraph, sample_id_or_iri: str) -> list[dict[str, Any]]:
    """Provenance rows (one per matching sample revision) as Python values.

    Every row has all :data:`PROVENANCE_COLUMNS` (None when unbound); the
    GROUP_CONCAT columns (:data:`LIST_COLUMNS`) become sorted lists.
    """
    rows = []
    for raw in kg.select(provenance_query_for(sample_id_or_iri)):
        row = {column: raw.get(column) for column in PROVENANCE_COLUMNS}
        for column in LIST_COLUMNS:
            text = row[column]
            row[column] = sorted(text.split(SEPARATOR)) if text else []
        rows.append(row)
    return rows
