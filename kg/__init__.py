"""Knowledge-graph layer: data model, ontology terms, stores, mapping, SPARQL, provenance.

``KnowledgeGraph`` is imported on first use, so that importing a light module of
the package (``kg.typing``, ``kg.errors``) does not load the RDF store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["KnowledgeGraph"]


def __getattr__(name: str) -> Any:
    """``kg.KnowledgeGraph``, imported on first use: ``import kg.errors`` (the error
    root every package and the CLI import) must not load rdflib and pyoxigraph."""
    if name == "KnowledgeGraph":
        from kg.graph import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
