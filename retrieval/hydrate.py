"""Hydrating hits: the text, ids and provenance summary of the samples a search returns.

:class:`Hydrator` reads them from the graph (:func:`kg.queries.hits.hit_details`,
one query for all the hits not cached) and keeps them in an LRU cache that a
change of the graph state (:func:`kg.queries.state.graph_state`) empties, so a
sample invalidated or re-labelled since is never shown as it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from kg.graph import KnowledgeGraph
from kg.queries.hits import HitDetails, ProvenanceClass, hit_details, provenance_classes

#: hydrated samples kept per hydrator (dropped whenever the graph changes)
HYDRATED_CACHE = 20_000


class Hydrator:
    """Hit details of samples, cached per graph state."""

    def __init__(self, kg: KnowledgeGraph, size: int = HYDRATED_CACHE) -> None:
        self.kg = kg
        self.size = size
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, HitDetails] = OrderedDict()
        self._state = ""

    def details(self, iris: Sequence[str], state: str) -> dict[str, HitDetails]:
        """Details of ``iris`` in the graph state ``state`` (samples not in the graph
        are absent)."""
        with self._lock:
            if state != self._state:
                self._cache.clear()
                self._state = state
            missing = [i for i in iris if i not in self._cache]
        fetched = hit_details(self.kg, missing) if missing else {}
        with self._lock:
            cache = self._cache
            if state == self._state:
                cache.update(fetched)
                while len(cache) > self.size:
                    cache.popitem(last=False)
            out = {}
            for i in iris:
                h = fetched.get(i) or cache.get(i)
                if h is not None:
                    out[i] = h
                    if i in cache:
                        cache.move_to_end(i)
            return out

    def classes(self, iris: Sequence[str]) -> dict[str, ProvenanceClass]:
        """Trust class of each of ``iris`` (:func:`kg.queries.hits.provenance_classes`)."""
        return provenance_classes(self.kg, iris)
