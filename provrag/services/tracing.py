"""Trace: the lineage of a recorded answer or a sample, in each of its formats.

:data:`TRACE_WRITERS` is the one table of formats (``provrag trace --format``,
``GET /trace/{id}?format=``, :meth:`provrag.api.Client.trace`): each writer
turns the lineage tree (:func:`kg.provenance.trace`) into its document, text for
every format but ``tree`` (a ``rich`` renderable for the terminal).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.graph import KnowledgeGraph
from kg.trace_model import TraceNode
from kg.typing import TRACE_FORMATS, TraceFormat, literal_value
from provrag.errors import UsageError

#: a writer: (graph, lineage) -> the document (text, or a rich renderable for "tree")
TraceWriter = Callable[[KnowledgeGraph, TraceNode], Any]


def _tree(kg: KnowledgeGraph, node: TraceNode) -> Any:
    from provrag.render.trace_tree import render_tree

    return render_tree(node)


def _json(kg: KnowledgeGraph, node: TraceNode) -> str:
    return json.dumps(node.to_dict(), indent=2, ensure_ascii=False)


def _turtle(kg: KnowledgeGraph, node: TraceNode) -> str:
    from kg.provexport import lineage_turtle

    return lineage_turtle(kg, node)


def _prov_json(kg: KnowledgeGraph, node: TraceNode) -> str:
    from kg.provexport import to_prov_json

    return to_prov_json(node)


def _prov_n(kg: KnowledgeGraph, node: TraceNode) -> str:
    from kg.provexport import to_prov_n

    return to_prov_n(node)


#: format -> writer, for every :data:`kg.typing.TRACE_FORMATS` value
TRACE_WRITERS: dict[TraceFormat, TraceWriter] = {
    "tree": _tree,
    "json": _json,
    "turtle": _turtle,
    "prov-json": _prov_json,
    "prov-n": _prov_n,
}
#: format -> HTTP media type of its document
MEDIA_TYPES: dict[TraceFormat, str] = {
    "tree": "text/plain",
    "json": "application/json",
    "turtle": "text/turtle",
    "prov-json": "application/json",
    "prov-n": "text/plain",
}


@dataclass
class TraceOutcome:
    """A lineage, and its document in the format asked for."""

    node: TraceNode
    format: TraceFormat
    #: text, or for ``tree`` a rich renderable
    document: Any

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    def to_dict(self) -> dict[str, Any]:
        """The lineage as JSON-able data (the ``json`` format's document, parsed)."""
        return self.node.to_dict()


def trace_format(value: str) -> TraceFormat:
    """``value`` as a trace format; :class:`~provrag.errors.UsageError` naming the choices."""
    fmt = literal_value(TRACE_FORMATS, value)
    if fmt is None:
        raise UsageError(f"unknown --format {value!r}; use one of: {', '.join(TRACE_FORMATS)}")
    return fmt


def trace(
    kg: KnowledgeGraph,
    ref: str,
    fmt: TraceFormat | str = "json",
    *,
    dataset: str | None = None,
    release: str | None = None,
) -> TraceOutcome:
    """The lineage of ``ref`` (answer id, sample external id, or an answer/sample IRI;
    ``dataset`` when a sample id is ambiguous) written as ``fmt``; with ``release``, a
    sample external id names the release's revision of that sample (when it holds one).

    Raises :class:`~provrag.errors.UsageError` for an unknown format and
    :class:`~kg.errors.NotFoundError` for an unknown id.
    """
    name = trace_format(fmt)
    from kg.provenance import trace as build_trace

    if release is not None and "://" not in ref:
        from kg.queries.releases import release_revisions_of

        revisions = release_revisions_of(kg, release, ref, dataset)
        if len(revisions) == 1:
            ref = revisions[0]
    node = build_trace(kg, ref, dataset=dataset)
    return TraceOutcome(node, name, TRACE_WRITERS[name](kg, node))
