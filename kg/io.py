"""RDF export and import of a whole knowledge graph.

- :func:`export_graph`: ``nquads``/``trig`` keep every named graph, the registry
  included, so a backup re-imports to an isomorphic store; ``turtle`` is the union
  of the committed graphs (registry bookkeeping left out) with provrag's prefixes.
  Graphs a writer still has open are never exported. In Turtle a triple stated in
  several graphs is written once per graph (readers merge them).
- :func:`import_rdf`: dataset formats (N-Quads, TriG, JSON-LD) keep their named
  graphs and the registry statuses they carry; their default-graph triples and
  everything from a triple format (Turtle, N-Triples, RDF/XML) go into one named
  graph, ``prid:graph/import/<sha256 of the file>[:16]`` unless ``graph`` is given,
  committed through :meth:`KnowledgeGraph.write_graph`. Importing the same triple
  file again changes nothing (its graph is named after its content). Blank nodes
  are labelled after the file's hash, so a dataset file imported twice into an
  embedded store changes nothing either; a remote server scopes blank nodes to one
  request, so there the statements about blank nodes are added again (the graph
  means the same, but is no longer lean).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import RdfIOError
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph
from kg.terms import ID_NS, PREFIXES
from kg.typing import ExportFormat

#: format name -> pyoxigraph format, for import
IMPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
#: file extension -> format name
EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
}
_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "nq": "nquads",
    "n-quads": "nquads",
    "xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "rdf": "rdfxml",
    "owl": "rdfxml",
    "json-ld": "jsonld",
}


@dataclass
class ImportReport:
    """What :func:`import_rdf` did."""

    path: Path
    format: str
    sha256: str
    #: named graphs the file's statements went into
    graphs: list[str] = field(default_factory=list)
    #: statements parsed from the file
    statements: int = 0
    #: quads the store did not hold before (registry bookkeeping not counted)
    added: int = 0
    #: True when this exact file had been imported already (nothing was written)
    already_imported: bool = False


def import_graph_iri(sha256: str) -> str:
    """Named graph of a triple file, after its content: ``prid:graph/import/<sha[:16]>``."""
    return f"{ID_NS}graph/import/{sha256[:16]}"


def resolve_format(path: Path, fmt: str | None = None) -> str:
    """The import format name, from ``fmt`` (name or alias) or the file extension."""
    if fmt is not None:
        name = _ALIASES.get(fmt.lower(), fmt.lower())
        if name not in IMPORT_FORMATS:
            raise RdfIOError(
                f"{path}: unknown RDF format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}"
            )
        return name
    name_or_none = EXTENSIONS.get(path.suffix.lower())
    if name_or_none is None:
        raise RdfIOError(
            f"{path}: cannot tell the RDF format from the extension {path.suffix!r}; "
            f"use one of {', '.join(EXTENSIONS)} or pass the format "
            f"({', '.join(IMPORT_FORMATS)})"
        )
    return name_or_none


# --------------------------------------------------------------------------- export


def export_graph(kg: KnowledgeGraph, out: Path, fmt: ExportFormat) -> int:
    """Write the committed graph to ``out``; returns the number of statements written."""
    if fmt not in EXPORT_FORMATS:
        raise RdfIOError(f"{out}: cannot export as {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    hidden = {ox.NamedNode(g) for g in kg.open_graphs()}
    registry = ox.NamedNode(REGISTRY_GRAPH)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    written = 0
    with tempfile.TemporaryFile() as dump:
        kg.store.dump(dump, "nquads")
        dump.seek(0)
        quads = ox.parse(dump, ox.RdfFormat.N_QUADS)

        def kept() -> Iterator[ox.Quad]:
            nonlocal written
            for q in quads:
                if q.graph_name in hidden:
                    continue  # a batch still being written
                if q.graph_name == registry and (fmt == "turtle" or q.subject in hidden):
                    continue  # bookkeeping: not data (turtle) or about a hidden batch
                written += 1
                yield q

        statements: Iterable[ox.Triple] | Iterable[ox.Quad] = (
            (ox.Triple(q.subject, q.predicate, q.object) for q in kept())
            if fmt == "turtle"
            else kept()
        )
        try:
            with partial.open("wb") as sink:
                ox.serialize(
                    statements,
                    sink,
                    EXPORT_FORMATS[fmt],
                    prefixes=PREFIXES if fmt != "nquads" else None,
                )
            os.replace(partial, out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise RdfIOError(f"cannot write {out}: {exc}") from exc
    return written


# --------------------------------------------------------------------------- import


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class _BlankNodeNamer:
    """Names blank nodes after the file hash and their order of appearance (deterministic)."""

    def __init__(self, sha256: str) -> None:
        self.prefix = f"i{sha256[:16]}n"
        self.names: dict[str, ox.BlankNode] = {}

    def term(self, term: ox.BlankNode) -> ox.BlankNode:
        node = self.names.get(term.value)
        if node is None:
            node = ox.BlankNode(f"{self.prefix}{len(self.names)}")
            self.names[term.value] = node
        return node

    def quad(self, q: ox.Quad, graph: ox.NamedNode | None) -> ox.Quad:
        s, o = q.subject, q.object
        if isinstance(s, ox.BlankNode):
            s = self.term(s)
        if isinstance(o, ox.BlankNode):
            o = self.term(o)
        g = q.graph_name
        if isinstance(g, ox.BlankNode):
            g = self.term(g)
        elif graph is not None and isinstance(g, ox.DefaultGraph):
            g = graph
        return ox.Quad(s, q.predicate, o, g)


def _parse(path: Path, fmt: str, sha256: str, graph: ox.NamedNode | None) -> Iterator[ox.Quad]:
    namer = _BlankNodeNamer(sha256)
    try:
        with path.open("rb") as f:
            for q in ox.parse(f, IMPORT_FORMATS[fmt], base_iri=path.resolve().as_uri()):
                yield namer.quad(q, graph)
    except SyntaxError as exc:
        raise RdfIOError(f"{path}: not valid {fmt}: {exc}") from exc
    except OSError as exc:
        raise RdfIOError(f"cannot read {path}: {exc}") from exc


def import_rdf(
    kg: KnowledgeGraph, path: Path, fmt: str | None = None, graph: str | None = None
) -> ImportReport:
    """Load an RDF file (a backup, a vocabulary, a gazetteer) into the graph."""
    path = Path(path)
    if not path.is_file():
        raise RdfIOError(f"{path}: no such file; give the path of an RDF file to import")
    name = resolve_format(path, fmt)
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            raise RdfIOError(
                f"{path}: the target graph {graph!r} is not an absolute IRI ({exc}); "
                "give one like https://example.org/graph/gazetteer"
            ) from exc
    sha256 = _sha256_of(path)
    target = graph or import_graph_iri(sha256)
    report = ImportReport(path=path, format=name, sha256=sha256)
    before = kg.triple_count()
    if IMPORT_FORMATS[name].supports_datasets:
        _import_dataset(kg, path, name, sha256, target, report)
    else:
        _import_triples(kg, path, name, sha256, target, explicit=graph is not None, report=report)
    if not report.already_imported:
        report.added = kg.triple_count() - before
    return report


def _import_dataset(
    kg: KnowledgeGraph, path: Path, fmt: str, sha256: str, target: str, report: ImportReport
) -> None:
    """One atomic write: named graphs kept, default-graph triples into ``target``."""
    target_node = ox.NamedNode(target)
    quads = list(_parse(path, fmt, sha256, target_node))
    report.statements = len(quads)
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    if any(q.graph_name == target_node for q in quads) and kg.graph_status(target) is None:
        quads.append(
            ox.Quad(
                target_node,
                ox.NamedNode(f"{PREFIXES['pr']}batchStatus"),
                ox.Literal("committed"),
                ox.NamedNode(REGISTRY_GRAPH),
            )
        )
    kg.store.add(quads, atomic=True)
    report.graphs = sorted(graphs)


def _import_triples(
    kg: KnowledgeGraph,
    path: Path,
    fmt: str,
    sha256: str,
    target: str,
    *,
    explicit: bool,
    report: ImportReport,
) -> None:
    target_node = ox.NamedNode(target)
    report.graphs = [target]
    status = kg.graph_status(target)
    if not explicit and status == "committed":
        report.already_imported = True  # its graph is named after this very content
        return
    quads = list(_parse(path, fmt, sha256, target_node))
    report.statements = len(quads)
    if status is None and kg.store.quad_count(target) == 0:
        # One add: a remote server scopes blank nodes to one request, so chunks
        # would split a blank node shared across them.
        with kg.write_graph(target) as writer:
            writer.add(quads)
        return
    # The graph already holds data: add to it in one transaction, so that a
    # failure leaves what was there untouched.
    kg.store.add(quads, atomic=True)
