"""A lineage tree (:func:`kg.provenance.trace`) drawn for a terminal with ``rich``.

``provrag trace ID`` prints :func:`render_tree`; the JSON, Turtle, PROV-JSON and
PROV-N forms come from :mod:`kg.trace_model` and :mod:`kg.provexport`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kg.trace_model import TraceNode, jsonable, short

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

#: node kind -> (title, rich style)
KIND_STYLE: dict[str, tuple[str, str]] = {
    "answer": ("Answer", "bold magenta"),
    "ask": ("Ask", "magenta"),
    "sample": ("Sample", "bold cyan"),
    "derived_sample": ("Derived sample", "cyan"),
    "invalidation": ("Invalidated", "bold red"),
    "generation": ("Generation", "green"),
    "generator_config": ("Generator config", "bold green"),
    "agent": ("Agent", "yellow"),
    "label": ("Label", "bold blue"),
    "annotation": ("Annotation", "blue"),
    "guideline": ("Guideline", "bold blue"),
    "dataset_version": ("Dataset version", "cyan"),
    "ingest_batch": ("Ingest batch", "white"),
    "source_file": ("Source file", "bold white"),
    "entity": ("Entity", "dim"),
}
#: longest value shown on one line (longer ones end with an ellipsis)
VALUE_WIDTH = 160


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.isoformat().replace("+00:00", "Z")
    elif isinstance(value, dict | list):
        text = json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def node_text(node: TraceNode) -> Text:
    """One node as styled text: kind, label, relation, IRI, then its attributes."""
    from rich.text import Text

    title, style = KIND_STYLE.get(node.kind, (node.kind, ""))
    out = Text()
    out.append(title, style=style)
    out.append(" " + node.label)
    if node.relation:
        out.append(f"  ({node.relation})", style="dim")
    out.append(f"\n  {short(node.iri)}", style="dim")
    for key, value in node.attrs.items():
        if key in ("citations", "cited_by"):
            for c in value:
                score = f" (score {c['score']:.3f})" if isinstance(c.get("score"), float) else ""
                out.append(f"\n  [{c['position']}] ", style="dim")
                out.append(_fmt(c["sentence"]) + score)
            continue
        out.append(f"\n  {key}: ", style="dim")
        out.append(_fmt(value))
    return out


def render_tree(node: TraceNode) -> Tree:
    """A ``rich`` tree of the lineage, one graph node per tree node."""
    from rich.tree import Tree

    tree = Tree(node_text(node), guide_style="dim")
    stack: list[tuple[Tree, TraceNode]] = [(tree, node)]
    while stack:
        branch, current = stack.pop()
        for child in current.children:
            stack.append((branch.add(node_text(child)), child))
    return tree


def tree_text(node: TraceNode, width: int = 120) -> str:
    """The lineage tree as plain text (no colours), e.g. for ``GET /trace/{id}?format=tree``."""
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(render_tree(node))
    return out.getvalue()
