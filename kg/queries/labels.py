"""Labels of samples, as inter-annotator agreement reads them.

Which samples count:

- no ``version``: the *current* samples (:mod:`kg.queries.current`), of ``dataset``
  when given;
- with ``version``: the members of that dataset version as it was ingested
  (:func:`kg.queries.versions.version_members_pattern`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from kg import ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.model import LabelValue
from kg.queries.current import current_sample
from kg.queries.versions import annotator_kinds_values, version_members_pattern


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One label of one field, with its sample, annotator and annotation."""

    sample: str
    external_id: str
    #: name of the dataset the sample belongs to
    dataset: str
    label: str
    annotator: str
    value: LabelValue
    origin: str | None = None
    guideline_version: str | None = None
    #: end of the annotation activity, when recorded
    labeled_at: datetime | None = None


def _scope(dataset: str | None, version: str | None) -> str:
    if version is not None:
        if dataset is None:
            raise QueryError(f"a dataset version ({version!r}) needs its dataset; give dataset")
        return version_members_pattern("?s", dataset, version)
    pattern = current_sample("?s")
    if dataset is not None:
        dataset_node = f"<{ids.dataset_iri(dataset)}>"
        pattern += f"\n  ?s pr:inDatasetVersion ?dv . ?dv dcterms:isVersionOf {dataset_node} ."
    return pattern


def field_labels(
    kg: KnowledgeGraph,
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Collection[str] | None = None,
) -> list[LabelRow]:
    """Every label of ``field`` on the samples in scope (see the module docstring), one
    row per label; only labels whose annotation has one of ``annotator_kinds`` (a
    ``pr:annotatorKind``) when given, else every label with an annotator kind."""
    scope = _scope(dataset, version)
    kinds = "" if annotator_kinds is None else annotator_kinds_values(annotator_kinds)
    rows = kg.select(
        f"""
SELECT DISTINCT ?s ?id ?ds ?origin ?l ?name ?value ?gv ?at WHERE {{
  {scope}
  ?s pr:externalId ?id ; pr:inDatasetVersion ?sdv .
  ?sdv pr:datasetName ?ds .
  OPTIONAL {{ ?s pr:origin ?origin }}
  ?s pr:hasLabel ?l .
  ?l pr:labelField {lit(field)} ; pr:labelValue ?value ; prov:wasAttributedTo ?agent .
  ?agent rdfs:label ?name .
  ?l prov:wasGeneratedBy ?a .
  ?a pr:annotatorKind ?kind .
  {kinds}
  OPTIONAL {{ ?a pr:guideline ?g . ?g pr:guidelineVersion ?gv }}
  OPTIONAL {{ ?a prov:endedAtTime ?at }}
}}"""
    )
    out: dict[str, LabelRow] = {}
    for r in rows:
        if r["l"] in out:  # one label, one row (whatever joins repeated it)
            continue
        at = r.get("at")
        out[r["l"]] = LabelRow(
            sample=r["s"],
            external_id=r["id"],
            dataset=r["ds"],
            label=r["l"],
            annotator=r["name"],
            value=r["value"],
            origin=r.get("origin"),
            guideline_version=r.get("gv"),
            labeled_at=at if isinstance(at, datetime) else None,
        )
    return list(out.values())


def label_fields(kg: KnowledgeGraph) -> list[str]:
    """The label fields present on current samples, sorted."""
    rows = kg.select(
        f"SELECT DISTINCT ?f WHERE {{ {current_sample('?s')} "
        "?s pr:hasLabel ?l . ?l pr:labelField ?f . } ORDER BY ?f"
    )
    return [str(r["f"]) for r in rows]
