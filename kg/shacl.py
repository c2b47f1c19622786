"""SHACL validation of the committed graph against ``ontologies/shapes.ttl`` (pyshacl).

The data graph is the union of every committed named graph (a batch still being
written is not seen), plus the ontology, whose PROV-O sub-class axioms let
``sh:class prov:Agent`` accept a ``prov:SoftwareAgent``. No RDFS/OWL inference runs:
:mod:`kg.mapping` writes every type a shape checks explicitly, and materialising a
closure over the whole graph would cost far more than the validation itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.errors import KGError, QueryError
from kg.graph import KnowledgeGraph
from kg.ontology import ontology_triples, shapes_path
from kg.terms import PREFIXES

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SHAPES_NS = "https://w3id.org/provrag/shapes#"
_COMPACT = [(ns, p) for p, ns in PREFIXES.items() if p != "prid"] + [(_SHAPES_NS, "prsh")]


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with every term rendered as text."""

    focus_node: str
    path: str | None
    message: str
    severity: str  # "Violation" | "Warning" | "Info"
    shape: str
    value: str | None = None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        shown = self.value is not None and self.value != self.focus_node
        got = f" (value: {self.value})" if shown else ""
        return f"{self.severity} on {self.focus_node}{where}: {self.message}{got}"


@dataclass
class ValidationReport:
    """Outcome of :func:`validate`."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""
    data_triples: int = 0
    seconds: float = 0.0

    def describe(self, limit: int | None = 20) -> str:
        """A readable summary: the verdict, then one line per violation (up to ``limit``)."""
        if self.conforms:
            return f"The graph conforms to the shapes ({self.data_triples} triples checked)."
        shown = self.violations if limit is None else self.violations[:limit]
        lines = [
            f"The graph does not conform: {len(self.violations)} result(s) "
            f"({self.data_triples} triples checked)."
        ]
        lines += [f"- {v}" for v in shown]
        if len(shown) < len(self.violations):
            lines.append(f"... and {len(self.violations) - len(shown)} more")
        return "\n".join(lines)


# --------------------------------------------------------------------- data graph


class _ToRdflib:
    """Converts pyoxigraph terms to rdflib terms, reusing repeated ones."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}
        self._literals: dict[tuple[str, str, str | None], Literal] = {}
        self._bnodes: dict[str, BNode] = {}

    def iri(self, value: str) -> URIRef:
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = URIRef(value)
        return node

    def __call__(self, term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            key = (term.value, term.datatype.value, term.language)
            lit = self._literals.get(key)
            if lit is None:
                if term.language:
                    lit = Literal(term.value, lang=term.language)
                elif key[1] == _XSD_STRING:
                    lit = Literal(term.value)
                else:
                    lit = Literal(term.value, datatype=self.iri(key[1]))
                self._literals[key] = lit
            return lit
        if isinstance(term, ox.BlankNode):
            b = self._bnodes.get(term.value)
            if b is None:
                b = self._bnodes[term.value] = BNode()
            return b
        raise QueryError(f"cannot validate RDF-star triple terms ({term}); remove them first")

    def add_all(self, graph: Graph, triples: Iterable[ox.Triple]) -> None:
        graph.addN((self(t.subject), self(t.predicate), self(t.object), graph) for t in triples)


def data_graph(kg: KnowledgeGraph) -> Graph:
    """An rdflib graph of the committed data plus the ontology."""
    result = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    if not isinstance(result, list):
        raise QueryError("the store answered a CONSTRUCT query without triples")
    graph = Graph(bind_namespaces="none")
    convert = _ToRdflib()
    convert.add_all(graph, result)
    convert.add_all(graph, ontology_triples())
    return graph


@lru_cache(maxsize=4)
def _shapes_graph(path: str, mtime: float) -> Graph:
    return Graph(bind_namespaces="none").parse(path, format="turtle")


def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph (``ontologies/shapes.ttl`` by default), parsed once per file version."""
    p = path or shapes_path()
    return _shapes_graph(str(p), p.stat().st_mtime)


# ------------------------------------------------------------------------ report


def compact(term: Node | None) -> str | None:
    """An IRI as ``prefix:local`` when a known prefix fits; a literal as its text."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        for ns, prefix in _COMPACT:
            if term.startswith(ns) and "/" not in term[len(ns) :]:
                return f"{prefix}:{term[len(ns) :]}"
        return str(term)
    return str(term)


def render_path(path: Node | None, graphs: tuple[Graph, ...]) -> str | None:
    """A SHACL property path in SPARQL syntax (``a/b``, ``^a``, ``a|b``, ``a*`` ...)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return compact(path)
    for g in graphs:
        if (path, None, None) not in g:
            continue
        first = g.value(path, RDF.first)
        if first is not None:
            items = [render_path(p, graphs) or "?" for p in g.items(path)]
            return "/".join(items)
        for pred, fmt in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = g.value(path, pred)
            if inner is not None:
                return fmt.format(render_path(inner, graphs))
        alt = g.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(render_path(p, graphs) or "?" for p in g.items(alt)) + ")"
    return str(path)


def _shape_name(shape: Node | None, shapes: Graph) -> str:
    if shape is None:
        return ""
    if isinstance(shape, URIRef):
        return compact(shape) or str(shape)
    parent = next(iter(shapes.subjects(SH.property, shape)), None)
    if parent is None:
        return "(nested shape)"
    path = render_path(shapes.value(shape, SH.path), (shapes,))
    return f"{_shape_name(parent, shapes)} {path}"


def _violations(results: Graph, shapes: Graph) -> list[Violation]:
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        severity = results.value(r, SH.resultSeverity)
        value = results.value(r, SH.value)
        out.append(
            Violation(
                focus_node=str(results.value(r, SH.focusNode)),
                path=render_path(results.value(r, SH.resultPath), (results, shapes)),
                message=" ".join(messages),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_shape_name(results.value(r, SH.sourceShape), shapes),
                value=compact(value) if value is not None else None,
            )
        )
    out.sort(key=lambda v: (v.focus_node, v.path or "", v.message))
    return out


# -------------------------------------------------------------------- validation


def validate_graph(data: Graph, *, shapes: Path | None = None) -> ValidationReport:
    """Validate an rdflib graph against the shapes; no inference runs, the graph is unchanged."""
    from pyshacl import validate as pyshacl_validate  # deferred: a heavy import

    started = time.perf_counter()
    shapes_graph = load_shapes(shapes)
    conforms, results, text = pyshacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        inplace=True,
    )
    if not isinstance(results, Graph):
        raise KGError(f"pyshacl returned {type(results).__name__}, expected an rdflib Graph")
    return ValidationReport(
        conforms=bool(conforms),
        violations=_violations(results, shapes_graph),
        text=str(text),
        data_triples=len(data),
        seconds=time.perf_counter() - started,
    )


def validate(kg: KnowledgeGraph, *, shapes: Path | None = None) -> ValidationReport:
    """Check the committed graph against the SHACL shapes (``ontologies/shapes.ttl``)."""
    started = time.perf_counter()
    report = validate_graph(data_graph(kg), shapes=shapes)
    report.seconds = time.perf_counter() - started
    return report
