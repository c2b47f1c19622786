from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from kg.answers import record_answer
from kg.graph import KnowledgeGraph
from kg.model import Filters, ScoredPassage
from kg.provenance import trace
from retrieval.answerer import Answerer, ChatGenerator, split_sentences
from retrieval.errors import AnswerError
from retrieval.index_sync import sync_index
from retrieval.retriever import GraphRetriever
from tests.retrieval.conftest import CountingEmbedder, invalidate
from tests.retrieval.search_data import passages, write_corpus


def test_sentences_split_at_stops_but_not_after_abbreviations_or_initials() -> None:
    text = (
        "Dr. Smith met J. R. Tolkien in 1950. It rained, e.g. all day! Did they talk? "
        "Yes.\n\nA new paragraph starts here"
    )
    assert split_sentences(text) == [
        "Dr. Smith met J. R. Tolkien in 1950.",
        "It rained, e.g. all day!",
        "Did they talk?",
        "Yes.",
        "A new paragraph starts here",
    ]


def test_lower_case_after_a_stop_does_not_split() -> None:
    assert split_sentences("Approx. three. the end") == ["Approx. three. the end"]


# ------------------------------------------------------------------ extractive, real model


@pytest.fixture
def indexed(kg: KnowledgeGraph, embedder, tmp_path: Path) -> tuple[KnowledgeGraph, Path, list[str]]:
    texts = [
        "Insulin is a hormone made by the pancreas. It lowers the level of sugar in the blood.",
        "The Eiffel Tower in Paris was completed in 1889. It was built for the World Fair.",
        "Glucagon raises blood sugar when it falls too low. The pancreas makes it as well.",
        "Insulin is a hormone made by the pancreas. Type 1 diabetes destroys the cells making it.",
    ]
    iris = write_corpus(
        kg, passages(texts), [[], [("Eiffel Tower", "FAC"), ("Paris", "GPE")], [], []]
    )
    sync_index(kg, tmp_path, embedder)
    return kg, tmp_path, iris


@pytest.mark.model
def test_extractive_answer_cites_the_sample_each_sentence_comes_from(indexed, embedder) -> None:
    kg, directory, iris = indexed
    answerer = Answerer(GraphRetriever(kg, directory, embedder), embedder)
    result = answerer.answer("Which organ makes insulin and what does it do to blood sugar?", 4)
    assert 2 <= len(result.sentences) <= 3
    texts = {s.text for s in result.sentences}
    assert "Insulin is a hormone made by the pancreas." in texts
    for s in result.sentences:  # each sentence is a sentence of the passage it cites
        cited = next(p for p in result.passages if p.sample_iri == s.sample_iri)
        assert s.text in cited.text and s.sample_id == cited.sample_id
        assert s.sample_iri in iris
    assert result.text == " ".join(s.text for s in result.sentences)
    # the repeated sentence of p0 and p3 is taken once
    assert (
        sum(s.text == "Insulin is a hormone made by the pancreas." for s in result.sentences) == 1
    )


@pytest.mark.model
def test_an_invalidated_sample_is_never_cited(indexed, embedder) -> None:
    kg, directory, iris = indexed
    invalidate(kg, [iris[0], iris[3]], "del-1")
    answerer = Answerer(GraphRetriever(kg, directory, embedder), embedder)
    result = answerer.answer("What does insulin do?", 4, Filters(clearance="restricted"))
    assert not {iris[0], iris[3]} & set(result.cited_samples())
    assert not {iris[0], iris[3]} & {p.sample_iri for p in result.passages}


@pytest.mark.model
def test_a_recorded_answer_traces_to_its_cited_samples(indexed, embedder) -> None:
    kg, directory, _ = indexed
    retriever = GraphRetriever(kg, directory, embedder)
    result = Answerer(retriever, embedder).answer("When was the Eiffel Tower completed?", 2)
    answer_id = record_answer(kg, result.to_recorded(retriever.describe()))
    tree = trace(kg, answer_id)
    assert tree.kind == "answer"
    assert sorted(n.iri for n in tree.children if n.kind == "sample") == sorted(
        result.cited_samples()
    )
    settings = json.loads(kg.select(
        f"SELECT ?s WHERE {{ <{tree.iri}> pr:querySettings ?s }}")[0]["s"])  # fmt: skip
    assert settings["retriever"] == "enriched" and settings["k"] == 2


# ------------------------------------------------------------------- generator endpoint


class FixedRetriever:
    def __init__(self, hits: list[ScoredPassage]) -> None:
        self.hits = hits

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> list[ScoredPassage]:
        return self.hits[:k]


HITS = [
    ScoredPassage(sample_iri="urn:s:a", sample_id="a", text="The tower opened in 1889.", score=0.9),
    ScoredPassage(sample_iri="urn:s:b", sample_id="b", text="Insulin lowers sugar.", score=0.5),
]


def generator_answering(content: str, seen: list[dict]) -> ChatGenerator:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append({"url": str(request.url), "body": json.loads(request.content)})
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return ChatGenerator("http://127.0.0.1:9/v1", "tiny", client=client)


def test_generated_sentences_cite_the_passages_they_name() -> None:
    seen: list[dict] = []
    gen = generator_answering("It opened in 1889 [1]. Insulin lowers blood sugar [2].", seen)
    result = Answerer(FixedRetriever(HITS), CountingEmbedder(), generator=gen).answer("q?", 2)
    assert [(s.text, s.sample_id) for s in result.sentences] == [
        ("It opened in 1889.", "a"),
        ("Insulin lowers blood sugar.", "b"),
    ]
    assert (result.generator, result.model) == ("http://127.0.0.1:9/v1", "tiny")
    assert seen[0]["url"] == "http://127.0.0.1:9/v1/chat/completions"
    prompt = seen[0]["body"]["messages"][-1]["content"]
    assert "[1] The tower opened in 1889." in prompt and "[2] Insulin lowers sugar." in prompt


def test_a_generated_sentence_without_citation_cites_the_closest_passage() -> None:
    gen = generator_answering("Insulin lowers sugar.", [])
    result = Answerer(FixedRetriever(HITS), CountingEmbedder(), generator=gen).answer("q?", 2)
    # CountingEmbedder gives identical texts identical vectors: passage b is the closest
    assert [s.sample_id for s in result.sentences] == ["b"]


def test_a_failing_generator_says_which_url_and_status() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(503, text="down")))
    gen = ChatGenerator("http://127.0.0.1:9", None, client=client)
    with pytest.raises(AnswerError, match=r"127\.0\.0\.1:9/v1/chat/completions.*503"):
        Answerer(FixedRetriever(HITS), CountingEmbedder(), generator=gen).answer("q?", 2)


def test_an_unreachable_generator_is_a_clear_error() -> None:
    gen = ChatGenerator("http://127.0.0.1:9/v1/chat/completions", None, timeout=2)
    with pytest.raises(AnswerError, match="could not reach"):
        gen.generate("q?", HITS)


def test_generator_url_must_be_http() -> None:
    with pytest.raises(AnswerError, match="http"):
        ChatGenerator("ftp://example.org")


def test_no_passages_gives_an_empty_answer() -> None:
    result = Answerer(FixedRetriever([]), CountingEmbedder()).answer("q?", 3)
    assert (result.text, result.sentences) == ("", [])
