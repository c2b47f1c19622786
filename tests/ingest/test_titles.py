"""A sample's title becomes a TITLE mention beside its extractor's (ingest.titles)."""

from __future__ import annotations

from ingest.titles import title_mention, title_name, with_titles
from kg import ids
from kg.typing import TITLE_ENTITY_TYPE


def test_a_title_in_the_text_is_a_title_mention_at_its_offsets() -> None:
    m = title_mention("Hello Love  Hello Love is a song.", {"title": "Hello Love"})
    assert m is not None
    assert (m.entity_type, m.normalized, m.start, m.end) == (TITLE_ENTITY_TYPE, "hello love", 0, 10)


def test_a_title_missing_from_the_text_still_names_the_subject() -> None:
    m = title_mention("A song by a singer.", {"title": "Hello Love"})
    assert m is not None and (m.start, m.end) == (0, 0)


def test_no_title_or_an_empty_one_gives_no_mention() -> None:
    assert title_mention("text", {}) is None
    assert title_mention("text", None) is None
    assert title_mention("text", {"title": " ,. "}) is None
    assert title_mention("text", {"title": 42}) is None


def test_with_titles_appends_only_where_there_is_a_title() -> None:
    out = with_titles([[], []], ["T one", "two"], [{"title": "T"}, {}])
    assert [len(x) for x in out] == [1, 0]


def test_the_title_mention_has_its_own_iri_even_at_an_ner_spans_offsets() -> None:
    assert ids.mention_iri("s", 0, 10, TITLE_ENTITY_TYPE) != ids.mention_iri("s", 0, 10, "ORG")


def test_a_parenthetical_qualifier_is_not_part_of_the_subjects_name() -> None:
    m = title_mention("Brand (play) Brand is a play by Ibsen.", {"title": "Brand (play)"})
    assert m is not None and (m.normalized, m.canonical, m.end) == ("brand", "Brand", 12)
    assert title_name("(untitled)") == "(untitled)"
