"""``KnowledgeGraph``: the system of record on top of any :class:`GraphStore`.

Batches and visibility
----------------------
Every write activity (an ingest batch, a deletion, a golden set, an evaluation
run, a recorded answer) is written to its own named graph. The graph is first
registered as *open* in the registry graph, filled (in as many chunks as it
needs), then flipped to *committed* in one small transaction. Until then no
query made through this class sees it: while any batch is open, queries run
against the explicit list of committed graphs. After a crash, :meth:`recover`
drops every graph still open, so a half-written batch is never visible and the
same batch can simply be run again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.store.base import GraphStore, QueryResult, SelectResult
from kg.terms import ID_NS, PR, sparql_prologue

#: Named graph holding the open/committed status of every activity graph.
REGISTRY_GRAPH = f"{ID_NS}graph/registry"
#: Named graph holding the ontology (loaded by ``provrag init`` and by every ingest).
ONTOLOGY_GRAPH = f"{ID_NS}graph/ontology"
#: Named graph of the server's audit trail (who asked what, what they were given).
#: Not an activity graph of the registry: its writes leave the sample state alone.
AUDIT_GRAPH = f"{ID_NS}graph/audit"

_STATUS = str(PR.batchStatus)
_UPDATE_RE = re.compile(
    r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE | re.MULTILINE
)
_PROLOGUE_RE = re.compile(r"^\s*(PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*", re.IGNORECASE)


def to_python(term: Any) -> Any:
    """A pyoxigraph term as a Python value: IRIs as str, typed literals converted."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        v = term.value
        try:
            if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
                return int(v)
            if dt.endswith(("#decimal", "#double", "#float")):
                return float(v)
            if dt.endswith("#boolean"):
                return v in ("true", "1")
            if dt.endswith("#dateTime"):
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
        return v
    return str(term)


def _solutions(result: QueryResult) -> SelectResult:
    """The solutions of a SELECT made on the store directly (registry bookkeeping)."""
    if not isinstance(result, SelectResult):
        raise StoreError(
            f"the graph store answered a SELECT with {type(result).__name__} instead of "
            "solutions; the store backend (or SPARQL endpoint) must answer SELECT queries "
            "with result rows"
        )
    return result


def is_read_only(sparql: str) -> bool:
    """True when the text is a query (SELECT/ASK/CONSTRUCT/DESCRIBE), not an update."""
    body = sparql
    while True:
        m = _PROLOGUE_RE.match(body)
        if not m or m.end() == 0:
            break
        body = body[m.end() :]
    return _UPDATE_RE.match(body) is None


class KnowledgeGraph:
    """Queries with our prefixes, batch visibility, and small conveniences.

    A context manager: ``with KnowledgeGraph(store) as kg:`` closes the store on
    the way out (an embedded store releases its lock then), also on an error.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def close(self) -> None:
        """Close the store (idempotent); the graph cannot be used afterwards."""
        self.store.close()

    def purge(self) -> bool:
        """Rewrite the store so that removed quads leave no bytes behind (see
        :meth:`GraphStore.purge`); False when the backend cannot."""
        return self.store.purge()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads
    def _visible_graphs(self) -> list[str] | None:
        """None (union of all) unless a batch is open; then the committed ones."""
        rows = self.store.query(
            f"SELECT ?g ?s WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{_STATUS}> ?s }} }}"
        )
        rows = _solutions(rows)
        status = {r["g"].value: r["s"].value for r in rows}  # type: ignore[union-attr]
        if not any(s == "open" for s in status.values()):
            return None
        hidden = {g for g, s in status.items() if s == "open"}
        return [g for g in self.store.named_graphs() if g not in hidden]

    def query(
        self,
        sparql: str,
        *,
        read_only: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        deadline: float | None = None,
    ) -> QueryResult:
        """Run a query with provrag's prefixes predeclared, over committed data only.

        ``default_graphs`` / ``named_graphs`` (the SPARQL 1.1 Protocol's
        ``default-graph-uri`` / ``named-graph-uri``): the dataset of the query, of
        committed graphs only; when either is given, the other defaults to none.
        ``max_rows`` and ``deadline``: see :meth:`kg.store.base.GraphStore.query`.
        """
        if read_only and not is_read_only(sparql):
            raise QueryError(
                "this endpoint is read-only: use SELECT, ASK, CONSTRUCT or DESCRIBE "
                "(writes go through ingest, delete and import)"
            )
        text = sparql_prologue() + sparql
        visible = self._visible_graphs()
        bounds: dict[str, Any] = {}
        if max_rows is not None:
            bounds["max_rows"] = max_rows
        if deadline is not None:
            bounds["deadline"] = deadline
        if default_graphs is None and named_graphs is None:
            return self.store.query(text, default_graphs=visible, **bounds)
        shown = None if visible is None else set(visible)
        return self.store.query(
            text,
            default_graphs=[g for g in default_graphs or () if shown is None or g in shown],
            named_graphs=[g for g in named_graphs or () if shown is None or g in shown],
            **bounds,
        )

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """SELECT rows as dicts of Python values."""
        result = self.query(sparql)
        if not isinstance(result, SelectResult):
            raise QueryError("select() needs a SELECT query")
        return [{k: to_python(v) for k, v in row.items()} for row in result.rows]

    def ask(self, sparql: str) -> bool:
        result = self.query(sparql)
        if not isinstance(result, bool):
            raise QueryError("ask() needs an ASK query")
        return result

    def update(self, sparql: str) -> None:
        self.store.update(sparql_prologue() + sparql)

    def triple_count(self) -> int:
        """Quads of data: the registry bookkeeping, the ontology and the audit trail excluded."""
        return (
            self.store.quad_count()
            - self.store.quad_count(REGISTRY_GRAPH)
            - self.store.quad_count(ONTOLOGY_GRAPH)
            - self.store.quad_count(AUDIT_GRAPH)
        )

    # ---------------------------------------------------------------- batches
    def open_graph(self, graph: str) -> None:
        """Register ``graph`` as open (invisible to queries until committed)."""
        self.store.update(
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> ?s }} }};\n"
            f'INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> "open" }} }}'
        )

    def commit_graph(self, graph: str) -> None:
        """Make ``graph`` visible, in one transaction."""
        self.store.update(
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> ?s }} }};\n"
            f'INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> "committed" }} }}'
        )

    def abort_graph(self, graph: str) -> None:
        self.store.drop_graph(graph)
        self.store.update(
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> ?s }} }}"
        )

    def graph_status(self, graph: str) -> str | None:
        rows = self.store.query(
            f"SELECT ?s WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{graph}> <{_STATUS}> ?s }} }}"
        )
        rows = _solutions(rows)
        return rows.rows[0]["s"].value if rows.rows else None  # type: ignore[union-attr]

    def open_graphs(self) -> list[str]:
        rows = self.store.query(
            f'SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{_STATUS}> "open" }} }}'
        )
        rows = _solutions(rows)
        return [r["g"].value for r in rows.rows]  # type: ignore[union-attr]

    def recover(self) -> list[str]:
        """Drop every graph left open by a crashed writer; returns their names."""
        dropped = self.open_graphs()
        for g in dropped:
            self.abort_graph(g)
        return dropped

    @contextmanager
    def write_graph(self, graph: str) -> Iterator[GraphWriter]:
        """Open ``graph``, let the caller add chunks, commit on success, drop on error."""
        self.open_graph(graph)
        writer = GraphWriter(self, graph)
        try:
            yield writer
        except BaseException:
            self.abort_graph(graph)
            raise
        self.commit_graph(graph)

    def write_atomic(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        """Write a small activity graph in one go (open, add, commit)."""
        with self.write_graph(graph) as w:
            return w.add(quads)


class GraphWriter:
    """Adds quads to one open named graph (the triples given are put into it)."""

    def __init__(self, kg: KnowledgeGraph, graph: str) -> None:
        self.kg = kg
        self.graph = graph
        self._node = ox.NamedNode(graph)
        self.count = 0

    def add(self, quads: Iterable[ox.Quad | ox.Triple]) -> int:
        items = [ox.Quad(q.subject, q.predicate, q.object, self._node) for q in quads]
        n = self.kg.store.add(items, atomic=False)
        self.count += n
        return n

    def encode(self, statements: list[str]) -> bytes:
        """N-Quads bytes of N-Triples statements (from :mod:`kg.mapping`) in this graph."""
        from kg.mapping import nquads

        return nquads(statements, self.graph)

    def add_encoded(self, data: bytes, count: int) -> int:
        """Add what :meth:`encode` made of ``count`` statements.

        Split from encoding so that a writer thread spends no time holding the GIL:
        the caller encodes the next chunk while this one loads.
        """
        if data:
            self.kg.store.add_nquads(data, atomic=False)
        self.count += count
        return count

    def add_statements(self, statements: list[str]) -> int:
        """Add N-Triples statements (from :mod:`kg.mapping`) into this graph."""
        return self.add_encoded(self.encode(statements), len(statements))
