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

#: the ``--release`` value that serves the current samples whatever release is promoted
CURRENT = "current"

if TYPE_CHECKING:
    from kg.model import Filters
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
        self._retrievers: dict[tuple[RetrieverMode, str | None], GraphRetriever] = {}
        self._answerers: dict[tuple[RetrieverMode, str | None], Answerer] = {}
        #: the release served by default, read once (None: not read yet)
        self._served: tuple[str | None] | None = None
        self._known_releases: set[str] = set()

    @classmethod
    def open(cls, settings: Settings, *, recover: bool = True) -> Session:
        """Open the graph of ``settings`` (:func:`provrag.wiring.open_kg`)."""
        from provrag.wiring import open_kg

        return cls(settings, open_kg(settings, recover=recover))

    def mode(self, mode: RetrieverMode | None) -> RetrieverMode:
        """``mode``, or the settings' default retriever mode."""
        return mode or self.settings.retrieval.mode

    def release(self, asked: str | None = None) -> str | None:
        """The release to serve: ``asked`` (:data:`CURRENT`: the current samples), else the
        settings' ``release.serve``, else the one promoted last (read once per session);
        None: the current samples. Raises :class:`~provrag.errors.ReleaseError` for a
        release the graph does not hold."""
        name = asked or self.settings.release.serve
        if name is None:
            if self._served is None:
                from kg.queries.releases import served_release

                self._served = (served_release(self.kg),)
            name = self._served[0]
        if name is None or name == CURRENT:
            return None
        if name not in self._known_releases:
            from kg.queries.releases import release_exists
            from provrag.errors import ReleaseError

            if not release_exists(self.kg, name):
                raise ReleaseError(
                    f"there is no release {name!r}; see `provrag release list`, or pass "
                    f"--release {CURRENT} for the current samples"
                )
            self._known_releases.add(name)
        return name

    def serve(self, filters: Filters) -> tuple[Filters, str | None]:
        """``filters`` with the release to serve (:meth:`release` of ``filters.release``)
        filled in, and that release (None: the current samples)."""
        release = self.release(filters.release)
        if release != filters.release:
            filters = filters.model_copy(update={"release": release})
        return filters, release

    def retriever(
        self, mode: RetrieverMode | None = None, release: str | None = None
    ) -> GraphRetriever:
        """The retriever of ``mode`` (default: the settings') over ``release`` (None: the
        current samples; resolve a default with :meth:`release`), built on first use."""
        key = (self.mode(mode), release)
        if key not in self._retrievers:
            from provrag.wiring import build_retriever

            self._retrievers[key] = build_retriever(
                self.settings, self.kg, mode=key[0], release=release
            )
        return self._retrievers[key]

    def answerer(self, mode: RetrieverMode | None = None, release: str | None = None) -> Answerer:
        """The answerer over :meth:`retriever` of ``mode`` and ``release``, built on first use."""
        key = (self.mode(mode), release)
        if key not in self._answerers:
            from provrag.wiring import build_answerer

            self._answerers[key] = build_answerer(self.settings, self.retriever(*key))
        return self._answerers[key]

    def changed(self) -> None:
        """The graph or the index changed: build retrievers afresh on next use (and read
        the served release again)."""
        self._retrievers.clear()
        self._answerers.clear()
        self._served = None

    def close(self) -> None:
        """Close the graph's store (the embedded store's lock goes with it)."""
        self.changed()
        self.kg.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
