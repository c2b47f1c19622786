""":class:`Session`: an open project (settings + graph) and what the use cases build on it.

The CLI opens one per command, the HTTP server one for its lifetime, the
Python API one per :func:`provrag.open`. Retrievers and answerers are built
(by :mod:`provrag.wiring`) on first use, one per retriever mode, and kept;
writes (ingest, delete, a recorded answer) take :attr:`Session.write_lock`, so a
server serialises them while searches run concurrently.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kg.graph import KnowledgeGraph
from provrag.settings import Settings

if TYPE_CHECKING:
    from kg.typing import RetrieverMode
    from retrieval.answerer import Answerer
    from retrieval.retriever import GraphRetriever


class Session:
    """Settings, the open graph, and the retrievers and answerers built on it."""

    def __init__(self, settings: Settings, kg: KnowledgeGraph) -> None:
        self.settings = settings
        self.kg = kg
        #: held by every write, so that one process writes one batch at a time
        self.write_lock = threading.RLock()
        self._retrievers: dict[RetrieverMode, GraphRetriever] = {}
        self._answerers: dict[RetrieverMode, Answerer] = {}

    @classmethod
    def open(cls, settings: Settings, *, recover: bool = True) -> Session:
        """Open the graph of ``settings`` (:func:`provrag.wiring.open_kg`)."""
        from provrag.wiring import open_kg

        return cls(settings, open_kg(settings, recover=recover))

    def mode(self, mode: RetrieverMode | None) -> RetrieverMode:
        """``mode``, or the settings' default retriever mode."""
        return mode or self.settings.retrieval.mode

    def retriever(self, mode: RetrieverMode | None = None) -> GraphRetriever:
        """The retriever of ``mode`` (default: the settings'), built on first use."""
        key = self.mode(mode)
        if key not in self._retrievers:
            from provrag.wiring import build_retriever

            self._retrievers[key] = build_retriever(self.settings, self.kg, mode=key)
        return self._retrievers[key]

    def answerer(self, mode: RetrieverMode | None = None) -> Answerer:
        """The answerer over :meth:`retriever` of ``mode``, built on first use."""
        key = self.mode(mode)
        if key not in self._answerers:
            from provrag.wiring import build_answerer

            self._answerers[key] = build_answerer(self.settings, self.retriever(key))
        return self._answerers[key]

    def changed(self) -> None:
        """The graph or the index changed: build retrievers afresh on next use."""
        self._retrievers.clear()
        self._answerers.clear()

    def close(self) -> None:
        """Close the graph's store (the embedded store's lock goes with it)."""
        self.changed()
        self.kg.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
