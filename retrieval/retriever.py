""":class:`GraphRetriever` (a :class:`kg.model.Retriever`): dense, lexical, graph, fused.

Modes (channels fused by :mod:`retrieval.fusion`):

- ``dense``: FAISS over the query embedding only (score: cosine);
- ``lexical``: BM25 only (score: BM25);
- ``hybrid``: dense + lexical, fused (z-scored scores by default, or RRF);
- ``enriched``: hybrid, then the entity graph
  (:attr:`~retrieval.config.RetrieverConfig.graph_ranking`): ``ppr`` (default)
  ranks by Personalized PageRank over the sample-entity graph when the gate lets
  it (:mod:`retrieval.entity_pagerank`); ``expand`` adds the samples sharing a query
  entity (:mod:`retrieval.enrich`) below the fused ones (``graph_role``); ``off``.

Searches return answerable units (:mod:`retrieval.derivation`): the samples of
``answer_kinds`` (or ``Filters.kinds``); a channel's hit on a derived sample (a
synthetic question) counts for its source, and the hit says what it matched. A
channel whose weight is 0 in the config is not run at all.

Filters never leak: every search first computes the allowed set of the filters
(:mod:`retrieval.filters`: current samples only, or a served release's revisions,
sensitivity up to the clearance), passes it to FAISS and BM25 (an id selector, or
over-fetching when most of the index is allowed, never a silently short list),
blocks every other sample in the graph, checks every fused candidate against it
again, and against the invalidation marks when hydrating (no release served).

Caches, so a search runs no SPARQL but the hydration of hits not seen yet: the index
(:class:`~retrieval.index_bundle.LiveIndex`, reloaded when its manifest changes), and,
keyed on :func:`kg.queries.state.graph_state`, the allowed sets (:class:`AllowedSets`),
entity adjacency (:class:`GraphEnricher`, by delta), its PageRank graph
(:class:`EntityPageRank`), derivation map (:class:`Derivations`), hit details (:class:`Hydrator`).

Each :class:`~kg.model.ScoredPassage` carries the external id, dataset, text, the
fused score, per channel its raw score and 1-based rank, the graph path (graph
channel) and a provenance summary; all hits are hydrated in one SPARQL query.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg.graph import KnowledgeGraph
from kg.model import DerivedMatch, Filters, ScoredPassage
from kg.queries.state import graph_state
from kg.typing import RETRIEVER_MODES, RetrieverMode
from retrieval.config import RetrieverConfig
from retrieval.derivation import DerivationMap, Derivations, map_to_answerable
from retrieval.embedder import Embedder
from retrieval.enrich import GraphEnricher, GraphHits
from retrieval.entity_pagerank import EntityPageRank, GraphDecision, PageRankHits, gate
from retrieval.errors import IndexMismatchError, RetrievalError
from retrieval.filters import AllowedSet, AllowedSets, scoped
from retrieval.fusion import ChannelList, Fused, fuse
from retrieval.graph_rank import annotated, fill_iris, ranked_fused
from retrieval.hydrate import Hydrator
from retrieval.index import member_mask
from retrieval.index_bundle import IndexBundle, LiveIndex, Restriction
from retrieval.index_sync import CACHE_FILE
from retrieval.linking import NoLinker, QueryLinker, UnionLinker
from retrieval.name_index import cached_name_embedder
from retrieval.threads import limit_threads

CHANNELS: dict[str, tuple[str, ...]] = {
    "dense": ("dense",),
    "lexical": ("lexical",),
    "hybrid": ("dense", "lexical"),
    "enriched": ("dense", "lexical", "graph"),
}
#: past this share of the index allowed, search unfiltered and over-fetch instead
OVERFETCH_SHARE = 0.3


class GraphRetriever:
    """Dense, lexical, hybrid or graph-enriched search over the index and the graph."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        bundle: IndexBundle | Path | str,
        embedder: Embedder,
        linker: QueryLinker | None = None,
        settings: RetrieverConfig | None = None,
        mode: RetrieverMode | None = None,
        *,
        name_normalizer: Callable[[str], str] | None = None,
        name_embedder: Callable[[Sequence[str]], np.ndarray] | None = None,
        release: str | None = None,
    ) -> None:
        self.config = settings or RetrieverConfig()
        #: the release served (its own index; searches see its sample revisions only)
        self.release = release
        mode = mode or self.config.mode
        if mode not in RETRIEVER_MODES:
            raise RetrievalError(
                f"retriever mode must be one of {', '.join(RETRIEVER_MODES)}, got {mode!r}"
            )
        self.kg = kg
        self.embedder = embedder
        self.linker: QueryLinker = linker or NoLinker()
        self.mode: RetrieverMode = mode
        weights, one = self.config.weights, len(CHANNELS[mode]) == 1
        self.channels = tuple(c for c in CHANNELS[mode] if weights.get(c, 1.0) > 0 or one)
        #: the index: reloaded when its manifest changes; caches restrictions per generation
        self.index = LiveIndex(bundle)
        #: allowed sets per filters, recomputed when the graph state changes
        self.allowed_sets = AllowedSets(kg, self.config.default_clearance)
        #: entity adjacency and name linker, reloaded when the graph state changes
        self.enricher = GraphEnricher(
            kg, hops=self.config.graph_hops, max_candidates=self.config.max_graph_candidates,
            order=self.config.graph_order, name_normalizer=name_normalizer,
        )  # fmt: skip
        #: hit details (text + provenance), dropped when the graph state changes
        self.hydrator = Hydrator(kg)
        #: derived sample -> source, reloaded when the graph state changes
        self.derivations = Derivations(kg, release)
        #: the entity PageRank graph, rebuilt when the entity adjacency changes
        names = name_embedder or cached_name_embedder(embedder, self.index.directory / CACHE_FILE)
        self.pagerank = EntityPageRank(self.config, embedder.embed, names)

    @property
    def index_dir(self) -> Path:
        return self.index.directory

    @property
    def bundle(self) -> IndexBundle:
        """The index, reloaded when its manifest changed on disk."""
        bundle = self.index.get()  # no index: IndexNotFoundError
        if "dense" in self.channels and bundle.model_name != self.embedder.model_name:
            raise IndexMismatchError(
                f"the index at {self.index_dir} holds {bundle.model_name!r} vectors but the "
                f"query embedder is {self.embedder.model_name!r}; set embedding_model to the "
                "index's model or rebuild the index (`provrag index --rebuild`)"
            )
        return bundle

    def describe(self) -> dict[str, Any]:
        """What produced the results (recorded with answers and evaluation runs)."""
        loaded = self.index.loaded
        manifest = loaded.manifest if loaded is not None else {}
        return {
            "retriever": self.mode,
            "channels": list(self.channels),
            "fusion": self.config.fusion,
            "rrf_k": self.config.rrf_k,
            "weights": {c: self.config.weights.get(c, 1.0) for c in self.channels},
            "provenance_weighting": self.config.provenance_weighting,
            "provenance_weights": dict(self.config.provenance_weights)
            if self.config.provenance_weighting
            else {},
            "graph_hops": self.config.graph_hops if "graph" in self.channels else None,
            "max_graph_candidates": self.config.max_graph_candidates,
            "graph_order": self.config.graph_order if "graph" in self.channels else None,
            "graph_role": self.config.graph_role if "graph" in self.channels else None,
            "candidate_depth": self.config.candidate_depth,
            "link_names": self.config.link_names if "graph" in self.channels else None,
            "answer_kinds": list(self.config.answer_kinds),
            "derivation": self.config.derivation,
            "derived_rank": self.config.derived_rank,
            "graph_ranking": self.config.graph_ranking if "graph" in self.channels else None,
            "ppr": self._ppr_settings() if self._ppr_on else None,
            "default_clearance": self.config.default_clearance,
            "embedding_model": self.embedder.model_name,
            "index_generation": manifest.get("generation"),
            "index_type": manifest.get("index_type"),
            **({"release": self.release} if self.release is not None else {}),
        }

    @property
    def _ppr_on(self) -> bool:
        return "graph" in self.channels and self.config.graph_ranking == "ppr"

    def _ppr_settings(self) -> dict[str, Any]:
        c = self.config
        return {
            "synonyms": c.synonyms, "synonym_threshold": c.synonym_threshold,
            "synonym_k": c.synonym_k, "link_k": c.link_k, "link_threshold": c.link_threshold,
            "specificity": c.specificity, "damping": c.ppr_damping, "epsilon": c.ppr_epsilon,
            "passage_weight": c.ppr_passage_weight, "gate_top": c.ppr_gate_top,
            "gate_subject": c.ppr_gate_subject}  # fmt: skip

    # ---------------------------------------------------------------- channels
    def _dense(self, qv: np.ndarray, n: int, r: Restriction, b: IndexBundle) -> ChannelList:
        vectors = b.vectors
        if r.covers_all:
            scores, ids = vectors.search(qv, n)
        elif r.share >= OVERFETCH_SHARE:
            scores, ids = vectors.search(qv, math.ceil(n / r.share * 1.5) + 10)
            keep = member_mask(r.ids, ids[0])
            if keep.sum() >= min(n, len(r.ids)):
                scores, ids = scores[:, keep], ids[:, keep]
            else:
                scores, ids = vectors.search(qv, n, allowed=r.ids)
        else:
            scores, ids = vectors.search(qv, n, allowed=r.ids)
        s, i = scores[0][:n], ids[0][:n]
        order = np.lexsort((i, -s))
        return ChannelList("dense", i[order], s[order])

    def _lexical(
        self, query: str, n: int, r: Restriction, b: IndexBundle, matching_only: bool
    ) -> ChannelList:
        lexical = b.lexical
        if r.covers_all:
            scores, ids = lexical.search(query, n, matching_only=matching_only)
        elif r.share >= OVERFETCH_SHARE:
            scores, ids = lexical.search(
                query, math.ceil(n / r.share * 1.5) + 10, matching_only=matching_only
            )
            keep = member_mask(r.ids, ids)
            if keep.sum() >= n or len(ids) < math.ceil(n / r.share * 1.5) + 10:
                scores, ids = scores[keep][:n], ids[keep][:n]
            else:
                scores, ids = lexical.search(query, n, r.ids, matching_only=matching_only)
        else:
            scores, ids = lexical.search(query, n, r.ids, matching_only=matching_only)
        return ChannelList("lexical", ids, scores)

    def _linked(self, query: str, state: str) -> list[Any]:
        linked = self.linker.link(query)
        if self.config.link_names:
            linked += self.enricher.name_linker(state).link(query)
        seen: dict[str, Any] = {}
        for e in linked:
            seen.setdefault(e.iri, e)
        return list(seen.values())

    def _graph(
        self, query: str, allowed: AllowedSet, state: str, qv: np.ndarray | None, b: IndexBundle
    ) -> GraphHits:
        return self.enricher.expand(
            self._linked(query, state), allowed, state, query_vector=qv, vectors=b.vectors
        )

    def linked_entities(self, query: str) -> list[dict[str, str]]:
        """The graph entities the query links to: ``{"iri", "label", "type"}`` each."""
        state = graph_state(self.kg)
        linkers = [self.linker]
        if self.config.link_names:
            linkers.append(self.enricher.name_linker(state))
        graph = self.enricher.graph(state)
        return [
            {"iri": graph.entity_iris[p], "label": graph.labels[p], "type": graph.types[p]}
            for p in graph.resolve(UnionLinker(linkers).link(query))
        ]

    # ------------------------------------------------------------------ search
    def embed_query(self, query: str) -> np.ndarray:
        """``(1, dimension)`` vector of ``query`` (with ``query_threads`` torch threads)."""
        with limit_threads(self.config.query_threads):
            return self.embedder.embed([query])

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> list[ScoredPassage]:
        """The best ``k`` allowed answerable samples for ``query``, best first."""
        return self.search_explained(query, k, filters)[0]

    def search_explained(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> tuple[list[ScoredPassage], GraphDecision | None]:
        """:meth:`search`, and whether the graph's PageRank ranked the hits and why
        (None when the retriever runs no PageRank)."""
        if k < 0:
            raise RetrievalError(f"k must be at least 0, got {k}")
        if not query.strip():
            raise RetrievalError("the query is empty; give the text to search for")
        if k == 0:
            return [], None
        with limit_threads(self.config.query_threads):
            return self._search(query, k, filters)

    def _search(
        self, query: str, k: int, filters: Filters | None
    ) -> tuple[list[ScoredPassage], GraphDecision | None]:
        filters = scoped(filters, self.release)
        state = graph_state(self.kg)
        allowed = self.allowed_sets.get(filters, state)
        kinds = (filters.kinds if filters is not None else None) or self.config.answer_kinds
        answerable = self.allowed_sets.answerable(filters, state, kinds)
        if len(answerable) == 0:
            return [], None
        bundle = self.bundle
        derivations = self.derivations.get(state) if self.config.derivation else None
        if derivations is not None and len(derivations) == 0:
            derivations = None
        # without derivations the channels see only what a search may return
        restriction = bundle.restriction(allowed if derivations is not None else answerable)
        single = len(self.channels) == 1
        depth = k if single and derivations is None else max(k, self.config.candidate_depth)
        lists: list[ChannelList] = []
        qv: np.ndarray | None = None
        if "dense" in self.channels or "graph" in self.channels:
            qv = self.embed_query(query)
        channels = [c for c in ("dense", "lexical") if c in self.channels]
        matched: dict[int, int] = {}
        for c in channels:
            if c == "dense" and qv is None:
                continue
            lst = self._channel(c, query, qv, depth, restriction, bundle, not single)
            lst = self._answerable(lst, allowed, answerable, derivations, matched)
            if derivations is not None and len(lst.ids) < min(k, len(answerable)):
                # mostly derived hits: top up from the answerable samples (never short)
                more = self._channel(
                    c, query, qv, depth, bundle.restriction(answerable), bundle, not single
                )
                fresh = ~np.isin(more.ids, lst.ids)
                lst = ChannelList(
                    c, np.concatenate([lst.ids, more.ids[fresh]]),
                    np.concatenate([lst.scores, more.scores[fresh]]),
                )  # fmt: skip
            lists.append(lst)
        hits = GraphHits.empty()
        if "graph" in self.channels and self.config.graph_ranking == "expand":
            hits = self._graph(query, allowed, state, None if qv is None else qv[0], bundle)
            g_ids, g_scores, offset = hits.ids, hits.scores, 0
            if self.config.graph_role == "expand" and lists:
                # only what no other channel found, ranked below everything they found
                found = np.unique(np.concatenate([lst.ids for lst in lists]))
                fresh = ~member_mask(found, g_ids)
                g_ids, g_scores = g_ids[fresh], g_scores[fresh]
                offset = max(len(lst.ids) for lst in lists)
            graph = ChannelList("graph", g_ids, g_scores, rank_offset=offset)
            lists.append(self._answerable(graph, allowed, answerable, derivations, matched))
        iri_of = _iri_lookup(bundle, lists, hits, derivations)
        trust = self._trust(lists, iri_of) if self.config.provenance_weighting else None
        fused = fuse(
            lists,
            method=self.config.fusion,
            weights=self.config.weights,
            rrf_k=self.config.rrf_k,
            trust=trust,
        )
        if len(hits) and self.config.graph_role == "expand":
            # show where the graph reached a hit another channel found (it did not vote)
            rank_of = {int(i): r for r, i in enumerate(hits.ids, 1)}
            for f in fused:
                r = rank_of.get(f.id)
                if r is not None and "graph" not in f.channel_ranks:
                    f.channel_ranks["graph"] = r
                    f.channel_scores["graph"] = float(hits.scores[r - 1])
        decision: GraphDecision | None = None
        if self._ppr_on:
            dense = next((lst for lst in lists if lst.name == "dense"), None)
            fused, decision = self._pagerank(
                query, state, fused, dense, (allowed, answerable), derivations, hits, iri_of, k
            )
        if single:
            for f in fused:
                f.score = next(iter(f.channel_scores.values()))
        return self._hydrated(fused, k, iri_of, hits, state, matched, derivations), decision

    def _channel(
        self,
        name: str,
        query: str,
        qv: np.ndarray | None,
        depth: int,
        r: Restriction,
        b: IndexBundle,
        matching_only: bool,
    ) -> ChannelList:
        if not len(r.ids):
            return ChannelList(name, [], [])
        if name == "dense" and qv is not None:
            return self._dense(qv, depth, r, b)
        return self._lexical(query, depth, r, b, matching_only)

    def _answerable(
        self,
        lst: ChannelList,
        allowed: AllowedSet,
        answerable: AllowedSet,
        derivations: DerivationMap | None,
        matched: dict[int, int],
    ) -> ChannelList:
        keep = allowed.mask(lst.ids)  # never trust a channel: drop anything not allowed
        lst = ChannelList(lst.name, lst.ids[keep], lst.scores[keep], rank_offset=lst.rank_offset)
        below = self.config.derived_rank == "below"
        return map_to_answerable(lst, answerable, derivations, matched, own_first=below)

    def _pagerank(
        self,
        query: str,
        state: str,
        fused: list[Fused],
        dense: ChannelList | None,
        sets: tuple[AllowedSet, AllowedSet],
        derivations: DerivationMap | None,
        hits: GraphHits,
        iri_of: dict[int, str],
        k: int,
    ) -> tuple[list[Fused], GraphDecision]:
        """The fused ranking, or PageRank's when the gate lets the graph speak (``sets``:
        the allowed and the answerable samples; fills ``iri_of`` and the paths)."""
        allowed, answerable = sets
        entities = self.enricher.graph(state)
        linked = self._linked(query, state)
        ranked: PageRankHits = self.pagerank.rank(
            entities, linked, dense, allowed, answerable, derivations
        )
        n_linked = len(ranked.seeds)
        top = int(ranked.ids[0]) if len(ranked) else None
        decision = gate(
            n_linked, top, [f.id for f in fused], self.config.ppr_gate_top,
            subjects=ranked.subjects, need_subject=self.config.ppr_gate_subject,
        )  # fmt: skip
        out = ranked_fused(fused, ranked) if decision.spoke else annotated(fused, ranked)
        self.pagerank.paths(entities, ranked, [f.id for f in out[: k + 5]])
        hits.paths.update(ranked.paths)
        fill_iris(iri_of, ranked, entities, derivations)
        return out, decision

    def _trust(self, lists: list[ChannelList], iri_of: dict[int, str]) -> dict[int, float]:
        ids = {int(i) for lst in lists for i in lst.ids}
        classes = self.hydrator.classes([iri_of[i] for i in sorted(ids) if i in iri_of])
        weights = self.config.provenance_weights
        return {i: float(weights.get(classes.get(iri_of.get(i, ""), ""), 1.0)) for i in ids}

    def _hydrated(
        self,
        fused: list[Any],
        k: int,
        iri_of: dict[int, str],
        hits: GraphHits,
        state: str,
        matched: dict[int, int],
        derivations: DerivationMap | None,
    ) -> list[ScoredPassage]:
        out: list[ScoredPassage] = []
        start = 0
        while len(out) < k and start < len(fused):
            chunk = fused[start : start + k - len(out) + 5]
            start += len(chunk)
            rows = self.hydrator.details([iri_of[f.id] for f in chunk if f.id in iri_of], state)
            for f in chunk:
                h = rows.get(iri_of.get(f.id, ""))
                if h is None or (h.invalidated and self.release is None):
                    continue  # invalidated after the state was read, or gone: never shown
                out.append(
                    ScoredPassage(
                        sample_iri=h.iri,
                        sample_id=h.external_id,
                        dataset=h.dataset,
                        text=h.text,
                        score=float(f.score),
                        channel_scores=f.channel_scores,
                        channel_ranks=f.channel_ranks,
                        graph_path=hits.paths.get(f.id) if "graph" in f.channel_ranks else None,
                        provenance=h.provenance,
                        matched_via=_matched(f.id, h.external_id, matched, derivations),
                    )
                )
                if len(out) == k:
                    break
        return out


def _matched(
    i: int, external_id: str, matched: dict[int, int], derivations: DerivationMap | None
) -> DerivedMatch | None:
    d = matched.get(i)
    via = derivations.via(d, external_id) if d is not None and derivations is not None else None
    if via is None:
        return None
    return DerivedMatch(
        sample_iri=via.sample_iri,
        sample_id=via.sample_id,
        kind=via.kind,
        generator=via.generator,
        prompt_version=via.prompt_version,
        explanation=via.describe(),
    )


def _iri_lookup(
    bundle: IndexBundle,
    lists: list[ChannelList],
    hits: GraphHits,
    derivations: DerivationMap | None = None,
) -> dict[int, str]:
    """Sample IRI of every id in ``lists``: from the index's id map, else from the graph
    channel (a sample it reached that is not indexed yet) or the derivation map."""
    out: dict[int, str] = {}
    for lst in lists:
        for i in lst.ids:
            i = int(i)
            if i in out:
                continue
            if bundle.has(i):
                out[i] = bundle.iri_of(i)
            elif i in hits.iris:
                out[i] = hits.iris[i]
            elif derivations is not None and i in derivations.source_iris:
                out[i] = derivations.source_iris[i]
    return out
