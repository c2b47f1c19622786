"""Raw SELECT rows for the read functions on hot paths.

:meth:`kg.graph.KnowledgeGraph.select` converts every term to a Python value; the
lookups ingest makes per chunk only need the lexical values, so they read the
store's terms directly through these two helpers.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.store.base import SelectResult, Term


def select_rows(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Term]]:
    """The rows of a SELECT query (committed data only), terms as the store gives them."""
    result = kg.query(sparql)
    if not isinstance(result, SelectResult):
        raise QueryError(
            f"expected the rows of a SELECT query, got {type(result).__name__}; "
            f"the query was: {sparql[:120]!r}"
        )
    return result.rows


def value_of(term: Term) -> str:
    """The lexical value of a term: an IRI's text, a literal's lexical form."""
    return str(term) if isinstance(term, ox.Triple) else term.value
