"""The ``GraphStore`` seam: what every RDF backend offers provrag.

Terms are pyoxigraph terms (``NamedNode``, ``Literal``, ``BlankNode``, ``Quad``)
for every backend, so the layers above never see which one runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol, runtime_checkable

from pyoxigraph import BlankNode, NamedNode, Quad, Triple
from pyoxigraph import Literal as RdfLiteral

from kg.typing import RdfFormatName

Term = NamedNode | BlankNode | RdfLiteral | Triple


@dataclass
class SelectResult:
    """Rows of a SELECT query; a row maps each bound variable (no ``?``) to its term."""

    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


QueryResult = SelectResult | bool | list[Triple]


@runtime_checkable
class GraphStore(Protocol):
    """An RDF dataset (named graphs) with SPARQL 1.1 query and update."""

    #: "embedded", "memory" or "remote"
    kind: str
    #: records per ingest chunk this backend writes fastest (``settings.chunk_size``
    #: overrides it); measured with ``scripts/bench_ingest.py``
    chunk_records: int

    def add(self, quads: Iterable[Quad], *, atomic: bool = True) -> int:
        """Add quads. ``atomic=True``: all or nothing, in one transaction.

        ``atomic=False`` allows a faster bulk path for data that is only made
        visible later (a batch's named graph before its commit marker).
        Returns the number of quads sent.
        """
        ...

    def add_nquads(self, data: bytes, *, atomic: bool = True) -> None:
        """Add N-Quads text (the fast path used by ingest). Same atomicity as :meth:`add`.

        Only for N-Quads that :mod:`kg.mapping` wrote (IRIs minted and literals
        escaped by us): a backend may skip re-validating them. Load data from
        elsewhere with :meth:`load`, which checks everything.
        """
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        deadline: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).

        ``default_graphs=None``: the default graph is the union of all graphs.
        Otherwise it is the union of the named graphs listed. ``named_graphs``: the
        graphs ``GRAPH`` patterns may reach (None: ``default_graphs`` when given,
        else every graph). ``max_rows``: stop after that many solutions or triples.
        ``deadline`` (a :func:`time.monotonic` instant): raise
        :class:`~kg.errors.QueryTimeoutError` when the answer is still being read then.
        """
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update, in one transaction."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and all its quads (no error if absent)."""
        ...

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs that hold at least one quad."""
        ...

    def quad_count(self, graph: str | None = None) -> int:
        """Number of quads in the whole dataset or in one named graph."""
        ...

    def dump(self, out: IO[bytes], fmt: RdfFormatName = "nquads") -> None:
        """Write the whole dataset (``nquads``/``trig``) or the union (``turtle``/``ntriples``)."""
        ...

    def load(self, data: IO[bytes] | bytes, fmt: RdfFormatName, graph: str | None = None) -> int:
        """Parse RDF and add it atomically.

        Triples go to ``graph`` (required for triple formats).
        """
        ...

    def purge(self) -> bool:
        """Rewrite the storage so that removed data leaves no trace on disk.

        Removing quads does not erase their bytes at once: an embedded store keeps
        them in its write-ahead log, old table files and string dictionary until
        they are rewritten. An erasure calls this. Returns True when the backend
        rewrote its files, False when it has nothing on disk to rewrite (memory) or
        cannot do it (a remote endpoint: compact that server by its own means).
        """
        ...

    def close(self) -> None: ...
