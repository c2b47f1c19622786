"""What the indexes cover, read from the graph: the current samples and their texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.graph import KnowledgeGraph
from kg.ids import text_hash as hash_text
from kg.store.base import SelectResult
from retrieval.errors import RetrievalError

_CURRENT_SAMPLES = """
SELECT ?s ?ext ?text WHERE {
  ?s a pr:Sample ;
     pr:text ?text .
  OPTIONAL { ?s pr:externalId ?ext }
  FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?t }
}
"""

_BATCHES = """
SELECT DISTINCT ?b WHERE { ?b a pr:IngestBatch }
"""


@dataclass(frozen=True)
class CorpusRow:
    """One current sample revision as the indexes see it."""

    iri: str
    external_id: str
    text: str
    text_hash: str


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def current_samples(kg: KnowledgeGraph) -> list[CorpusRow]:
    """Every sample revision that is not invalidated, sorted by IRI.

    A sample with two ``pr:text`` values (which the mapping never writes) is an
    error: an index cannot say which text a vector stands for.
    """
    result = kg.query(_CURRENT_SAMPLES)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise RetrievalError("the current-samples query did not return rows")
    rows: dict[str, CorpusRow] = {}
    for r in result.rows:
        iri = _value(r.get("s"))
        text = _value(r.get("text"))
        if iri is None or text is None:
            continue
        row = CorpusRow(
            iri=iri, external_id=_value(r.get("ext")) or "", text=text, text_hash=hash_text(text)
        )
        seen = rows.get(iri)
        if seen is not None and seen.text != text:
            raise RetrievalError(
                f"sample {iri} has more than one pr:text; a revision holds one text. Fix the "
                "data (re-ingest the sample) and run `provrag index --rebuild`"
            )
        rows[iri] = row
    return [rows[k] for k in sorted(rows)]


def ingest_batches(kg: KnowledgeGraph) -> list[str]:
    """IRIs of the committed ingest batches, sorted."""
    return sorted(str(r["b"]) for r in kg.select(_BATCHES) if r.get("b"))
