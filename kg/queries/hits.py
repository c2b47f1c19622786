"""What a search hit shows besides its scores, for many samples in ONE query each.

:func:`hit_details` asks the graph once (``VALUES ?s { ... }``) for each sample's
text, external id, dataset and version, origin, generator configuration (name,
model, prompt template and version) and seed, annotators and guideline
versions, ingest batch and the sha256 of the batch's source file(s). It also
says whether the sample is invalidated, so a caller can drop one that was
invalidated after its index was last synced.

:func:`provenance_classes` gives the trust class of samples, for provenance
weighting: ``human_labelled`` (a label by a human annotator), else the origin.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.model import ProvenanceSummary
from kg.store.base import SelectResult
from kg.typing import ORIGINS, Origin, ProvenanceClass

#: an origin as stored -> the origin (anything else: unknown)
_ORIGINS: dict[str | None, Origin] = {o: o for o in ORIGINS}
_ORIGIN_CLASS: dict[str | None, ProvenanceClass] = {o: o for o in ORIGINS}

_SEP = "\u001f"

_HIT_DETAILS = """
SELECT ?s ?ext ?text ?origin ?inv ?generator ?model ?template ?prompt_version ?seed ?dataset
       (GROUP_CONCAT(DISTINCT STR(?version); separator="{sep}") AS ?versions)
       (GROUP_CONCAT(DISTINCT STR(?annotator); separator="{sep}") AS ?annotators)
       (GROUP_CONCAT(DISTINCT STR(?guideline_version); separator="{sep}") AS ?guidelines)
       (GROUP_CONCAT(DISTINCT STR(?batch); separator="{sep}") AS ?batches)
       (GROUP_CONCAT(DISTINCT STR(?sha); separator="{sep}") AS ?shas)
WHERE {{
  VALUES ?s {{ {values} }}
  ?s a pr:Sample ;
     pr:text ?text .
  OPTIONAL {{ ?s pr:externalId ?ext }}
  OPTIONAL {{ ?s pr:origin ?origin }}
  OPTIONAL {{ ?s prov:invalidatedAtTime ?inv }}
  OPTIONAL {{ ?s pr:inDatasetVersion ?dv . ?dv pr:datasetName ?dataset ; pr:versionLabel ?version }}
  OPTIONAL {{
    ?s prov:wasGeneratedBy ?gen . ?gen a pr:Generation ; prov:used ?cfg .
    ?cfg pr:generatorName ?generator .
    OPTIONAL {{ ?cfg pr:modelName ?model }}
    OPTIONAL {{ ?cfg pr:promptTemplate ?template }}
    OPTIONAL {{ ?cfg pr:promptVersion ?prompt_version }}
    OPTIONAL {{ ?cfg pr:seed ?seed }}
  }}
  OPTIONAL {{
    ?s pr:hasLabel ?label .
    ?label prov:wasAttributedTo ?agent .
    ?agent rdfs:label ?annotator .
    OPTIONAL {{ ?label prov:wasGeneratedBy ?ann . ?ann pr:guideline ?gd .
               ?gd pr:guidelineVersion ?guideline_version }}
  }}
  OPTIONAL {{
    ?s pr:ingestedIn ?batch .
    OPTIONAL {{ ?batch prov:used ?file . ?file pr:sha256 ?sha }}
  }}
}}
GROUP BY ?s ?ext ?text ?origin ?inv ?generator ?model ?template ?prompt_version ?seed ?dataset
"""

_CLASSES = """
SELECT ?s ?origin (COUNT(?human) AS ?human_labels) WHERE {{
  VALUES ?s {{ {values} }}
  OPTIONAL {{ ?s pr:origin ?origin }}
  OPTIONAL {{ ?s pr:hasLabel ?l . ?l prov:wasGeneratedBy ?human .
             ?human pr:annotatorKind "human" }}
}}
GROUP BY ?s ?origin
"""


class HitDetails(BaseModel):
    """What a hit shows besides its scores: text, ids and a provenance summary."""

    model_config = ConfigDict(frozen=True)

    iri: str
    external_id: str
    text: str
    dataset: str | None
    #: invalidated since the index was synced: never show it
    invalidated: bool
    provenance: ProvenanceSummary


def _values(iris: Sequence[str]) -> str:
    for iri in iris:
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise QueryError(f"not a valid sample IRI: {iri!r}; pass IRIs as the index holds them")
    return " ".join(f"<{iri}>" for iri in iris)


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return sorted(v for v in str(value.value).split(_SEP) if v)


def _natural(text: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _str(value: Any) -> str | None:
    return None if value is None else str(value.value)


def _select(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Any]]:
    result = kg.query(sparql)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the hit query did not return rows")
    return result.rows


def hit_details(kg: KnowledgeGraph, iris: Sequence[str]) -> dict[str, HitDetails]:
    """Text and provenance of the samples ``iris`` (samples not in the graph are absent).

    A sample with several datasets, origins or generators (which the mapping never
    writes) keeps the first row the store returns; the version is the highest one
    in natural order (``10`` after ``9``).
    """
    unique = list(dict.fromkeys(iris))
    if not unique:
        return {}
    out: dict[str, HitDetails] = {}
    for r in _select(kg, _HIT_DETAILS.format(sep=_SEP, values=_values(unique))):
        iri = str(r["s"].value)
        if iri in out:
            continue
        seed = _str(r.get("seed"))
        versions = _split(r.get("versions"))
        batches = _split(r.get("batches"))
        origin = _str(r.get("origin"))
        summary = ProvenanceSummary(
            origin=_ORIGINS.get(origin),
            dataset=_str(r.get("dataset")),
            version=max(versions, key=_natural) if versions else None,
            generator=_str(r.get("generator")),
            model=_str(r.get("model")),
            prompt_template=_str(r.get("template")),
            prompt_version=_str(r.get("prompt_version")),
            seed=int(seed) if seed is not None and seed.lstrip("-").isdigit() else None,
            annotators=_split(r.get("annotators")),
            guideline_versions=_split(r.get("guidelines")),
            batch=batches[0] if batches else None,
            source_sha256=", ".join(_split(r.get("shas"))) or None,
        )
        out[iri] = HitDetails(
            iri=iri,
            external_id=_str(r.get("ext")) or "",
            text=str(r["text"].value),
            dataset=summary.dataset,
            invalidated=r.get("inv") is not None,
            provenance=summary,
        )
    return out


def provenance_classes(kg: KnowledgeGraph, iris: Sequence[str]) -> dict[str, ProvenanceClass]:
    """``human_labelled``, ``real``, ``synthetic`` (or ``unknown``) for each of ``iris``."""
    unique = list(dict.fromkeys(iris))
    if not unique:
        return {}
    out: dict[str, ProvenanceClass] = {}
    for r in _select(kg, _CLASSES.format(values=_values(unique))):
        iri = str(r["s"].value)
        human = r.get("human_labels")
        if human is not None and int(human.value) > 0:
            out[iri] = "human_labelled"
        elif iri not in out:
            out[iri] = _ORIGIN_CLASS.get(_str(r.get("origin")), "unknown")
    return out
