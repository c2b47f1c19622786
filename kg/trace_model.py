"""The lineage tree a provenance trace returns (:func:`kg.provenance.trace`).

Every node of the tree is a node of the graph (its ``iri``); ``relation`` says how
its parent points to it. :mod:`kg.provexport` turns the tree into Turtle, PROV-JSON
and PROV-N; the CLI draws it (``provrag.render.trace_tree``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from kg.terms import ID_NS, PR_NS

NodeKind = Literal[
    "answer",
    "ask",
    "sample",
    "derived_sample",
    "invalidation",
    "generation",
    "generator_config",
    "agent",
    "label",
    "annotation",
    "guideline",
    "dataset_version",
    "ingest_batch",
    "source_file",
    "entity",
]


@dataclass
class TraceNode:
    """One graph node of a lineage tree."""

    kind: NodeKind
    iri: str
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[TraceNode] = field(default_factory=list)
    #: how the parent points to this node, e.g. ``prov:wasDerivedFrom`` (None at the root);
    #: ``^`` in front when this node points to the parent (``^prov:wasDerivedFrom``)
    relation: str | None = None

    def walk(self) -> Iterator[TraceNode]:
        """This node and all below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, kind: NodeKind) -> list[TraceNode]:
        return [n for n in self.walk() if n.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (datetimes as ISO 8601 text)."""
        return {
            "kind": self.kind,
            "iri": self.iri,
            "label": self.label,
            "relation": self.relation,
            "attrs": jsonable(self.attrs),
            "children": [c.to_dict() for c in self.children],
        }


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO 8601 text (``Z`` for UTC), recursively."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def short(node: str) -> str:
    """``prid:``/``pr:`` form of our IRIs, others unchanged."""
    if node.startswith(ID_NS):
        return "prid:" + node[len(ID_NS) :]
    if node.startswith(PR_NS):
        return "pr:" + node[len(PR_NS) :]
    return node
