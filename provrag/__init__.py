"""provrag: provenance knowledge graph, graph-enriched retrieval and RAG evaluation.

``provrag.open(home)`` returns a :class:`provrag.api.Client` for notebooks and
scripts (imported on first call, so ``import provrag`` stays instant).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provrag.api import Client
    from provrag.settings import Settings

__version__ = "0.1.0"


def open(
    home: str | Path | None = None, *, settings: Settings | None = None, **overrides: Any
) -> Client:
    """Open the project at ``home`` with settings ``overrides`` (see :func:`provrag.api.open`)."""
    from provrag import api

    return api.open(home, settings=settings, **overrides)
