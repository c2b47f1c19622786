"""The ontology and the SHACL shapes: where they are, and loading the ontology into the graph.

Both Turtle files are package data of :mod:`ontologies` (``provrag.ttl``, ``shapes.ttl``).
The terms they declare are the members of :class:`kg.terms.PR`.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.errors import OntologyError
from kg.graph import ONTOLOGY_GRAPH, REGISTRY_GRAPH, KnowledgeGraph
from kg.terms import PR_NS

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
#: the registry records which ontology file the ontology graph holds
_IDENTIFIER = "http://purl.org/dc/terms/identifier"

#: rdf:type values that make a subject a declared term
DECLARING_TYPES = frozenset(
    {
        f"{_OWL}Class",
        f"{_OWL}ObjectProperty",
        f"{_OWL}DatatypeProperty",
        f"{_OWL}AnnotationProperty",
        f"{_RDFS}Class",
        f"{_RDF}Property",
    }
)


def _packaged(name: str) -> Path:
    path = Path(str(resources.files("ontologies").joinpath(name)))
    if not path.is_file():
        raise OntologyError(
            f"{name} is missing from the ontologies package (looked at {path}); "
            "reinstall provrag (pip install -e .)"
        )
    return path


def ontology_path() -> Path:
    """Path of ``ontologies/provrag.ttl``."""
    return _packaged("provrag.ttl")


def shapes_path() -> Path:
    """Path of ``ontologies/shapes.ttl``."""
    return _packaged("shapes.ttl")


def parse_turtle(path: Path) -> list[ox.Triple]:
    """Triples of a Turtle file, as pyoxigraph terms."""
    try:
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        ]
    except (SyntaxError, OSError) as exc:
        raise OntologyError(f"{path} does not parse as Turtle: {exc}") from exc


def ontology_triples() -> list[ox.Triple]:
    """The triples of ``provrag.ttl``."""
    return parse_turtle(ontology_path())


def ontology_digest() -> str:
    """``sha256:<hex>`` of the packaged ``provrag.ttl``: which ontology a store holds."""
    return "sha256:" + hashlib.sha256(ontology_path().read_bytes()).hexdigest()


def load_ontology(kg: KnowledgeGraph) -> int:
    """Write the ontology into :data:`kg.graph.ONTOLOGY_GRAPH`, replacing what was there.

    Idempotent: a second call leaves the same triples (and the same triple count).
    The registry notes the file's digest (``dcterms:identifier``), which
    :func:`ensure_ontology` compares. Returns the number of triples written.
    """
    triples = ontology_triples()
    with kg.write_graph(ONTOLOGY_GRAPH) as writer:
        # The graph is open, hence invisible, while it is swapped.
        kg.store.drop_graph(ONTOLOGY_GRAPH)
        written = writer.add(triples)
    marker = f"<{ONTOLOGY_GRAPH}> <{_IDENTIFIER}>"
    kg.store.update(
        f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {marker} ?d }} }};\n"
        f'INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {marker} "{ontology_digest()}" }} }}'
    )
    return written


def ensure_ontology(kg: KnowledgeGraph) -> int:
    """Load the ontology unless the store holds this very version of it already.

    Ingest calls it, so every graph with samples also holds the ``rdfs:subClassOf``
    axioms its queries and SHACL shapes lean on (the per-sample nodes carry their
    own class only, see :mod:`kg.mapping`). Returns the triples written (0: current).
    """
    current = kg.store.query(
        f"ASK {{ GRAPH <{REGISTRY_GRAPH}> "
        f'{{ <{ONTOLOGY_GRAPH}> <{_IDENTIFIER}> "{ontology_digest()}" }} }}'
    )
    if current is True:
        return 0
    return load_ontology(kg)


@lru_cache(maxsize=1)
def _declared(path: str) -> frozenset[str]:
    types = {ox.NamedNode(t) for t in DECLARING_TYPES}
    rdf_type = ox.NamedNode(f"{_RDF}type")
    out = set()
    for t in parse_turtle(Path(path)):
        s = t.subject
        if (
            t.predicate == rdf_type
            and t.object in types
            and isinstance(s, ox.NamedNode)
            and s.value.startswith(PR_NS)
        ):
            out.add(s.value[len(PR_NS) :])
    return frozenset(out)


def declared_terms() -> set[str]:
    """Local names of the ``pr:`` classes and properties declared in ``provrag.ttl``."""
    return set(_declared(str(ontology_path())))
