"""The embedded store of a project home, for tests that read what a CLI command wrote."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore


@contextmanager
def graph(home: Path) -> Iterator[KnowledgeGraph]:
    """The project's embedded store, released afterwards so the CLI can open it."""
    store = OxigraphStore(home / "store")
    try:
        yield KnowledgeGraph(store)
    finally:
        store.close()
        del store
        gc.collect()
