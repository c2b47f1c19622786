"""Linking the entities of a query to Entity nodes of the graph: the :class:`QueryLinker` seam.

The retrieval layer does not run NER itself (it never imports :mod:`ingest`): the
app layer adapts ingest's extractor, so a query is linked exactly as samples were
at ingest (``provrag.wiring``). Two linkers live here:

- :class:`NoLinker` links nothing (enrichment then adds no candidates);
- :class:`NameLinker` matches word n-grams of the query against the normalised
  names of entities known to the graph (given by the caller). It finds entities
  that NER misses in lower-case or terse queries ("who founded northwind bank").
- :class:`UnionLinker` runs several linkers and keeps each entity once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class LinkedEntity:
    """An entity of the graph found in a query: its IRI, the query text, its type."""

    iri: str
    surface: str
    type: str


@runtime_checkable
class QueryLinker(Protocol):
    """Finds the graph entities a query mentions."""

    def link(self, text: str) -> list[LinkedEntity]: ...


class NoLinker:
    """Links nothing."""

    def link(self, text: str) -> list[LinkedEntity]:
        return []


_WORD = re.compile(r"\w+(?:[.'\u2019]\w+)*", re.UNICODE)


def simple_normalize(text: str) -> str:
    """Case-fold, strip accents and punctuation, collapse spaces (a default normaliser)."""
    decomposed = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    s = re.sub(r"['\u2019.]", "", s)
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


#: words that never make a single-word name match on their own
# fmt: off
_COMMON = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to",
    "was", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "us",
    "we", "our", "he", "she", "they", "them", "his", "her", "my", "me", "not", "no", "yes",
    "all", "any", "new", "one", "two", "may",
])
# fmt: on


class NameLinker:
    """Matches query n-grams (longest first, no overlaps) against known entity names.

    ``names`` maps a normalised name to the ``(iri, type)`` entities carrying it;
    ``normalize`` must be the function that produced those names (ingest's
    ``normalize_name``). Single common words ("us", "may") are never matched alone.
    """

    def __init__(
        self,
        names: Mapping[str, Sequence[tuple[str, str]]],
        normalize: Callable[[str], str] = simple_normalize,
        *,
        max_words: int = 12,
        min_chars: int = 3,
    ) -> None:
        self.names = names
        self.normalize = normalize
        self.max_words = max_words
        self.min_chars = min_chars

    def link(self, text: str) -> list[LinkedEntity]:
        words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        taken = [False] * len(words)
        out: list[LinkedEntity] = []
        for size in range(min(self.max_words, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if any(taken[i : i + size]):
                    continue
                surface = text[words[i][1] : words[i + size - 1][2]]
                key = self.normalize(surface)
                if len(key) < self.min_chars or (size == 1 and key in _COMMON):
                    continue
                found = self.names.get(key)
                if not found:
                    continue
                for iri, etype in found:
                    out.append(LinkedEntity(iri, surface, etype))
                for j in range(i, i + size):
                    taken[j] = True
        return out


class UnionLinker:
    """Every entity any of ``linkers`` finds, each IRI once (first linker wins)."""

    def __init__(self, linkers: Iterable[QueryLinker]) -> None:
        self.linkers = list(linkers)

    def link(self, text: str) -> list[LinkedEntity]:
        seen: dict[str, LinkedEntity] = {}
        for linker in self.linkers:
            for e in linker.link(text):
                seen.setdefault(e.iri, e)
        return list(seen.values())
