"""Graph store backends behind the :class:`~kg.store.base.GraphStore` protocol."""

from kg.store.base import GraphStore, QueryResult, SelectResult
from kg.store.embedded import OxigraphStore

__all__ = ["GraphStore", "OxigraphStore", "QueryResult", "SelectResult"]
