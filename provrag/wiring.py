"""The composition root: the only place that picks concrete classes from the settings.

Store (embedded Oxigraph, in memory, or a remote SPARQL endpoint), knowledge
graph, embedder, entity extractor and query linker, retriever, answer
generator and answerer are chosen here and nowhere else; the services
(:mod:`provrag.services`) ask for them by what they do.

:func:`build_extractor` is the one place the settings choose an entity extractor
(``ner_extractor``: spaCy NER, noun chunks or the gazetteer only), for ingest and
queries alike. The retrieval layer never imports ingest; here that extractor (the
same extraction + linking that ran at ingest) is adapted to retrieval's
:class:`~retrieval.linking.QueryLinker`: a query mention of type ``T`` and
normalised name ``n`` links to ``kg.ids.entity_iri(T, n)``, the node ingest
made for the same name. spaCy is loaded on the first query that needs it, so a
dense or lexical search never pays for it. Library modules are imported inside
the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from kg.graph import KnowledgeGraph
from provrag.settings import Settings

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor
    from kg.store.base import GraphStore
    from kg.typing import OnMissingModel, RetrieverMode
    from retrieval.answerer import Answerer, ChatGenerator
    from retrieval.embedder import Embedder
    from retrieval.linking import LinkedEntity, QueryLinker
    from retrieval.retriever import GraphRetriever


# ------------------------------------------------------------------ the graph


def open_store(settings: Settings) -> GraphStore:
    """The graph store of ``settings.store``: embedded (on disk), memory or remote."""
    if settings.store == "memory":
        from kg.store.embedded import OxigraphStore

        return OxigraphStore(None)
    if settings.store == "remote":
        from kg.store.remote import RemoteSparqlStore

        return RemoteSparqlStore.from_settings(
            base_url=settings.store_url,
            query_url=settings.query_url,
            update_url=settings.update_url,
            gsp_url=settings.gsp_url,
        )
    from kg.store.embedded import OxigraphStore

    return OxigraphStore(settings.store_path)


def open_kg(settings: Settings, *, recover: bool = True) -> KnowledgeGraph:
    """Open the graph (a context manager that closes its store); by default drop any
    batch a crashed writer left open."""
    kg = KnowledgeGraph(open_store(settings))
    if recover:
        try:
            kg.recover()
        except BaseException:
            kg.close()
            raise
    return kg


# ------------------------------------------------------------------ models


def build_embedder(settings: Settings, *, lazy: bool = True) -> Embedder:
    """The embedder named by ``settings.embedding_model`` (loaded on first use if lazy)."""
    from retrieval.embedder import load_embedder

    return load_embedder(settings.embedding_model, batch_size=settings.embed_batch_size, lazy=lazy)


def build_extractor(
    settings: Settings, *, on_missing: OnMissingModel = "fallback"
) -> EntityExtractor:
    """The entity extractor of ingest and of queries, the same for both so that query
    and passage entities meet: ``ner_extractor`` (spaCy NER, noun chunks or the
    gazetteer only), ``ner_model``, ``ner_labels``, ``gazetteer``, ``ner_processes``.

    A missing spaCy model gives the rule-based pipeline with a
    :class:`~ingest.ner.NerFallbackWarning` (``on_missing="fallback"``;
    :func:`build_extractor_noting` catches that warning and returns it), or raises
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


def build_extractor_noting(settings: Settings) -> tuple[EntityExtractor, str | None]:
    """:func:`build_extractor`, and why the rule-based fallback runs (None: the model runs)."""
    from ingest.ner import NerFallbackWarning

    reason: str | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NerFallbackWarning)
        extractor = build_extractor(settings)
    for w in caught:
        if issubclass(w.category, NerFallbackWarning):
            reason = str(w.message)
    return extractor, reason


class NerQueryLinker:
    """:class:`QueryLinker` over ingest's :class:`~ingest.ner.EntityExtractor`."""

    def __init__(self, extractor: EntityExtractor) -> None:
        self.extractor = extractor

    def link(self, text: str) -> list[LinkedEntity]:
        from kg.ids import entity_iri
        from retrieval.linking import LinkedEntity

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
            # one query at a time: never spaCy worker processes
            one = self.settings.model_copy(update={"ner_processes": 1})
            extractor, self.fallback_reason = build_extractor_noting(one)
            self._inner = NerQueryLinker(extractor)
        return self._inner

    def link(self, text: str) -> list[LinkedEntity]:
        return self._load().link(text)


def build_linker(settings: Settings) -> QueryLinker | None:
    """NER on the query when settings.ner is on (loaded lazily); None otherwise."""
    return LazyNerLinker(settings) if settings.ner else None


# ------------------------------------------------------------------ search and answers


def build_retriever(
    settings: Settings,
    kg: KnowledgeGraph | None = None,
    *,
    mode: RetrieverMode | None = None,
    embedder: Embedder | None = None,
    linker: QueryLinker | None = None,
    release: str | None = None,
) -> GraphRetriever:
    """The retriever the settings describe (mode: argument, else settings.retrieval.mode);
    with ``release``, over the index built for that release and its sample revisions only.

    Without ``kg`` it opens the graph of the settings (the caller closes
    ``retriever.kg``).
    """
    from ingest.gazetteer import normalize_name
    from retrieval.retriever import GraphRetriever

    return GraphRetriever(
        kg if kg is not None else open_kg(settings),
        settings.index_dir if release is None else settings.release_index_dir(release),
        embedder if embedder is not None else build_embedder(settings, lazy=True),
        linker if linker is not None else build_linker(settings),
        settings.retrieval,
        mode,
        name_normalizer=normalize_name,
        release=release,
    )


def build_generator(settings: Settings) -> ChatGenerator | None:
    """The OpenAI-compatible endpoint at ``settings.generator_url``; None: extractive answers."""
    if not settings.generator_url:
        return None
    from retrieval.answerer import ChatGenerator

    return ChatGenerator(settings.generator_url, settings.generator_model)


def build_answerer(
    settings: Settings,
    retriever: GraphRetriever | None = None,
    kg: KnowledgeGraph | None = None,
    *,
    mode: RetrieverMode | None = None,
    embedder: Embedder | None = None,
) -> Answerer:
    """Extractive answers, or the generator at settings.generator_url when set."""
    from retrieval.answerer import Answerer

    if retriever is None:
        retriever = build_retriever(settings, kg, mode=mode, embedder=embedder)
    return Answerer(retriever, embedder or retriever.embedder, generator=build_generator(settings))
