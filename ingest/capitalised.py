"""Capitalised multiword phrases: the rule-based pipeline's guess at names.

:func:`capitalised_phrases` finds runs of capitalised words in a spaCy ``Doc``
(a blank pipeline with a sentencizer is enough), for
:class:`ingest.ner.RuleBasedExtractor` when no trained NER model is installed.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: lower-case words allowed inside a capitalised phrase ("Bank of England")
_CONNECTORS = frozenset({"of", "&", "de", "la", "du", "von", "van", "der", "for", "the"})
#: capitalised words that do not start a name ("The", "My", ...)
_NOT_NAME_START = frozenset(
    {"the", "a", "an", "my", "our", "your", "his", "her", "their", "its", "this", "that",
     "these", "those", "i", "we", "you", "he", "she", "they", "it", "dear", "hi", "hello"}
)  # fmt: skip


def _is_cap(tok: Any, shouting: bool) -> bool:
    t = tok.text
    if not t[:1].isupper() or tok.is_punct or t == "I" or not any(c.isalpha() for c in t):
        return False
    return not (shouting and t.isupper())


def _is_shouting(doc: Doc) -> bool:
    """Mostly upper-case text: all-caps words are not names there."""
    words = [t.text for t in doc if t.is_alpha and len(t) > 1]
    return sum(w.isupper() for w in words) * 2 > len(words)


def capitalised_phrases(doc: Doc, taken: AbstractSet[int] = frozenset()) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of runs of at least two capitalised words.

    Up to two lower-case connectors may join capitalised words ("Bank of the West",
    "Procter & Gamble"). A run never crosses a sentence start or a token in ``taken``;
    its first word is dropped when it starts a sentence or is a determiner/pronoun
    ("The", "My", "Dear"). In mostly upper-case text, all-caps words do not count.
    """
    shouting = _is_shouting(doc)
    n = len(doc)

    def free(k: int) -> bool:
        return k < n and k not in taken and not doc[k].is_sent_start

    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if i in taken or not _is_cap(doc[i], shouting):
            i += 1
            continue
        j = i + 1  # exclusive end of the run
        while True:
            k = j
            while free(k) and k - j < 2 and doc[k].lower_ in _CONNECTORS:
                k += 1
            if free(k) and _is_cap(doc[k], shouting):
                j = k + 1
            else:
                break
        a = i
        while a < j and (
            doc[a].is_sent_start
            or doc[a].lower_ in _NOT_NAME_START
            or not _is_cap(doc[a], shouting)
        ):
            a += 1
        if sum(1 for t in doc[a:j] if _is_cap(t, shouting)) >= 2:
            out.append((a, j))
        i = j
    return out
