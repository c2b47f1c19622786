"""A sample's title as an entity: what the sample is *about*.

A record whose ``metadata.title`` is a non-empty string (BEIR corpora, Wikipedia
passages) gets one more mention beside its extractor's: the entity of that name,
of type :data:`kg.typing.TITLE_ENTITY_TYPE`. Another passage naming the same thing
(found by NER or the gazetteer, under any type) then shares its name, and entity
PageRank walks from a passage that names it to the passage about it: the bridge of
a multi-hop question ("the association which published *X*" -> the passage about
the association). It is written only when entities are extracted at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest.gazetteer import normalize_name
from kg.mapping import MentionSpan
from kg.typing import TITLE_ENTITY_TYPE

#: a trailing parenthetical qualifier: "Hello Love (song)", "Galicia (Spain)"
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def title_name(title: str) -> str:
    """The name a title gives its subject: the title without a trailing
    parenthetical qualifier (Wikipedia's disambiguation), which a text naming the
    thing never carries ("Brand (play)" is named "Brand")."""
    name = _QUALIFIER.sub("", title).strip()
    return name or title.strip()


def title_mention(text: str, metadata: Mapping[str, Any] | None) -> MentionSpan | None:
    """The title mention of a sample (None when it has no usable title).

    Its offsets are where the title occurs in ``text`` (BEIR texts start with it),
    or ``0, 0`` when the text does not contain it.
    """
    title = (metadata or {}).get("title")
    if not isinstance(title, str):
        return None
    name = title_name(title)
    key = normalize_name(name)
    if not key:
        return None
    start = text.find(title)
    end = start + len(title) if start >= 0 else 0
    return MentionSpan(title, max(start, 0), end, TITLE_ENTITY_TYPE, key, " ".join(name.split()))


def with_titles(
    spans: list[list[MentionSpan]], texts: list[str], metadata: list[Mapping[str, Any] | None]
) -> list[list[MentionSpan]]:
    """Each text's mentions plus its title mention, if any."""
    out = []
    for found, text, meta in zip(spans, texts, metadata, strict=True):
        t = title_mention(text, meta)
        out.append(found if t is None else [*found, t])
    return out
