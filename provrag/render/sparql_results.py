"""SPARQL answers in the media types of the SPARQL 1.1 Protocol.

``GET/POST /sparql`` negotiates one of :data:`RESULT_TYPES` (SELECT and ASK) or
:data:`GRAPH_TYPES` (CONSTRUCT and DESCRIBE) and writes the answer with
:func:`serialize`: SPARQL 1.1 Query Results JSON (the same text as
``provrag sparql --format json``), XML, CSV and TSV; Turtle, N-Triples, JSON-LD
and RDF/XML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from provrag.errors import UsageError

if TYPE_CHECKING:
    from kg.store.base import QueryResult, SelectResult

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

#: media types of SELECT answers, the default first
SELECT_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
#: media types of ASK answers, the default first (CSV and TSV define no boolean)
ASK_TYPES = (SPARQL_JSON, SPARQL_XML)
#: media types of CONSTRUCT and DESCRIBE answers, the default first
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def _xml_term(term: Any) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise UsageError(f"{term!r} is not an RDF term the SPARQL XML results format can write")


def _xml(result: SelectResult | bool) -> str:
    head = f'<?xml version="1.0"?>\n<sparql xmlns="{_RESULTS_NS}">\n'
    if isinstance(result, bool):
        return f"{head}<head/>\n<boolean>{'true' if result else 'false'}</boolean>\n</sparql>\n"
    parts = [head, "<head>"]
    parts += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    parts.append("</head>\n<results>\n")
    for row in result.rows:
        parts.append("<result>")
        parts += [
            f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
            for v in result.variables
            if v in row
        ]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)


def _tsv(result: SelectResult) -> str:
    # a term in N-Triples syntax (pyoxigraph's str) escapes tabs and line breaks
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += [
        "\t".join(str(row[v]) if v in row else "" for v in result.variables) for row in result.rows
    ]
    return "\n".join(lines) + "\n"


def _graph(triples: list[Any], media_type: str) -> str:
    import pyoxigraph as ox

    from kg.terms import PREFIXES

    fmt = {
        TURTLE: ox.RdfFormat.TURTLE,
        N_TRIPLES: ox.RdfFormat.N_TRIPLES,
        JSON_LD: ox.RdfFormat.JSON_LD,
        RDF_XML: ox.RdfFormat.RDF_XML,
    }[media_type]
    prefixes = PREFIXES if media_type in (TURTLE, RDF_XML) else None
    return (ox.serialize(triples, None, fmt, prefixes=prefixes) or b"").decode()


def serialize(result: QueryResult, media_type: str) -> str:
    """``result`` written as ``media_type`` (one of the types its query form allows)."""
    from kg.store.base import SelectResult
    from provrag.render.sparql import render_result

    if isinstance(result, SelectResult | bool):
        if media_type == SPARQL_JSON:
            return str(render_result(result, "json"))
        if media_type == SPARQL_XML:
            return _xml(result)
        if isinstance(result, SelectResult) and media_type == CSV:
            return str(render_result(result, "csv"))
        if isinstance(result, SelectResult) and media_type == TSV:
            return _tsv(result)
    elif media_type in GRAPH_TYPES:
        return _graph(list(result), media_type)
    raise UsageError(
        f"a {type(result).__name__} answer cannot be written as {media_type!r}; "
        f"ask for one of: {', '.join(media_types_for(result))}"
    )


def media_types_for(result: QueryResult) -> tuple[str, ...]:
    """The media types an answer of this query form can be written in, the default first."""
    from kg.store.base import SelectResult

    if isinstance(result, SelectResult):
        return SELECT_TYPES
    if isinstance(result, bool):
        return ASK_TYPES
    return GRAPH_TYPES
