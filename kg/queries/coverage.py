"""The samples of a dataset as the coverage monitor sees them: origin, kind, the
generator configuration of a synthetic one, label values and mentioned entities."""

from __future__ import annotations

import json
from dataclasses import dataclass

from kg.graph import KnowledgeGraph
from kg.queries.current import is_current

_SEP = "\u241f"

_SAMPLES = f"""
SELECT ?s ?ext ?origin ?kind ?text ?generator ?template ?prompt_version
       (GROUP_CONCAT(DISTINCT ?label_text; separator="{_SEP}") AS ?labels)
       (GROUP_CONCAT(DISTINCT ?entity_name; separator="{_SEP}") AS ?entities)
WHERE {{
  ?s a pr:Sample ;
     pr:inDatasetVersion/pr:datasetName %s ;
     pr:externalId ?ext ;
     pr:origin ?origin ;
     pr:kind ?kind ;
     pr:text ?text .
  {is_current("?s")}
  OPTIONAL {{
    ?s prov:wasGeneratedBy/prov:used ?config .
    ?config a pr:GeneratorConfig ; pr:generatorName ?generator .
    OPTIONAL {{ ?config pr:promptTemplate ?template }}
    OPTIONAL {{ ?config pr:promptVersion ?prompt_version }}
  }}
  OPTIONAL {{
    ?s pr:hasLabel ?label .
    ?label pr:labelField ?field ; pr:labelValue ?value .
    BIND(CONCAT(?field, "=", STR(?value)) AS ?label_text)
  }}
  OPTIONAL {{
    ?s pr:mentions ?entity .
    ?entity skos:prefLabel ?entity_name .
  }}
}}
GROUP BY ?s ?ext ?origin ?kind ?text ?generator ?template ?prompt_version
ORDER BY ?ext ?s
"""


@dataclass(frozen=True)
class CoverageSample:
    iri: str
    external_id: str
    origin: str
    kind: str
    text: str
    #: ``generator/prompt template/prompt version`` of a synthetic sample, else None
    config: str | None
    #: ``field=value`` of each label (distinct; several annotators count once)
    labels: tuple[str, ...]
    #: preferred names of the entities it mentions
    entities: tuple[str, ...]


def _split(value: object) -> tuple[str, ...]:
    return tuple(sorted(v for v in str(value).split(_SEP) if v)) if value else ()


def dataset_samples(kg: KnowledgeGraph, dataset: str) -> list[CoverageSample]:
    """The current samples of ``dataset`` (every version), sorted by external id."""
    out = []
    seen: set[str] = set()
    for r in kg.select(_SAMPLES % json.dumps(dataset)):
        iri = str(r["s"])
        if iri in seen:  # a revision with two texts: keep the first
            continue
        seen.add(iri)
        generator = r.get("generator")
        config = None
        if generator is not None:
            parts = [
                str(generator),
                str(r.get("template") or ""),
                str(r.get("prompt_version") or ""),
            ]
            config = "/".join(parts)
        out.append(
            CoverageSample(
                iri=iri,
                external_id=str(r["ext"]),
                origin=str(r["origin"]),
                kind=str(r["kind"]),
                text=str(r["text"]),
                config=config,
                labels=_split(r.get("labels")),
                entities=_split(r.get("entities")),
            )
        )
    return out
