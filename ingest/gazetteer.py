"""SKOS gazetteer: known entities, their canonical names, aliases and types.

A gazetteer is an RDF file (Turtle by default; other RDF syntaxes are picked by file
extension) of ``skos:Concept`` nodes. Accepted shape::

    @prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    @prefix pr:      <https://w3id.org/provrag/ns#> .

    <https://example.org/kb/northwind-bank> a skos:Concept ;
        skos:prefLabel "Northwind Bank"@en ;
        skos:altLabel  "NB", "Northwind" ;
        skos:hiddenLabel "Nortwind Bank" ;      # optional: matched, never shown
        pr:entityType  "ORG" .

    # a type for every concept of a scheme
    <https://example.org/kb/products> a skos:ConceptScheme ; pr:entityType "PRODUCT" .
    <https://example.org/kb/gold-card> a skos:Concept ;
        skos:inScheme <https://example.org/kb/products> ;
        skos:prefLabel "Gold Card" .

Rules:

- Every ``skos:Concept`` has exactly one ``skos:prefLabel`` without a language tag or
  tagged English (``en``, ``en-GB``...); that label is the canonical name. PrefLabels
  in other languages are matched as aliases.
- ``skos:altLabel`` (any language) are aliases: matched, and recorded on the entity.
  ``skos:hiddenLabel`` (misspellings) are matched but not recorded.
- The entity type is, first match wins: a ``pr:entityType`` literal on the concept; a
  ``dcterms:type`` on the concept (a literal, or an IRI whose local name is taken);
  a ``pr:entityType`` literal on a ``skos:inScheme`` scheme of the concept. Types are
  upper-cased and must be letters, digits and ``_`` (use spaCy's labels, e.g. ``ORG``,
  ``PERSON``, ``GPE``, ``PRODUCT``, so gazetteer and model hits link to the same node).
- Labels are compared after :func:`normalize_name`; two concepts may not share a
  normalised label (the linker could not choose between them).

Any violation raises :class:`~ingest.errors.GazetteerError` naming the file, the concept
and what to change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import GazetteerError
from kg.terms import PR_NS

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?!\w)")
_ABBREV_DOT = re.compile(r"(?<=[^\W\d_])\.|'")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_THE = re.compile(r"^the\s+")
_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def normalize_name(text: str) -> str:
    """The linking key of a name: one Entity node per (type, normalised name).

    Case-folds, strips accents, drops possessive ``'s``, deletes apostrophes and
    abbreviation dots (``U.S.`` -> ``us``), turns other punctuation into spaces,
    collapses whitespace and drops a leading ``the``. ``"The Northwind  Bank's"`` and
    ``"northwind bank"`` both give ``"northwind bank"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in decomposed if not unicodedata.combining(c))
    s = s.casefold().translate(_QUOTES)
    s = _POSSESSIVE.sub("", s)
    s = _ABBREV_DOT.sub("", s)
    s = _NON_WORD.sub(" ", s).strip()
    return _LEADING_THE.sub("", s)


@dataclass(frozen=True)
class GazetteerEntry:
    """One known entity."""

    iri: str
    canonical: str  # the prefLabel
    entity_type: str
    aliases: tuple[str, ...] = ()  # altLabels, recorded on the entity
    hidden: tuple[str, ...] = ()  # hiddenLabels and foreign prefLabels: matched only

    @property
    def normalized(self) -> str:
        return normalize_name(self.canonical)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label the entity is matched by, canonical first."""
        return (self.canonical, *self.aliases, *self.hidden)


class Gazetteer:
    """Known entities, looked up by normalised label."""

    def __init__(self, entries: Iterable[GazetteerEntry], source: Path | None = None) -> None:
        self.source = source
        self.entries: tuple[GazetteerEntry, ...] = tuple(entries)
        self._by_key: dict[str, GazetteerEntry] = {}
        self._by_iri: dict[str, GazetteerEntry] = {}
        for entry in self.entries:
            self._by_iri[entry.iri] = entry
            for label in entry.labels:
                key = normalize_name(label)
                if not key:
                    raise GazetteerError(
                        f"{self._where()}: concept <{entry.iri}> has the label {label!r}, "
                        "which is empty once normalised (only punctuation or 'the'); "
                        "remove it or give a real name.",
                        path=source,
                        subject=entry.iri,
                    )
                other = self._by_key.get(key)
                if other is not None and other.iri != entry.iri:
                    raise GazetteerError(
                        f"{self._where()}: the label {label!r} (normalised {key!r}) belongs "
                        f"to both <{other.iri}> and <{entry.iri}>; the linker cannot choose. "
                        "Keep it on one concept only.",
                        path=source,
                        subject=label,
                    )
                self._by_key[key] = entry

    def _where(self) -> str:
        return f"gazetteer {self.source}" if self.source else "gazetteer"

    def lookup(self, normalized: str) -> GazetteerEntry | None:
        """The entry whose label normalises to ``normalized`` (see :func:`normalize_name`)."""
        return self._by_key.get(normalized)

    def find(self, name: str) -> GazetteerEntry | None:
        """:meth:`lookup` of a raw name."""
        return self._by_key.get(normalize_name(name))

    def by_iri(self, iri: str) -> GazetteerEntry | None:
        return self._by_iri.get(iri)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self.entries)


def load_gazetteer(path: Path) -> Gazetteer:
    """Read a SKOS gazetteer in the shape of the module docstring."""
    import rdflib
    from rdflib.util import guess_format

    path = Path(path)
    if not path.is_file():
        raise GazetteerError(
            f"gazetteer file {path} does not exist; check the path (settings `gazetteer`).",
            path=path,
        )
    graph = rdflib.Graph()
    try:
        graph.parse(path, format=guess_format(str(path)) or "turtle")
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise GazetteerError(
            f"gazetteer file {path} is not readable RDF ({type(exc).__name__}: {exc}); "
            "fix the syntax (Turtle unless the extension says otherwise).",
            path=path,
        ) from exc
    entries = [_entry(graph, concept, path) for concept in _concepts(graph)]
    if not entries:
        raise GazetteerError(
            f"gazetteer file {path} holds no skos:Concept; declare each entity as "
            '`<iri> a skos:Concept ; skos:prefLabel "Name" ; pr:entityType "ORG"`.',
            path=path,
        )
    return Gazetteer(entries, source=path)


# ------------------------------------------------------------------------ internals


def _concepts(graph: Graph) -> list[Node]:
    from rdflib import URIRef

    found = set(graph.subjects(URIRef(RDF_TYPE), URIRef(SKOS + "Concept")))
    return sorted(found, key=str)


def _is_english(lang: str | None) -> bool:
    return lang is None or lang.lower() == "en" or lang.lower().startswith("en-")


def _entry(graph: Graph, concept: Node, path: Path) -> GazetteerEntry:
    from rdflib import Literal, URIRef

    iri = str(concept)

    def labels(prop: str) -> list[Literal]:
        return [o for o in graph.objects(concept, URIRef(SKOS + prop)) if isinstance(o, Literal)]

    pref = labels("prefLabel")
    main = sorted({str(o) for o in pref if _is_english(o.language)})
    if not main:
        raise GazetteerError(
            f"gazetteer {path}: concept <{iri}> has no skos:prefLabel without a language "
            "tag or tagged @en; add one, it is the canonical name.",
            path=path,
            subject=iri,
        )
    if len(main) > 1:
        raise GazetteerError(
            f"gazetteer {path}: concept <{iri}> has {len(main)} English/untagged "
            f"skos:prefLabels {main}; SKOS allows one per language. Keep one and make the "
            "others skos:altLabel.",
            path=path,
            subject=iri,
        )
    canonical = main[0]
    aliases = sorted({str(o) for o in labels("altLabel")} - {canonical})
    hidden = sorted(
        {str(o) for o in labels("hiddenLabel")}
        | {str(o) for o in pref if not _is_english(o.language)}
    )
    hidden = [h for h in hidden if h != canonical and h not in aliases]
    return GazetteerEntry(
        iri=iri,
        canonical=canonical,
        entity_type=_entity_type(graph, concept, path),
        aliases=tuple(aliases),
        hidden=tuple(hidden),
    )


def _entity_type(graph: Graph, concept: Node, path: Path) -> str:
    from rdflib import Literal, URIRef

    iri = str(concept)
    entity_type = URIRef(PR_NS + "entityType")
    candidates = [str(o) for o in graph.objects(concept, entity_type) if isinstance(o, Literal)]
    if not candidates:
        for o in graph.objects(concept, URIRef(DCT + "type")):
            text = str(o)
            candidates.append(text if isinstance(o, Literal) else re.split(r"[#/]", text)[-1])
    if not candidates:
        for scheme in graph.objects(concept, URIRef(SKOS + "inScheme")):
            candidates += [
                str(o) for o in graph.objects(scheme, entity_type) if isinstance(o, Literal)
            ]
    types = sorted({c.strip().upper() for c in candidates})
    if not types:
        raise GazetteerError(
            f"gazetteer {path}: concept <{iri}> has no entity type; add "
            '`pr:entityType "ORG"` (or dcterms:type, or pr:entityType on its skos:inScheme).',
            path=path,
            subject=iri,
        )
    if len(types) > 1:
        raise GazetteerError(
            f"gazetteer {path}: concept <{iri}> has several entity types {types}; keep one.",
            path=path,
            subject=iri,
        )
    if not _TYPE_RE.match(types[0]):
        raise GazetteerError(
            f"gazetteer {path}: concept <{iri}> has the entity type {types[0]!r}; a type "
            "is letters, digits and '_' starting with a letter (e.g. ORG, PERSON, PRODUCT).",
            path=path,
            subject=iri,
        )
    return types[0]
