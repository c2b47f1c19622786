""":class:`SparqlResult`: a SPARQL query's answer for Python code.

SELECT: ``.rows`` (dicts of Python values), ``.to_dataframe()``; ASK: ``bool(result)``;
CONSTRUCT / DESCRIBE: ``.turtle``, ``.graph`` (an rdflib ``Graph``), ``.to_dataframe()``
(subject, predicate, object). Every kind: ``.to_json()`` (SPARQL 1.1 results JSON,
JSON-LD for graphs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from kg.graph import to_python
from kg.store.base import QueryResult, SelectResult

if TYPE_CHECKING:
    import rdflib
    from pyoxigraph import Triple

#: what a query returned
ResultKind = Literal["select", "ask", "graph"]


class SparqlResult:
    """The answer of one read-only SPARQL query."""

    def __init__(self, raw: QueryResult) -> None:
        self.raw = raw
        self.kind: ResultKind = (
            "select"
            if isinstance(raw, SelectResult)
            else "ask"
            if isinstance(raw, bool)
            else "graph"
        )

    @property
    def variables(self) -> list[str]:
        """SELECT: the projected variables (no ``?``); else empty."""
        return list(self.raw.variables) if isinstance(self.raw, SelectResult) else []

    @property
    def rows(self) -> list[dict[str, Any]]:
        """SELECT: one dict per solution, IRIs as text and typed literals converted;
        a graph: one ``{subject, predicate, object}`` per triple; ASK: empty."""
        if isinstance(self.raw, SelectResult):
            return [{v: to_python(row.get(v)) for v in self.raw.variables} for row in self.raw.rows]
        return [
            {
                "subject": to_python(t.subject),
                "predicate": to_python(t.predicate),
                "object": to_python(t.object),
            }
            for t in self.triples
        ]

    @property
    def triples(self) -> list[Triple]:
        """CONSTRUCT / DESCRIBE: the triples (pyoxigraph terms); else empty."""
        return [] if isinstance(self.raw, SelectResult | bool) else list(self.raw)

    @property
    def turtle(self) -> str:
        """CONSTRUCT / DESCRIBE: the triples as Turtle with provrag's prefixes."""
        from provrag.render.sparql import render_result

        return str(render_result(self.raw, "turtle"))

    @property
    def graph(self) -> rdflib.Graph:
        """CONSTRUCT / DESCRIBE: the triples as an rdflib ``Graph``."""
        import rdflib

        return rdflib.Graph().parse(data=self.turtle, format="turtle")

    def to_json(self) -> str:
        """SPARQL 1.1 query results JSON (SELECT, ASK), JSON-LD (a graph)."""
        from provrag.render.sparql import render_result

        return str(render_result(self.raw, "json"))

    def to_dataframe(self) -> Any:  # noqa: ANN401 - a pandas DataFrame
        """SELECT: one row per solution, one column per variable; a graph: subject,
        predicate, object; ASK: one row with its ``boolean``."""
        from provrag.render.frames import frame

        if isinstance(self.raw, bool):
            return frame([{"boolean": self.raw}])
        columns = self.variables if self.kind == "select" else ["subject", "predicate", "object"]
        return frame(self.rows, columns)

    def __bool__(self) -> bool:
        """ASK: its answer; SELECT and graphs: whether anything came back."""
        if isinstance(self.raw, bool):
            return self.raw
        return len(self) > 0

    def __len__(self) -> int:
        if isinstance(self.raw, bool):
            return 1
        return len(self.raw)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __repr__(self) -> str:
        if isinstance(self.raw, bool):
            return f"SparqlResult(ask={self.raw})"
        what = "rows" if self.kind == "select" else "triples"
        return f"SparqlResult({self.kind}, {len(self)} {what})"
