"""App-layer wiring of entity extraction, search and ask: settings -> extractor,
retriever, linker, answerer.

:func:`build_extractor` is the one place the settings choose an entity extractor
(``ner_extractor``: spaCy NER, noun chunks or the gazetteer only), for ingest and
for queries alike, so query and passage entities are found the same way. The
retrieval layer never imports ingest; here that extractor is adapted to
retrieval's :class:`~retrieval.linking.QueryLinker`: a query mention of type ``T``
and normalised name ``n`` links to ``kg.ids.entity_iri(T, n)``, the node ingest
made for the same name. spaCy is loaded on the first query that needs it, so a
dense or lexical search never pays for it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from kg.answers import record_answer
from kg.graph import KnowledgeGraph
from kg.ids import entity_iri
from kg.typing import OnMissingModel, RetrieverMode
from provrag.settings import Settings
from retrieval.answerer import Answerer, AnswerResult, ChatGenerator
from retrieval.embedder import Embedder
from retrieval.linking import LinkedEntity, QueryLinker
from retrieval.retriever import GraphRetriever

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor


def build_extractor(
    settings: Settings, *, on_missing: OnMissingModel = "fallback"
) -> EntityExtractor:
    """The entity extractor the settings describe (``ner_extractor``, ``ner_model``,
    ``ner_labels``, ``gazetteer``, ``ner_processes``).

    A missing spaCy model gives the rule-based pipeline with a
    :class:`~ingest.ner.NerFallbackWarning` (``on_missing="fallback"``), or raises
    :class:`~ingest.errors.NerModelError` (``"fail"``).
    """
    from ingest.extractors import extractor_for

    return extractor_for(
        settings.ner_extractor,
        settings.ner_model,
        settings.gazetteer,
        labels=settings.ner_labels,
        on_missing=on_missing,
        n_process=settings.ner_processes,
    )


class NerQueryLinker:
    """:class:`QueryLinker` over ingest's :class:`~ingest.ner.EntityExtractor`."""

    def __init__(self, extractor: EntityExtractor) -> None:
        self.extractor = extractor

    def link(self, text: str) -> list[LinkedEntity]:
        return [
            LinkedEntity(entity_iri(m.entity_type, m.normalized), m.text, m.entity_type)
            for m in self.extractor.extract_one(text)
        ]


class LazyNerLinker:
    """Loads the extractor named by the settings on the first :meth:`link`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._inner: NerQueryLinker | None = None
        #: why the rule-based fallback runs instead of the model (None: the model runs)
        self.fallback_reason: str | None = None

    def _load(self) -> NerQueryLinker:
        if self._inner is None:
            from ingest.ner import NerFallbackWarning

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", NerFallbackWarning)
                # one query at a time: never worker processes
                extractor = build_extractor(self.settings.model_copy(update={"ner_processes": 1}))
            for w in caught:
                if issubclass(w.category, NerFallbackWarning):
                    self.fallback_reason = str(w.message)
            self._inner = NerQueryLinker(extractor)
        return self._inner

    def link(self, text: str) -> list[LinkedEntity]:
        return self._load().link(text)


def build_linker(settings: Settings) -> QueryLinker | None:
    """NER on the query when settings.ner is on (loaded lazily); None otherwise."""
    return LazyNerLinker(settings) if settings.ner else None


def build_retriever(
    settings: Settings,
    kg: KnowledgeGraph | None = None,
    *,
    mode: RetrieverMode | None = None,
    embedder: Embedder | None = None,
    linker: QueryLinker | None = None,
) -> GraphRetriever:
    """The retriever the settings describe (mode: argument, else settings.retrieval.mode)."""
    from ingest.gazetteer import normalize_name
    from provrag.app import open_kg
    from provrag.indexing import embedder_for

    return GraphRetriever(
        kg if kg is not None else open_kg(settings),
        settings.index_dir,
        embedder if embedder is not None else embedder_for(settings, lazy=True),
        linker if linker is not None else build_linker(settings),
        settings.retrieval,
        mode,
        name_normalizer=normalize_name,
    )


def build_answerer(
    settings: Settings,
    retriever: GraphRetriever | None = None,
    kg: KnowledgeGraph | None = None,
    *,
    mode: RetrieverMode | None = None,
    embedder: Embedder | None = None,
) -> Answerer:
    """Extractive answers, or the generator at settings.generator_url when set."""
    if retriever is None:
        retriever = build_retriever(settings, kg, mode=mode, embedder=embedder)
    generator = (
        ChatGenerator(settings.generator_url, settings.generator_model)
        if settings.generator_url
        else None
    )
    return Answerer(retriever, embedder or retriever.embedder, generator=generator)


def record(kg: KnowledgeGraph, result: AnswerResult, retriever: GraphRetriever) -> str:
    """Store ``result`` in the graph (derived from its cited samples); sets and returns its id."""
    settings: dict[str, Any] = retriever.describe()
    answer_id = record_answer(kg, result.to_recorded(settings))
    result.id = answer_id
    return answer_id
