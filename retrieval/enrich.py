"""Graph enrichment: from the entities of a query to the samples that mention them.

:class:`EntityGraph` is the sample <-> entity adjacency of the *current* samples
(``?s pr:mentions ?e``, invalidated samples left out), read from the graph by
:mod:`kg.queries.mentions` and held in memory as two CSR arrays (entity ->
samples, sample -> entities). :class:`GraphEnricher` keeps one per graph state
(:func:`kg.queries.state.graph_state`), with the :class:`NameLinker` of its
entity names, and reloads them only when a committed ingest or deletion changed
the graph, so a search never runs SPARQL for them.

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
from kg.queries.mentions import current_mentions, entity_names
from kg.typing import GraphOrder
from retrieval.errors import RetrievalError
from retrieval.filters import AllowedSet
from retrieval.index import iri_to_id
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


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((cols, rows))
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
    return ptr, cols[order].astype(np.int32)


def _type_and_tail(entity_iri: str) -> tuple[str, str]:
    """``(type, encoded normalised name)`` of ``prid:entity/<type>/<name>``."""
    head, _, tail = entity_iri.rstrip("/").rpartition("/")
    return head.rpartition("/")[2], tail


@dataclass
class EntityGraph:
    """Sample <-> entity adjacency of the current samples, in CSR form."""

    entity_iris: list[str]
    labels: list[str]
    types: list[str]
    norms: list[str]
    sample_iris: list[str]
    external_ids: list[str]
    sample_ids: np.ndarray  # index id (iri_to_id) of each sample position
    ent_ptr: np.ndarray
    ent_samples: np.ndarray  # sample positions, per entity
    smp_ptr: np.ndarray
    smp_entities: np.ndarray  # entity positions, per sample
    df: np.ndarray
    idf: np.ndarray
    state: str = ""
    entity_index: dict[str, int] = field(default_factory=dict)
    by_tail: dict[str, list[int]] = field(default_factory=dict)
    sample_index: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entity_index = {iri: i for i, iri in enumerate(self.entity_iris)}
        for i, iri in enumerate(self.entity_iris):
            self.by_tail.setdefault(_type_and_tail(iri)[1], []).append(i)
        self.sample_index = {int(s): i for i, s in enumerate(self.sample_ids)}

    @property
    def n_samples(self) -> int:
        return len(self.sample_iris)

    @property
    def n_entities(self) -> int:
        return len(self.entity_iris)

    def samples_of(self, entity: int) -> np.ndarray:
        return self.ent_samples[self.ent_ptr[entity] : self.ent_ptr[entity + 1]]

    def entities_of(self, sample: int) -> np.ndarray:
        return self.smp_entities[self.smp_ptr[sample] : self.smp_ptr[sample + 1]]

    def entity_text(self, entity: int) -> str:
        return f"{self.labels[entity]} ({self.types[entity]})"

    def resolve(self, linked: list[LinkedEntity]) -> list[int]:
        """Positions of the linked entities in this graph, each once.

        An IRI not in the graph falls back to entities with the same normalised
        name under another type (the query's NER may type "Paris" differently).
        """
        out: dict[int, None] = {}
        for e in linked:
            pos = self.entity_index.get(e.iri)
            if pos is not None:
                out[pos] = None
                continue
            for p in self.by_tail.get(_type_and_tail(e.iri)[1], []):
                out[p] = None
        return [p for p in out if self.df[p] > 0]

    def names(self) -> dict[str, list[tuple[str, str]]]:
        """Normalised name -> ``(iri, type)`` of the entities mentioned by current samples."""
        out: dict[str, list[tuple[str, str]]] = {}
        for i, norm in enumerate(self.norms):
            if norm and self.df[i] > 0:
                out.setdefault(norm, []).append((self.entity_iris[i], self.types[i]))
        return out


def load_entity_graph(kg: KnowledgeGraph, state: str = "") -> EntityGraph:
    """The adjacency of the graph's current samples and the entities they mention."""
    mentions = current_mentions(kg)
    ent_iris: list[str] = []
    labels: list[str] = []
    types: list[str] = []
    norms: list[str] = []
    ent_pos: dict[str, int] = {}
    for name in entity_names(kg):
        etype, tail = _type_and_tail(name.iri)
        ent_pos[name.iri] = len(ent_iris)
        ent_iris.append(name.iri)
        labels.append(name.label if name.label is not None else tail)
        types.append(name.type if name.type is not None else etype)
        norms.append(name.normalized_name if name.normalized_name is not None else "")
    smp_pos: dict[str, int] = {}
    sample_iris: list[str] = []
    external: list[str] = []
    rows_s: list[int] = []
    rows_e: list[int] = []
    for s, ext, e in mentions:
        sp = smp_pos.get(s)
        if sp is None:
            sp = smp_pos[s] = len(sample_iris)
            sample_iris.append(s)
            external.append(ext if ext is not None else s.rsplit("/", 2)[-2])
        ep = ent_pos.get(e)
        if ep is None:  # mentioned but not typed pr:Entity: keep it, named by its IRI
            etype, tail = _type_and_tail(e)
            ep = ent_pos[e] = len(ent_iris)
            ent_iris.append(e)
            labels.append(tail)
            types.append(etype)
            norms.append("")
        rows_s.append(sp)
        rows_e.append(ep)
    s_arr = np.asarray(rows_s, dtype=np.int64)
    e_arr = np.asarray(rows_e, dtype=np.int64)
    n_s, n_e = len(sample_iris), len(ent_iris)
    ent_ptr, ent_samples = _csr(e_arr, s_arr, n_e)
    smp_ptr, smp_entities = _csr(s_arr, e_arr, n_s)
    df = np.diff(ent_ptr).astype(np.float64)
    with np.errstate(divide="ignore"):
        idf = np.where(df > 0, np.log1p(max(n_s, 1) / np.maximum(df, 1)), 0.0)
    return EntityGraph(
        entity_iris=ent_iris,
        labels=labels,
        types=types,
        norms=norms,
        sample_iris=sample_iris,
        external_ids=external,
        sample_ids=np.fromiter((iri_to_id(s) for s in sample_iris), np.int64, count=n_s),
        ent_ptr=ent_ptr,
        ent_samples=ent_samples,
        smp_ptr=smp_ptr,
        smp_entities=smp_entities,
        df=df,
        idf=idf,
        state=state,
    )


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
        #: how many times the adjacency was (re)loaded
        self.loads = 0

    def graph(self, state: str) -> EntityGraph:
        """The adjacency for ``state``, reloaded when the graph changed."""
        graph = self._graph
        if graph is None or graph.state != state:
            graph = self._graph = load_entity_graph(self.kg, state)
            self.loads += 1
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
