"""Graph enrichment: from the entities of a query to the samples that mention them.

:class:`~retrieval.entity_graph.EntityGraph` is the sample <-> entity adjacency
of the *current* samples. :class:`GraphEnricher` keeps one per graph state
(:func:`kg.queries.state.graph_state`), with the :class:`NameLinker` of its
entity names, and brings it up to date only when a committed ingest or deletion
changed the graph (by the delta: :mod:`retrieval.entity_refresh`), so a search
never runs SPARQL for them. This module expands a query through it (the
``graph_ranking = "expand"`` mode).

Expansion of a query whose linked entities are ``Q``:

- hop 1: every sample mentioning an entity ``e`` of ``Q`` scores
  ``sum(idf(e))`` over the entities of ``Q`` it mentions, with
  ``idf(e) = ln(1 + N / df(e))`` (``N`` samples with mentions, ``df`` samples
  mentioning ``e``): a rare entity says more than a common one.
- hop 2 (``hops=2``): the best hop-1 samples (``BRIDGES`` of them) act as
  bridges; the entities they mention besides ``Q`` are ranked by
  ``idf(e2) * share of bridges mentioning e2``, and the samples mentioning the
  best ``NEIGHBOURS`` of them (and no hop-1 match) score ``HOP2_DECAY * that
  weight``, summed over the neighbours they mention.

Only allowed samples (filters, clearance, never invalidated) are scored or used
as bridges, so no path passes through a sample the caller may not see. Equal
graph scores are ordered by the dense similarity to the query when a query
vector is given, then by index id; at most ``max_candidates`` are kept. Each
candidate keeps the path that brought it: ``entity (TYPE) -[mentioned in]->
sample`` (hop 1) or ``entity -> bridge sample -> entity -> sample`` (hop 2).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kg.graph import KnowledgeGraph
from kg.typing import GraphOrder
from retrieval.entity_graph import (  # noqa: F401 - EntityGraph & co. are imported from here too
    EntityGraph,
    _csr,
    _type_and_tail,
    graph_from_rows,
    load_entity_graph,
)
from retrieval.entity_refresh import current_graphs, refresh
from retrieval.errors import RetrievalError
from retrieval.filters import AllowedSet
from retrieval.linking import LinkedEntity, NameLinker, simple_normalize

if TYPE_CHECKING:
    from retrieval.index import VectorIndex

#: hop-1 samples used as bridges for hop 2
BRIDGES = 20
#: co-mentioned entities followed from the bridges
NEIGHBOURS = 10
#: weight of a hop-2 match relative to a hop-1 match of the same entity weight
HOP2_DECAY = 0.5
#: candidates whose ties are broken by dense similarity (the rest by id)
TIE_POOL = 4000


@dataclass
class GraphHits:
    """Candidates of the graph channel, best first, with the paths that brought them."""

    ids: np.ndarray  # index ids
    scores: np.ndarray
    entities: list[LinkedEntity] = field(default_factory=list)
    #: index id -> path steps, for every candidate
    paths: dict[int, list[str]] = field(default_factory=dict)
    #: index id -> sample IRI, for every candidate
    iris: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls, entities: list[LinkedEntity] | None = None) -> GraphHits:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32), entities or [])


def _sum_by(positions: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(positions) == 0:
        return positions, weights
    uniq, inverse = np.unique(positions, return_inverse=True)
    return uniq, np.bincount(inverse, weights=weights)


def expand(
    graph: EntityGraph,
    query_entities: list[int],
    allowed: AllowedSet,
    *,
    hops: int = 1,
    max_candidates: int = 200,
    query_vector: np.ndarray | None = None,
    vectors: VectorIndex | None = None,
    order: GraphOrder = "entities",
) -> GraphHits:
    """Score the allowed samples reachable from ``query_entities`` (see the module doc)."""
    if hops not in (1, 2):
        raise RetrievalError(f"graph_hops must be 1 or 2, got {hops}")
    if not query_entities or max_candidates <= 0 or graph.n_samples == 0:
        return GraphHits.empty()
    q = np.asarray(query_entities, dtype=np.int64)
    pos = np.concatenate([graph.samples_of(int(e)) for e in q]).astype(np.int64)
    w = np.concatenate([np.full(len(graph.samples_of(int(e))), graph.idf[e]) for e in q])
    cand, score = _sum_by(pos, w)
    keep = allowed.mask(graph.sample_ids[cand]) if len(cand) else np.zeros(0, bool)
    cand, score = cand[keep], score[keep]
    hop2: dict[int, tuple[int, int]] = {}  # sample position -> (via entity, bridge)
    if hops == 2 and len(cand):
        cand, score, hop2 = _hop2(graph, q, cand, score, allowed)
    if len(cand) == 0:
        return GraphHits.empty()
    ranked = _rank(graph, cand, score, max_candidates, query_vector, vectors, order)
    cand, score = cand[ranked], score[ranked]
    qset = set(int(e) for e in q)
    paths: dict[int, list[str]] = {}
    iris: dict[int, str] = {}
    for p in cand:
        sid = int(graph.sample_ids[p])
        paths[sid] = _path(graph, int(p), qset, hop2)
        iris[sid] = graph.sample_iris[p]
    return GraphHits(graph.sample_ids[cand], score.astype(np.float32), paths=paths, iris=iris)


def _hop2(
    graph: EntityGraph,
    q: np.ndarray,
    cand: np.ndarray,
    score: np.ndarray,
    allowed: AllowedSet,
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[int, int]]]:
    top = np.lexsort((cand, -score))[:BRIDGES]
    bridges = cand[top]
    qset = set(int(e) for e in q)
    share: dict[int, int] = {}
    bridge_of: dict[int, int] = {}
    for b in bridges:  # best bridge first
        for e2 in graph.entities_of(int(b)):
            e2 = int(e2)
            if e2 in qset:
                continue
            share[e2] = share.get(e2, 0) + 1
            bridge_of.setdefault(e2, int(b))
    if not share:
        return cand, score, {}
    weights = {e2: graph.idf[e2] * n / len(bridges) for e2, n in share.items()}
    neighbours = sorted(weights, key=lambda e2: (-weights[e2], e2))[:NEIGHBOURS]
    pos = np.concatenate([graph.samples_of(e2) for e2 in neighbours]).astype(np.int64)
    w = np.concatenate(
        [np.full(len(graph.samples_of(e2)), HOP2_DECAY * weights[e2]) for e2 in neighbours]
    )
    c2, s2 = _sum_by(pos, w)
    keep = allowed.mask(graph.sample_ids[c2]) if len(c2) else np.zeros(0, bool)
    keep &= ~np.isin(c2, cand)  # hop 2 adds new samples; it never re-scores hop-1 ones
    c2, s2 = c2[keep], s2[keep]
    # which neighbour brought each hop-2 sample: the heaviest one it mentions
    via: dict[int, tuple[int, int]] = {}
    new = set(int(c) for c in c2)
    for e2 in neighbours:  # heaviest first
        for p in graph.samples_of(e2):
            p = int(p)
            if p in new and p not in via:
                via[p] = (e2, bridge_of[e2])
    return np.concatenate([cand, c2]), np.concatenate([score, s2]), via


def _rank(
    graph: EntityGraph,
    cand: np.ndarray,
    score: np.ndarray,
    limit: int,
    query_vector: np.ndarray | None,
    vectors: VectorIndex | None,
    order: GraphOrder = "entities",
) -> np.ndarray:
    """Order of the best ``limit`` candidates: score, then dense similarity, then id
    (``order="similarity"``: similarity first, among the best-scored pool)."""
    ids = graph.sample_ids[cand]
    pool = np.lexsort((ids, -score))[: max(limit, min(TIE_POOL, len(cand)))]
    sim = np.full(len(pool), -np.inf, dtype=np.float32)
    if query_vector is not None and vectors is not None and len(pool):
        from retrieval.index import member_mask

        pool_ids = ids[pool]
        indexed = member_mask(vectors.ids(), pool_ids)
        if indexed.any():
            vecs = vectors.vectors_of(pool_ids[indexed])
            sim[indexed] = vecs @ np.asarray(query_vector, np.float32).reshape(-1)
    rounded = np.round(score[pool], 9)  # float sums of equal idfs compare equal
    if order == "similarity":
        return pool[np.lexsort((ids[pool], -rounded, -sim))[:limit]]
    return pool[np.lexsort((ids[pool], -sim, -rounded))[:limit]]


def _path(
    graph: EntityGraph, p: int, qset: set[int], hop2: dict[int, tuple[int, int]]
) -> list[str]:
    sample = graph.external_ids[p]
    matched = [int(e) for e in graph.entities_of(p) if int(e) in qset]
    if matched:
        matched.sort(key=lambda e: (-graph.idf[e], graph.labels[e]))
        return [f"{graph.entity_text(e)} -[mentioned in]-> {sample}" for e in matched]
    e2, bridge = hop2[p]
    start = next((int(e) for e in graph.entities_of(bridge) if int(e) in qset), None)
    steps = []
    if start is not None:
        steps.append(f"{graph.entity_text(start)} -[mentioned in]-> {graph.external_ids[bridge]}")
    steps += [
        f"{graph.external_ids[bridge]} -[mentions]-> {graph.entity_text(e2)}",
        f"{graph.entity_text(e2)} -[mentioned in]-> {sample}",
    ]
    return steps


class GraphEnricher:
    """Links a query and expands it through the adjacency of the current graph state."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        hops: int = 1,
        max_candidates: int = 200,
        order: GraphOrder = "entities",
        name_normalizer: Callable[[str], str] | None = None,
    ) -> None:
        if hops not in (1, 2):
            raise RetrievalError(f"graph_hops must be 1 or 2, got {hops}")
        self.kg = kg
        self.hops = hops
        self.max_candidates = max_candidates
        self.order: GraphOrder = order
        self.name_normalizer = name_normalizer or simple_normalize
        self._lock = threading.Lock()
        self._graph: EntityGraph | None = None
        self._names: tuple[EntityGraph, NameLinker] | None = None
        self._refresh_lock = threading.RLock()
        #: how many times the adjacency was loaded whole, and refreshed by a delta
        self.loads = 0
        self.refreshes = 0

    def graph(self, state: str) -> EntityGraph:
        """The adjacency for ``state``: refreshed by the delta of the committed graphs
        added since the last one (:func:`retrieval.entity_refresh.refresh`), reloaded
        whole when a graph went away."""
        with self._refresh_lock:
            graph = self._graph
            if graph is None or graph.state != state:
                graphs = current_graphs(self.kg)
                if graph is not None and set(graph.graphs) <= set(graphs):
                    graph = refresh(self.kg, graph, graphs, state)
                    self.refreshes += 1
                else:
                    graph = load_entity_graph(self.kg, state, graphs)
                    self.loads += 1
                self._graph = graph
            return graph

    def name_linker(self, state: str) -> NameLinker:
        """A linker of query words to the entity names of :meth:`graph` (``state``)."""
        graph = self.graph(state)
        with self._lock:
            if self._names is None or self._names[0] is not graph:
                self._names = (graph, NameLinker(graph.names(), self.name_normalizer))
            return self._names[1]

    def expand(
        self,
        linked: list[LinkedEntity],
        allowed: AllowedSet,
        state: str,
        *,
        query_vector: np.ndarray | None = None,
        vectors: VectorIndex | None = None,
    ) -> GraphHits:
        if not linked:
            return GraphHits.empty()
        graph = self.graph(state)
        hits = expand(
            graph,
            graph.resolve(linked),
            allowed,
            hops=self.hops,
            max_candidates=self.max_candidates,
            query_vector=query_vector,
            vectors=vectors,
            order=self.order,
        )
        hits.entities = linked
        return hits


def idf(n_samples: int, df: int) -> float:
    """The entity weight used above: ``ln(1 + N / df)``."""
    return math.log1p(n_samples / max(df, 1))
