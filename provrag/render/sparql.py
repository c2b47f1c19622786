"""SPARQL query results as text (SPARQL 1.1 JSON and CSV results, Turtle) or a table.

``provrag sparql --format`` and ``GET/POST /sparql`` (by ``Accept``) both use
:func:`render_result`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.typing import SparqlFormat
from provrag.errors import UsageError

if TYPE_CHECKING:
    from kg.store.base import QueryResult

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _compact(iri: str) -> str:
    from kg.terms import PREFIXES

    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else f"<{iri}>"


def _cell(term: Any) -> str:
    """A term for a table cell: prefixed IRIs, plain literal values."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _json_term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_value(term: Any) -> str:
    """A term in the SPARQL 1.1 CSV results format (no type information)."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def render_result(result: QueryResult, fmt: SparqlFormat) -> Any:
    """Text (json, csv, turtle) or a rich renderable (table) for a query result."""
    import csv
    import io
    import json

    import pyoxigraph as ox
    from rich.table import Table

    from kg.store.base import SelectResult
    from kg.terms import PREFIXES

    if isinstance(result, SelectResult):
        if fmt == "json":
            bindings = [{k: _json_term(v) for k, v in row.items()} for row in result.rows]
            payload = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
            return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(result.variables)
            for row in result.rows:
                writer.writerow([_csv_value(row.get(v)) for v in result.variables])
            return buf.getvalue()
        if fmt == "turtle":
            raise UsageError(
                "--format turtle needs a CONSTRUCT or DESCRIBE query (got a SELECT); "
                "use --format table, json or csv"
            )
        table = Table(*result.variables, caption=f"{len(result.rows)} row(s)")
        for row in result.rows:
            table.add_row(*(_cell(row.get(v)) for v in result.variables))
        return table
    if isinstance(result, bool):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result}) + "\n"
        if fmt == "turtle":
            raise UsageError(
                "--format turtle needs a CONSTRUCT or DESCRIBE query (got an ASK); "
                "use --format table or json"
            )
        return "true\n" if result else "false\n"
    triples = list(result)
    if fmt == "turtle":
        return (ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode()
    if fmt == "json":
        return (ox.serialize(triples, None, ox.RdfFormat.JSON_LD) or b"").decode() + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(["subject", "predicate", "object"])
        for t in triples:
            writer.writerow([_csv_value(t.subject), _csv_value(t.predicate), _csv_value(t.object)])
        return buf.getvalue()
    table = Table("subject", "predicate", "object", caption=f"{len(triples)} triple(s)")
    for t in triples:
        table.add_row(_cell(t.subject), _cell(t.predicate), _cell(t.object))
    return table
