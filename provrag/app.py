"""Wiring: the only place that picks concrete classes from settings."""

from __future__ import annotations

from kg.graph import KnowledgeGraph
from kg.store.base import GraphStore
from provrag.settings import Settings


def open_store(settings: Settings) -> GraphStore:
    if settings.store == "memory":
        from kg.store.embedded import OxigraphStore

        return OxigraphStore(None)
    if settings.store == "remote":
        from kg.store.remote import RemoteSparqlStore

        return RemoteSparqlStore.from_settings(
            base_url=settings.store_url,
            query_url=settings.query_url,
            update_url=settings.update_url,
            gsp_url=settings.gsp_url,
        )
    from kg.store.embedded import OxigraphStore

    return OxigraphStore(settings.store_path)


def open_kg(settings: Settings, *, recover: bool = True) -> KnowledgeGraph:
    """Open the graph; by default drop any batch a crashed writer left open."""
    kg = KnowledgeGraph(open_store(settings))
    if recover:
        kg.recover()
    return kg
