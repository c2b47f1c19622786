"""Derivation edges between current samples, for retrieval's answerable units.

A synthetic question or a paraphrase ``prov:wasDerivedFrom`` the revision of the
sample it was made from. A search that hits the derived sample counts the hit
for that source (:mod:`retrieval.derivation`); this module reads every such edge
whose two ends are current samples, in one query, with what an explanation says
of the derived sample (its kind, external id, generator and prompt version).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.queries.current import current_sample
from kg.queries.releases import release_member_pattern
from kg.store.base import SelectResult


def _derivations_query(derived: str, source: str) -> str:
    """The derivation edges whose two ends match the patterns ``derived`` (``?d``) and
    ``source`` (``?src``)."""
    return f"""
SELECT ?d ?src ?kind ?ext ?gen ?pv WHERE {{
  ?d prov:wasDerivedFrom ?src .
  {derived}
  {source}
  OPTIONAL {{ ?d pr:kind ?kind }}
  OPTIONAL {{ ?d pr:externalId ?ext }}
  OPTIONAL {{
    ?d prov:wasGeneratedBy ?_g . ?_g prov:used ?_cfg . ?_cfg pr:generatorName ?gen .
    OPTIONAL {{ ?_cfg pr:promptVersion ?pv }}
  }}
}}
"""


_DERIVATIONS = _derivations_query(current_sample("?d"), current_sample("?src"))


class Derivation(NamedTuple):
    """A current sample revision derived from another current one."""

    sample: str
    source: str
    #: the derived sample's kind (passage, question, ...), None when unstated
    kind: str | None
    external_id: str | None
    #: generator name and prompt version of the generation that made it (synthetic)
    generator: str | None
    prompt_version: str | None


def _str(term: Any) -> str | None:
    return None if term is None else str(term.value)


def current_derivations(kg: KnowledgeGraph) -> list[Derivation]:
    """Every ``derived prov:wasDerivedFrom source`` whose two ends are current samples
    (one row per edge; a sample made by several generations keeps the smallest name)."""
    return _read(kg, _DERIVATIONS)


def release_derivations(kg: KnowledgeGraph, release: str) -> list[Derivation]:
    """The derivation edges whose two ends are sample revisions of the release named
    ``release`` (as :func:`current_derivations`, for a served release)."""
    return _read(
        kg,
        _derivations_query(
            release_member_pattern("?d", release), release_member_pattern("?src", release)
        ),
    )


def _read(kg: KnowledgeGraph, sparql: str) -> list[Derivation]:
    result = kg.query(sparql)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the derivation query did not return rows")
    out: dict[tuple[str, str], Derivation] = {}
    rows: list[dict[str, Any]] = result.rows
    for r in rows:
        d = Derivation(
            str(r["d"].value),
            str(r["src"].value),
            _str(r.get("kind")),
            _str(r.get("ext")),
            _str(r.get("gen")),
            _str(r.get("pv")),
        )
        key = (d.sample, d.source)
        old = out.get(key)
        if old is None or (d.generator or "") < (old.generator or "\uffff"):
            out[key] = d
    return list(out.values())
