"""Dataset versions and what they hold, as ingested.

A sample revision belongs to dataset version ``V`` when it has ``pr:inDatasetVersion``
the version's IRI (:func:`kg.ids.dataset_version_iri`). :func:`version_members_pattern`
reads a version *as it was ingested*, with two exceptions: a revision invalidated by
a deletion (``prov:wasInvalidatedBy`` a ``pr:Deletion``) leaves every version, and a
revision superseded by another revision *in the same version* gives way to it. A
revision superseded in a later version still counts for the version it belongs to,
so these reads are not about *current* samples (:mod:`kg.queries.current`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit


def version_members_pattern(var: str, dataset: str, version: str) -> str:
    """SPARQL group pattern binding ``var`` to the members of one dataset version."""
    dv = f"<{ids.dataset_version_iri(dataset, version)}>"
    return (
        f"{var} pr:inDatasetVersion {dv} .\n"
        f"  FILTER NOT EXISTS {{ {var} prov:wasInvalidatedBy ?_del . ?_del a pr:Deletion }}\n"
        f"  FILTER NOT EXISTS {{ ?_newer prov:wasRevisionOf {var} ; pr:inDatasetVersion {dv} }}"
    )


def annotator_kinds_values(kinds: Collection[str], var: str = "?kind") -> str:
    """A ``VALUES`` block binding ``var`` to each of ``kinds`` (sorted)."""
    return f"VALUES {var} {{ {' '.join(lit(k) for k in sorted(kinds))} }}"


def dataset_versions(kg: KnowledgeGraph, dataset: str) -> list[str]:
    """The version labels of ``dataset`` in the graph, sorted."""
    rows = kg.select(
        f"SELECT DISTINCT ?v WHERE {{ ?dv dcterms:isVersionOf <{ids.dataset_iri(dataset)}> ; "
        "pr:versionLabel ?v }"
    )
    return sorted(str(r["v"]) for r in rows)


def has_dataset_version(kg: KnowledgeGraph, dataset: str, version: str) -> bool:
    """Whether the graph knows version ``version`` of ``dataset``."""
    dv = ids.dataset_version_iri(dataset, version)
    return kg.ask(f"ASK {{ <{dv}> a pr:DatasetVersion }}")


def dataset_external_ids(kg: KnowledgeGraph, dataset: str) -> set[str]:
    """External ids of every sample revision of ``dataset`` (any version, current or not)."""
    rows = kg.select(
        f"""
SELECT DISTINCT ?ext WHERE {{
  ?s a pr:Sample ; pr:externalId ?ext ; pr:inDatasetVersion ?dv .
  ?dv pr:datasetName {lit(dataset)} .
}}
"""
    )
    return {str(r["ext"]) for r in rows}


@dataclass(frozen=True, slots=True)
class VersionMember:
    """One sample revision of a dataset version, with what drift compares."""

    revision: str
    logical: str
    external_id: str
    origin: str | None
    #: length of the text in characters (Unicode code points)
    length: int
    #: generator and prompt version of a generated sample's configuration
    generator: str | None = None
    prompt_version: str | None = None


def version_members(kg: KnowledgeGraph, dataset: str, version: str) -> list[VersionMember]:
    """The members of a dataset version (see :func:`version_members_pattern`), one per
    revision (a revision with several generation configurations: the first one read)."""
    rows = kg.select(
        f"""
SELECT ?s ?logical ?id ?origin (STRLEN(?text) AS ?len) ?gen ?pv WHERE {{
  {version_members_pattern("?s", dataset, version)}
  ?s prov:specializationOf ?logical ; pr:externalId ?id ; pr:text ?text .
  OPTIONAL {{ ?s pr:origin ?origin }}
  OPTIONAL {{
    ?s prov:wasGeneratedBy ?g . ?g a pr:Generation ; prov:used ?c .
    ?c pr:generatorName ?gen .
    OPTIONAL {{ ?c pr:promptVersion ?pv }}
  }}
}}"""
    )
    out: dict[str, VersionMember] = {}
    for r in rows:
        if r["s"] in out:
            continue
        out[r["s"]] = VersionMember(
            revision=r["s"],
            logical=r["logical"],
            external_id=r["id"],
            origin=r.get("origin"),
            length=int(r["len"]),
            generator=None if r.get("gen") is None else str(r["gen"]),
            prompt_version=None if r.get("pv") is None else str(r["pv"]),
        )
    return list(out.values())


@dataclass(frozen=True, slots=True)
class LabelValueCount:
    """How many labels of one field have one value (as text)."""

    field: str
    value: str
    count: int


def version_label_counts(
    kg: KnowledgeGraph,
    dataset: str,
    version: str,
    annotator_kinds: Collection[str] | None = None,
) -> list[LabelValueCount]:
    """Labels of the members of a dataset version, counted per field and value (values as
    text); only labels of ``annotator_kinds`` when given."""
    kinds_clause = ""
    if annotator_kinds is not None:
        kinds_clause = (
            "?l prov:wasGeneratedBy ?a . ?a pr:annotatorKind ?kind . "
            + annotator_kinds_values(annotator_kinds)
        )
    rows = kg.select(
        f"""
SELECT ?field ?value (COUNT(DISTINCT ?l) AS ?n) WHERE {{
  {version_members_pattern("?s", dataset, version)}
  ?s pr:hasLabel ?l . ?l pr:labelField ?field ; pr:labelValue ?v .
  {kinds_clause}
  BIND(STR(?v) AS ?value)
}} GROUP BY ?field ?value"""
    )
    return [LabelValueCount(str(r["field"]), str(r["value"]), int(r["n"])) for r in rows]


def version_texts(kg: KnowledgeGraph, dataset: str, version: str) -> dict[str, str]:
    """Sample revision IRI -> text, for the members of a dataset version."""
    rows = kg.select(
        f"SELECT ?s ?text WHERE {{ {version_members_pattern('?s', dataset, version)}\n"
        "  ?s pr:text ?text }"
    )
    return {r["s"]: r["text"] for r in rows}
