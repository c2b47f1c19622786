"""Embedded Oxigraph backend (on disk under the project home, or in memory)."""

from __future__ import annotations

import contextlib
import gc
import io
import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeoutError, StoreError, StoreLockedError
from kg.store.base import QueryResult, SelectResult, Term
from kg.typing import RdfFormatName

FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
#: how many solutions are read between two looks at the clock
_DEADLINE_EVERY = 256


def _check_deadline(deadline: float | None, read: int) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeoutError(
            f"the query ran past its time budget after {read} result(s); narrow it "
            "(a LIMIT, more specific patterns) or raise the timeout"
        )


def to_result(
    raw: object, *, max_rows: int | None = None, deadline: float | None = None
) -> QueryResult:
    """Turn a pyoxigraph query result into a backend-neutral :data:`QueryResult`.

    Reads at most ``max_rows`` solutions or triples; raises
    :class:`~kg.errors.QueryTimeoutError` when ``deadline`` (monotonic) passes
    while they are read.
    """
    _check_deadline(deadline, 0)
    if isinstance(raw, ox.QueryBoolean):
        return bool(raw)
    limit = max_rows if max_rows is not None else -1
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows: list[dict[str, Term]] = []
        for sol in raw:
            if len(rows) == limit:
                break
            row = {}
            for v in variables:
                term = sol[v]
                if term is not None:
                    row[v] = term
            rows.append(row)
            if not len(rows) % _DEADLINE_EVERY:
                _check_deadline(deadline, len(rows))
        _check_deadline(deadline, len(rows))
        return SelectResult(variables, rows)
    triples: list[ox.Triple] = []
    for triple in raw:  # type: ignore[attr-defined]
        if len(triples) == limit:
            break
        triples.append(triple)
        if not len(triples) % _DEADLINE_EVERY:
            _check_deadline(deadline, len(triples))
    _check_deadline(deadline, len(triples))
    return triples


class OxigraphStore:
    """pyoxigraph ``Store``: RocksDB on disk (``path``) or in memory (``path=None``)."""

    #: Records per ingest chunk. On disk, bulk loads of ~1k records (~30k quads)
    #: each ran fastest (100k records: 20 s against 25 s in 5k-record loads, which
    #: leave RocksDB more to compact); in memory, larger loads win (100k records:
    #: 14 s in 5k-record loads, 18 s in 1k-record ones).
    DISK_CHUNK_RECORDS = 1000
    MEMORY_CHUNK_RECORDS = 5000

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store: ox.Store | None = ox.Store()
                self.kind = "memory"
                self.chunk_records = self.MEMORY_CHUNK_RECORDS
            else:
                old = self.path.with_name(self.path.name + ".old")
                if not self.path.exists() and old.is_dir():  # a purge stopped mid-swap
                    old.rename(self.path)
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
                self.kind = "embedded"
                self.chunk_records = self.DISK_CHUNK_RECORDS
        except OSError as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreLockedError(
                    f"the graph store at {self.path} is open in another provrag process "
                    f"({msg}); wait for it to finish or use another --home"
                ) from exc
            raise StoreError(f"cannot open the graph store at {self.path}: {msg}") from exc

    @property
    def _s(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the graph store was closed; open it again (provrag.wiring.open_kg)")
        return self._store

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for code that needs the native API (e.g. oxrdflib)."""
        return self._s

    def add(self, quads: Iterable[ox.Quad], *, atomic: bool = True) -> int:
        items = quads if isinstance(quads, list) else list(quads)
        try:
            if atomic:
                self._s.extend(items)
            else:
                self._s.bulk_extend(items)
        except OSError as exc:
            raise StoreError(f"writing {len(items)} quads failed: {exc}") from exc
        return len(items)

    def add_nquads(self, data: bytes, *, atomic: bool = True) -> None:
        if not data:
            return
        try:
            # lenient: our own N-Quads (see GraphStore.add_nquads), IRIs not re-validated
            if atomic:
                self._s.extend(ox.parse(data, ox.RdfFormat.N_QUADS, lenient=True))
            else:
                self._s.bulk_load(data, ox.RdfFormat.N_QUADS, lenient=True)
        except SyntaxError as exc:
            raise StoreError(f"generated N-Quads do not parse (a provrag bug): {exc}") from exc
        except OSError as exc:
            raise StoreError(f"writing N-Quads failed: {exc}") from exc

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        deadline: float | None = None,
    ) -> QueryResult:
        try:
            if default_graphs is None and named_graphs is None:
                raw = self._s.query(sparql, use_default_graph_as_union=True)
            else:
                # the same list bounds GRAPH patterns unless named_graphs says otherwise,
                # so an open graph never leaks
                default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                    ox.NamedNode(g) for g in default_graphs or ()
                ]
                reachable = named_graphs if named_graphs is not None else default_graphs or ()
                named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in reachable]
                raw = self._s.query(
                    sparql, default_graph=default or [ox.DefaultGraph()], named_graphs=named
                )
            return to_result(raw, max_rows=max_rows, deadline=deadline)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def update(self, sparql: str) -> None:
        try:
            self._s.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL update syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"update failed: {exc}") from exc

    def drop_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._s.contains_named_graph(node):
            self._s.remove_graph(node)

    def named_graphs(self) -> list[str]:
        return sorted(
            g.value
            for g in self._s.named_graphs()
            if isinstance(g, ox.NamedNode)
            and next(iter(self._s.quads_for_pattern(None, None, None, g)), None) is not None
        )

    def quad_count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._s)
        return sum(1 for _ in self._s.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, out: IO[bytes], fmt: RdfFormatName = "nquads") -> None:
        rdf_format = FORMATS[fmt]
        if rdf_format.supports_datasets:
            self._s.dump(out, rdf_format)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self._s)
            ox.serialize(triples, out, rdf_format)

    def load(self, data: IO[bytes] | bytes, fmt: RdfFormatName, graph: str | None = None) -> int:
        rdf_format = FORMATS[fmt]
        if not rdf_format.supports_datasets and graph is None:
            raise StoreError(f"loading {fmt} needs a target graph name")
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            parsed = ox.parse(source, rdf_format)
            quads = [
                ox.Quad(q.subject, q.predicate, q.object, to_graph)
                if to_graph and isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in parsed
            ]
        except SyntaxError as exc:
            raise StoreError(f"the {fmt} data does not parse: {exc}") from exc
        self._s.extend(quads)
        return len(quads)

    def flush(self) -> None:
        self._s.flush()

    def purge(self) -> bool:
        """Rewrite the store on disk so that removed quads are gone from every file.

        RocksDB keeps removed data in its log, in table files not compacted yet and in
        Oxigraph's string dictionary (never pruned). So the store is dumped as N-Quads
        next to it, loaded into a fresh directory, and swapped in by renames; the old
        directory and the dump are deleted. A crash leaves either the old store in
        place (the fresh copy is removed by the next purge) or, mid-swap, ``<store>.old``
        without a store, which opening the store renames back.
        """
        if self.path is None:
            return False
        fresh = self.path.with_name(self.path.name + ".purge")
        old = self.path.with_name(self.path.name + ".old")
        dump = self.path.with_name(self.path.name + ".purge.nq")
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            with dump.open("wb") as out:
                self._s.dump(out, ox.RdfFormat.N_QUADS)
            new_store = ox.Store(str(fresh))
            new_store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
            new_store.flush()
            del new_store
            self.close()
            gc.collect()  # drop the last handle: RocksDB releases its lock
            self.path.rename(old)
            fresh.rename(self.path)
            shutil.rmtree(old)
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"rewriting the graph store at {self.path} failed ({exc}); the data is "
                f"in {self.path if self.path.exists() else old}: rename it back to "
                f"{self.path} if needed and run the erasure again"
            ) from exc
        finally:
            dump.unlink(missing_ok=True)
            shutil.rmtree(fresh, ignore_errors=True)
        return True

    def close(self) -> None:
        """Flush and release the store (and its RocksDB lock) now, not at garbage collection."""
        if self._store is None:
            return
        with contextlib.suppress(OSError):
            self._store.flush()
        self._store = None
