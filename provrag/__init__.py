"""provrag: provenance knowledge graph, graph-enriched retrieval and RAG evaluation."""

__version__ = "0.1.0"
