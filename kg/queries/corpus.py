"""What a search index covers: the current sample revisions with their texts, and the
committed ingest batches (an index manifest names the batches it covers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.ids import text_hash
from kg.queries.current import current_sample
from kg.queries.releases import release_member_pattern
from kg.store.base import SelectResult

_CURRENT_TEXTS = f"""
SELECT ?s ?ext ?text WHERE {{
  {current_sample("?s")}
  ?s pr:text ?text .
  OPTIONAL {{ ?s pr:externalId ?ext }}
}}
"""

_INGEST_BATCHES = """
SELECT DISTINCT ?b WHERE { ?b a pr:IngestBatch }
"""


@dataclass(frozen=True, slots=True)
class CorpusRow:
    """One current sample revision and its text, as an index sees it."""

    iri: str
    external_id: str
    text: str
    text_hash: str


def current_samples(kg: KnowledgeGraph) -> list[CorpusRow]:
    """The current (never invalidated) sample revisions with their text, sorted by IRI,
    then text.

    One row per revision and text: the mapping writes one ``pr:text`` per revision,
    so a revision listed twice has more than one text (a caller that needs one text
    each checks for that). ``external_id`` is ``""`` for a sample without one.
    """
    return _rows(kg, _CURRENT_TEXTS)


def release_samples(kg: KnowledgeGraph, release: str) -> list[CorpusRow]:
    """The sample revisions of the release named ``release`` with their text, as
    :func:`current_samples` (what the release's own index covers)."""
    return _rows(
        kg,
        f"SELECT ?s ?ext ?text WHERE {{ {release_member_pattern('?s', release)}\n"
        "  ?s pr:text ?text . OPTIONAL { ?s pr:externalId ?ext } }",
    )


def _rows(kg: KnowledgeGraph, sparql: str) -> list[CorpusRow]:
    result = kg.query(sparql)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the corpus query did not return rows")
    found: list[dict[str, Any]] = result.rows
    rows: dict[tuple[str, str], CorpusRow] = {}
    for r in found:
        s, text, ext = r.get("s"), r.get("text"), r.get("ext")
        if s is None or text is None:
            continue
        iri, body = str(s.value), str(text.value)
        rows[(iri, body)] = CorpusRow(
            iri=iri,
            external_id="" if ext is None else str(ext.value),
            text=body,
            text_hash=text_hash(body),
        )
    return [rows[key] for key in sorted(rows)]


def ingest_batches(kg: KnowledgeGraph) -> list[str]:
    """IRIs of the committed ingest batches, sorted."""
    return sorted(str(r["b"]) for r in kg.select(_INGEST_BATCHES) if r.get("b"))
