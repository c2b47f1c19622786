"""Content negotiation for ``/sparql``: the ``Accept`` header (with q-values) against
the media types an answer can be written in.

A ``format`` (or ``output``) request parameter, as many SPARQL clients send it
(``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``ntriples``, ``json-ld``,
``rdf+xml`` or a media type), takes precedence over ``Accept``.
"""

from __future__ import annotations

from collections.abc import Sequence

from provrag.render.sparql_results import (
    CSV,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
)

#: other names clients use for a media type: generic name -> (for results, for graphs)
_ALIASES: dict[str, tuple[str, str]] = {
    "application/json": (SPARQL_JSON, JSON_LD),
    "application/xml": (SPARQL_XML, RDF_XML),
    "text/xml": (SPARQL_XML, RDF_XML),
    "application/x-turtle": (TURTLE, TURTLE),
    "application/turtle": (TURTLE, TURTLE),
    "text/plain": (N_TRIPLES, N_TRIPLES),
    "application/x-json+ld": (JSON_LD, JSON_LD),
}
#: ``format=`` values -> (for results, for graphs)
_FORMATS: dict[str, tuple[str, str]] = {
    "json": (SPARQL_JSON, JSON_LD),
    "xml": (SPARQL_XML, RDF_XML),
    "csv": (CSV, CSV),
    "tsv": (TSV, TSV),
    "turtle": (TURTLE, TURTLE),
    "ttl": (TURTLE, TURTLE),
    "ntriples": (N_TRIPLES, N_TRIPLES),
    "nt": (N_TRIPLES, N_TRIPLES),
    "json-ld": (JSON_LD, JSON_LD),
    "jsonld": (JSON_LD, JSON_LD),
    "rdf+xml": (RDF_XML, RDF_XML),
    "rdfxml": (RDF_XML, RDF_XML),
}


def _parse_accept(accept: str) -> list[tuple[str, float, int]]:
    """``(media range, q, position)`` of each entry of an Accept header."""
    out = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out.append((media, q, position))
    return out


def _canonical(media: str, graph: bool) -> str:
    alias = _ALIASES.get(media)
    return alias[1 if graph else 0] if alias else media


def _specificity(media_range: str, offered: str) -> int | None:
    """How closely ``media_range`` names ``offered`` (None: it does not)."""
    if media_range == offered:
        return 3
    kind, _, sub = media_range.partition("/")
    if sub == "*" and offered.startswith(f"{kind}/"):
        return 2
    if media_range in ("*/*", "*"):
        return 1
    return None


def choose(
    accept: str | None, offered: Sequence[str], *, graph: bool, format_param: Sequence[str] = ()
) -> str | None:
    """The media type to answer in, or None when nothing offered is acceptable.

    ``offered`` is in order of preference (the first answers a missing or ``*/*``
    Accept); ``graph`` says whether the answer is a graph (CONSTRUCT, DESCRIBE).
    """
    for value in format_param:
        key = value.strip().lower()
        if key in _FORMATS:
            wanted = _FORMATS[key][1 if graph else 0]
        elif "/" in key:
            wanted = _canonical(key, graph)
        else:
            continue
        return wanted if wanted in offered else None
    if not accept or not accept.strip():
        return offered[0]
    ranges = [(_canonical(m, graph), q, pos) for m, q, pos in _parse_accept(accept)]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for rank, media in enumerate(offered):
        # the most specific range that names this type decides its q
        matches = [
            (spec, q, pos) for m, q, pos in ranges if (spec := _specificity(m, media)) is not None
        ]
        if not matches:
            continue
        spec, q, pos = max(matches, key=lambda t: (t[0], -t[2]))
        if q <= 0:
            continue
        # highest q; then an explicitly named type over a wildcard; then our preference
        score = (q, spec, -rank)
        if best is None or score > best:
            best, chosen = score, media
    return chosen
