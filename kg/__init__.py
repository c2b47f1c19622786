"""Knowledge-graph layer: data model, ontology terms, stores, mapping, SPARQL, provenance."""

from kg.graph import KnowledgeGraph

__all__ = ["KnowledgeGraph"]
