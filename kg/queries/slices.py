"""Provenance of judged samples and of retrieved ones, as evaluation slices read it.

Both reads take their IRIs in ``VALUES`` blocks of at most :data:`VALUES_CHUNK` IRIs,
so each query text stays of modest size whatever the golden set or run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from kg.graph import KnowledgeGraph
from kg.queries.current import bind_current, current_sample

#: IRIs per VALUES block
VALUES_CHUNK = 2000


def _chunks(items: Sequence[str], size: int = VALUES_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class SampleProvenanceRow:
    """One combination of a sample revision's generator config and human annotator.

    A revision with two generator configs or two annotators has one row per
    combination; one without either has one row with them ``None``. Rows are
    distinct.
    """

    external_id: str
    sample: str
    current: bool
    origin: str | None = None
    generator: str | None = None
    prompt_version: str | None = None
    #: name of a ``prov:Person`` who labelled the revision
    annotator: str | None = None


def sample_provenance_rows(
    kg: KnowledgeGraph, logical_iris: Iterable[str]
) -> list[SampleProvenanceRow]:
    """Origin, generator configs and human annotators of every revision (current or not)
    of the logical samples ``logical_iris``; unknown IRIs give no row."""
    wanted = sorted(set(logical_iris))
    out: list[SampleProvenanceRow] = []
    for part in _chunks(wanted):
        values = " ".join(f"<{x}>" for x in part)
        rows = kg.select(
            f"""
SELECT DISTINCT ?ext ?s ?origin ?current ?generator ?prompt ?annotator WHERE {{
  VALUES ?logical {{ {values} }}
  ?s prov:specializationOf ?logical ;
     a pr:Sample ;
     pr:externalId ?ext .
  OPTIONAL {{ ?s pr:origin ?origin }}
  {bind_current("?s", "?current")}
  OPTIONAL {{
    ?s prov:wasGeneratedBy ?_g . ?_g a pr:Generation ; prov:used ?_c .
    ?_c pr:generatorName ?generator .
    OPTIONAL {{ ?_c pr:promptVersion ?prompt }}
  }}
  OPTIONAL {{
    ?s pr:hasLabel ?_l . ?_l prov:wasAttributedTo ?_a .
    ?_a a prov:Person ; rdfs:label ?annotator .
  }}
}}
"""
        )
        out += [
            SampleProvenanceRow(
                external_id=str(r["ext"]),
                sample=str(r["s"]),
                current=bool(r.get("current")),
                origin=None if r.get("origin") is None else str(r["origin"]),
                generator=None if r.get("generator") is None else str(r["generator"]),
                prompt_version=None if r.get("prompt") is None else str(r["prompt"]),
                annotator=None if r.get("annotator") is None else str(r["annotator"]),
            )
            for r in rows
        ]
    return out


def sample_origins(kg: KnowledgeGraph, sample_iris: Iterable[str]) -> dict[str, str]:
    """``pr:origin`` of sample revisions by IRI (IRIs without one are left out)."""
    wanted = sorted(set(sample_iris))
    out: dict[str, str] = {}
    for part in _chunks(wanted):
        values = " ".join(f"<{x}>" for x in part)
        query = f"SELECT ?s ?origin WHERE {{ VALUES ?s {{ {values} }} ?s pr:origin ?origin }}"
        for row in kg.select(query):
            out[str(row["s"])] = str(row["origin"])
    return out


def sample_sensitivities(kg: KnowledgeGraph, logical_iris: Iterable[str]) -> dict[str, str]:
    """``pr:sensitivity`` of the current revision of each logical sample, by external id
    (samples with no current revision are left out)."""
    wanted = sorted(set(logical_iris))
    out: dict[str, str] = {}
    for part in _chunks(wanted):
        values = " ".join(f"<{x}>" for x in part)
        rows = kg.select(
            f"""
SELECT ?ext ?sensitivity WHERE {{
  VALUES ?logical {{ {values} }}
  ?s prov:specializationOf ?logical ; pr:externalId ?ext ; pr:sensitivity ?sensitivity .
  {current_sample("?s")}
}}
"""
        )
        for r in rows:
            out[str(r["ext"])] = str(r["sensitivity"])
    return out
