"""Entity Personalized PageRank: the graph's ranking in the ``enriched`` mode.

HippoRAG 2's design without an LLM (``scripts/graph_research.py`` chose it):

- one graph of sample and entity nodes: node ``i < n_samples`` is sample ``i`` of
  the :class:`~retrieval.enrich.EntityGraph` (current samples with mentions), node
  ``n_samples + e`` is entity ``e``; mention edges (weight 1, both ways) and, with
  ``synonyms``, edges between entities whose name vectors have cosine >=
  ``synonym_threshold`` (at most ``synonym_k`` per entity, weighted by the cosine);
- seeds: the query's linked entities (the query linker and exact names: confidence
  1; the ``link_k`` nearest entity names of each query mention not matched exactly,
  cosine >= ``link_threshold``: confidence = cosine), each weighted by specificity
  ``1 / samples mentioning it`` (``specificity``) times its confidence; and the
  dense top ``candidate_depth`` answerable samples at ``ppr_passage_weight`` times
  their min-max-normalised dense score;
- forward push (:func:`retrieval.ppr.push_ppr`, ``ppr_damping``, ``ppr_epsilon``)
  with every sample the caller may not match ``blocked``, so no path passes
  through a hidden sample. A seed sample without mentions has no edge: it keeps
  its seed mass (scaled as power iteration would), so it still ranks;
- a derived sample's score counts for its answerable source (best wins);
- the gate (:func:`gate`): the ranking is used only when the query links an
  entity, names a sample's subject (its title, ``ppr_gate_subject``) and, with
  ``ppr_gate_top``, PageRank's top sample is within the fused top
  ``ppr_gate_top``; otherwise the fused ranking stands;
- entities of one normalised name under several types (a passage's TITLE and
  another passage's ORG of that name) are one node (:func:`name_representatives`).

The graph (transition, name index) is cached per graph state; name vectors are
kept by name across states, so a refresh embeds only new names.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.typing import TITLE_ENTITY_TYPE
from retrieval import ppr
from retrieval.config import RetrieverConfig
from retrieval.derivation import DerivationMap
from retrieval.entity_graph import EntityGraph
from retrieval.filters import AllowedSet
from retrieval.fusion import ChannelList
from retrieval.linking import LinkedEntity
from retrieval.name_index import NameIndex

Embed = Callable[[Sequence[str]], np.ndarray]
#: longest explained path (nodes walked back from a hit)
MAX_PATH = 5


def _no_edges() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)


@dataclass
class PageRankGraph:
    """The sample-entity graph of one graph state, ready for PageRank."""

    entities: EntityGraph
    transition: ppr.Transition
    #: name vectors of the first ``len(names)`` entities (row = entity position)
    names: NameIndex | None
    #: synonym edges between entity positions: ``(src, dst, cosine)``
    synonyms: tuple[np.ndarray, np.ndarray, np.ndarray] = field(default_factory=lambda: _no_edges())
    #: entity position -> the position whose node stands for its name (one node per
    #: normalised name: a passage's TITLE and another's ORG of that name are one)
    rep: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: samples mentioning each name node (by representative position)
    node_df: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_samples(self) -> int:
        return self.entities.n_samples

    @property
    def synonym_edges(self) -> int:
        return len(self.synonyms[0])


def build_pagerank_graph(
    entities: EntityGraph,
    embed: Embed | None,
    config: RetrieverConfig,
    vector_cache: dict[str, np.ndarray] | None = None,
    previous: PageRankGraph | None = None,
) -> PageRankGraph:
    """The :class:`PageRankGraph` of ``entities`` (name vectors from ``embed``, reusing
    ``vector_cache`` by name and filling it).

    With ``previous`` (the graph of an earlier state whose entities are a prefix of
    these, as :func:`retrieval.entity_refresh.refresh` keeps them), only the new
    entities are embedded, added to the name index and searched for synonyms.
    """
    n_s, n_e = entities.n_samples, entities.n_entities
    rep = name_representatives(entities.norms)
    s_m = np.repeat(np.arange(n_s, dtype=np.int64), np.diff(entities.smp_ptr))
    e_m = rep[entities.smp_entities.astype(np.int64)] if n_e else np.zeros(0, np.int64)
    key = np.unique(s_m * max(n_e, 1) + e_m)  # one edge per (sample, name node)
    s_m, e_m = key // max(n_e, 1), key % max(n_e, 1)
    node_df = np.bincount(e_m, minlength=n_e).astype(np.float64)
    src = [s_m]
    dst = [n_s + e_m]
    weights = [np.ones(len(s_m))]
    names: NameIndex | None = None
    syn = _no_edges()
    if embed is not None and n_e and (config.synonyms or config.link_k > 0):
        start = 0
        if (
            previous is not None
            and previous.names is not None
            and len(previous.names) <= n_e
            and previous.entities.entity_iris == entities.entity_iris[: len(previous.names)]
        ):
            names, syn, start = previous.names, previous.synonyms, len(previous.names)
        cache = vector_cache if vector_cache is not None else {}
        texts = entities.labels[start:]
        missing = sorted({t for t in texts if t not in cache})
        if missing:
            for t, v in zip(missing, embed(missing), strict=True):
                cache[t] = np.asarray(v, dtype=np.float32)
        if texts:
            vecs = np.stack([cache[t] for t in texts])
            if names is None:
                names = NameIndex(vecs)
            else:
                names.add(vecs)
            if config.synonyms and config.synonym_k > 0 and n_e > 1:
                rows = np.arange(start, n_e, dtype=np.int64)
                a, b, w = names.synonym_edges(config.synonym_threshold, config.synonym_k, rows)
                syn = (
                    np.concatenate([syn[0], a]),
                    np.concatenate([syn[1], b]),
                    np.concatenate([syn[2], w]),
                )
    if config.synonyms and len(syn[0]):
        a, b = rep[syn[0]], rep[syn[1]]
        keep = a != b
        src.append(n_s + a[keep])
        dst.append(n_s + b[keep])
        weights.append(syn[2][keep])
    transition = ppr.build_transition(
        n_s + n_e, np.concatenate(src), np.concatenate(dst), np.concatenate(weights)
    )
    return PageRankGraph(entities, transition, names, syn, rep, node_df)


def named_subjects(entities: EntityGraph, linked: Sequence[LinkedEntity]) -> int:
    """Query entities that name a sample's subject: linked exactly to a title entity
    (:data:`kg.typing.TITLE_ENTITY_TYPE`) and written as a name, with a capital
    letter. A lower-case common noun that happens to be a title ("anxiety", the
    title of one SciFact abstract) is a topic, not the thing a passage is about."""
    return sum(
        1
        for e in linked
        if any(c.isupper() for c in e.surface)
        and any(entities.types[p] == TITLE_ENTITY_TYPE for p in entities.same_name(e.iri))
    )


def name_representatives(norms: Sequence[str]) -> np.ndarray:
    """Entity position -> the first position of its normalised name (itself when
    unnamed): the node that stands for every entity of that name."""
    first: dict[str, int] = {}
    return np.fromiter(
        (first.setdefault(n, i) if n else i for i, n in enumerate(norms)), np.int64, len(norms)
    )


@dataclass
class PageRankHits:
    """PageRank's ranking of answerable samples (index ids, best first) and its why."""

    ids: np.ndarray
    scores: np.ndarray
    #: entity positions seeded and their weights
    seeds: dict[int, float] = field(default_factory=dict)
    #: index id -> path steps (filled for the hits shown, by :meth:`EntityPageRank.paths`)
    paths: dict[int, list[str]] = field(default_factory=dict)
    #: push scores by node, to explain paths
    node_scores: np.ndarray | None = None
    blocked: np.ndarray | None = None
    #: seeded entities the query names exactly that are a sample's subject (title)
    subjects: int = 0

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class GraphDecision:
    """Whether the graph's ranking replaced the fused one for a query, and why."""

    spoke: bool
    reason: str
    linked: int = 0


def gate(
    linked: int,
    ppr_top: int | None,
    fused_ids: Sequence[int],
    top: int,
    *,
    subjects: int = 0,
    need_subject: bool = False,
) -> GraphDecision:
    """Whether PageRank's ranking replaces the fused one for a query.

    The graph speaks only when the query links an entity, and, with
    ``need_subject``, names the subject of some sample (``subjects``: linked title
    entities, :data:`kg.typing.TITLE_ENTITY_TYPE`), and, with ``top > 0``,
    PageRank's top sample is within the fused ranking's first ``top``.
    """
    if linked == 0:
        return GraphDecision(False, "no query entity linked to the graph: fused ranking", 0)
    if need_subject and subjects == 0:
        return GraphDecision(
            False, "the query names no sample's subject (title entity): fused ranking", linked
        )
    if ppr_top is None:
        return GraphDecision(False, "PageRank reached no allowed passage: fused ranking", linked)
    if top > 0:
        head = [int(i) for i in fused_ids[:top]]
        if ppr_top not in head:
            return GraphDecision(
                False,
                f"PageRank's top passage is not in the fused top {top} (gate): fused ranking",
                linked,
            )
    return GraphDecision(True, f"{linked} linked entit{'y' if linked == 1 else 'ies'}: "
                         "ranked by Personalized PageRank", linked)  # fmt: skip


class EntityPageRank:
    """Personalized PageRank ranking of one query (see the module doc)."""

    def __init__(
        self, config: RetrieverConfig, embed: Embed | None, name_embed: Embed | None = None
    ) -> None:
        self.config = config
        #: embeds query mentions (per query) and entity names (per new name)
        self.embed = embed
        self.name_embed = name_embed or embed
        self._lock = threading.Lock()
        self._graph: PageRankGraph | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._blocked: OrderedDict[int, tuple[AllowedSet, str, np.ndarray]] = OrderedDict()
        #: how many times the graph was (re)built
        self.builds = 0

    def graph(self, entities: EntityGraph) -> PageRankGraph:
        with self._lock:
            g = self._graph
            if g is None or g.entities is not entities:
                g = self._graph = build_pagerank_graph(
                    entities, self.name_embed, self.config, self._vectors, previous=g
                )
                self._blocked.clear()
                self.builds += 1
            return g

    def _blocked_of(self, g: PageRankGraph, allowed: AllowedSet) -> np.ndarray:
        key = id(allowed)
        with self._lock:
            hit = self._blocked.get(key)
            if hit is not None and hit[0] is allowed and hit[1] == g.entities.state:
                return hit[2]
        blocked = np.zeros(g.transition.n, dtype=bool)
        blocked[: g.n_samples] = ~allowed.mask(g.entities.sample_ids)
        with self._lock:
            self._blocked[key] = (allowed, g.entities.state, blocked)
            while len(self._blocked) > 16:
                self._blocked.popitem(last=False)
        return blocked

    def link(self, g: PageRankGraph, linked: list[LinkedEntity]) -> dict[int, float]:
        """Entity position -> link confidence: exact (1) and by name vector (cosine)."""
        ents = g.entities
        found: dict[int, float] = {p: 1.0 for p in ents.resolve(linked)}
        surfaces = sorted({e.surface for e in linked if e.surface and not ents.resolve([e])})
        cfg = self.config
        if surfaces and cfg.link_k > 0 and g.names is not None and self.embed is not None:
            scores, rows = g.names.search(self.embed(surfaces), cfg.link_k)
            for s_row, r_row in zip(scores, rows, strict=True):
                for s, r in zip(s_row.tolist(), r_row.tolist(), strict=True):
                    if 0 <= r < ents.n_entities and s >= cfg.link_threshold and ents.df[r] > 0:
                        found[r] = max(found.get(r, 0.0), float(s))
        return found

    def rank(
        self,
        entities: EntityGraph,
        linked: list[LinkedEntity],
        dense: ChannelList | None,
        allowed: AllowedSet,
        answerable: AllowedSet,
        derivations: DerivationMap | None,
    ) -> PageRankHits:
        """PageRank's ranking of the answerable samples for a query (no gate applied).

        With ``ppr_gate_subject``, a query that names no subject (title) entity
        gets no ranking (its seeds and ``subjects == 0`` only): the gate would keep
        the fused ranking, so the push is not run at all.
        """
        cfg = self.config
        g = self.graph(entities)
        found = self.link(g, linked) if linked else {}
        if not found:
            return PageRankHits(np.zeros(0, np.int64), np.zeros(0))
        n_s = g.n_samples
        by_node: dict[int, float] = {}
        for e, c in found.items():  # one seed per name node, its best link
            r = int(g.rep[e])
            by_node[r] = max(by_node.get(r, 0.0), c)
        ent = np.fromiter(by_node, dtype=np.int64, count=len(by_node))
        conf = np.fromiter(by_node.values(), dtype=np.float64, count=len(by_node))
        spec = ppr.specificity(g.node_df[ent]) if cfg.specificity else np.ones(len(ent))
        ew = spec * conf
        seeds = {int(e): float(w) for e, w in zip(ent, ew, strict=True)}
        subjects = named_subjects(entities, linked)
        if cfg.ppr_gate_subject and subjects == 0:
            return PageRankHits(np.zeros(0, np.int64), np.zeros(0), seeds=seeds)
        p_ids = np.zeros(0, np.int64) if dense is None else dense.ids[: cfg.candidate_depth]
        p_scores = np.zeros(0) if dense is None else dense.scores[: cfg.candidate_depth]
        p_w = cfg.ppr_passage_weight * ppr.minmax(p_scores)
        pos = np.fromiter(
            (entities.sample_index.get(int(i), -1) for i in p_ids), np.int64, count=len(p_ids)
        )
        in_graph = pos >= 0
        s_nodes = np.concatenate([n_s + ent, pos[in_graph]])
        s_w = np.concatenate([ew, p_w[in_graph]])
        blocked = self._blocked_of(g, allowed)
        w_graph = float(s_w[~blocked[s_nodes]].sum()) if len(s_nodes) else 0.0
        node_scores: np.ndarray | None = None
        ids, vals = p_ids[~in_graph], p_w[~in_graph]  # seeds without edges keep their mass
        if w_graph > 0:
            pushed = ppr.push_ppr(
                g.transition, s_nodes, s_w, damping=cfg.ppr_damping,
                epsilon=cfg.ppr_epsilon, blocked=blocked,
            )  # fmt: skip
            node_scores = pushed.scores
            nodes = pushed.nodes[pushed.nodes < n_s]
            ids = np.concatenate([entities.sample_ids[nodes], ids])
            scale = w_graph / (1.0 - cfg.ppr_damping)
            vals = np.concatenate([pushed.scores[nodes] * scale, vals])
        ids, vals = _answerable_scores(ids, vals, answerable, derivations)
        top = np.lexsort((ids, -vals))[: cfg.candidate_depth]
        return PageRankHits(
            ids[top],
            vals[top],
            seeds=seeds,
            node_scores=node_scores,
            blocked=blocked,
            subjects=subjects,
        )

    def paths(self, entities: EntityGraph, hits: PageRankHits, ids: Sequence[int]) -> None:
        """Fill ``hits.paths`` for ``ids``: the best-weighted path from a seed entity."""
        g = self._graph
        if g is None or g.entities is not entities or hits.node_scores is None:
            return
        for i in ids:
            p = entities.sample_index.get(int(i))
            if p is not None:
                steps = _best_path(g, hits, p)
                if steps:
                    hits.paths[int(i)] = steps


def _answerable_scores(
    ids: np.ndarray, vals: np.ndarray, answerable: AllowedSet, derivations: DerivationMap | None
) -> tuple[np.ndarray, np.ndarray]:
    """The answerable ``ids`` with their best score; a derived sample's score counts for
    its answerable source (best wins); everything else is dropped."""
    ok = answerable.mask(ids) if len(ids) else np.zeros(0, bool)
    out_ids, out_vals = ids[ok], vals[ok]
    if derivations is not None and len(derivations) and not ok.all():
        mapped = derivations.answerable_sources(ids[~ok], answerable)
        keep = mapped >= 0
        out_ids = np.concatenate([out_ids, mapped[keep]])
        out_vals = np.concatenate([out_vals, vals[~ok][keep]])
    if len(out_ids) == 0:
        return out_ids, out_vals
    order = np.lexsort((-out_vals, out_ids))  # by id, best score first
    first = np.ones(len(order), bool)
    first[1:] = out_ids[order][1:] != out_ids[order][:-1]
    return out_ids[order][first], out_vals[order][first]


def _best_path(g: PageRankGraph, hits: PageRankHits, node: int) -> list[str]:
    """Walk back from ``node`` along the in-edge that brought it the most mass
    (``score(u) * P[u, node]``) until a seed entity: the path, seed first."""
    if hits.node_scores is None:
        return []
    x, pt, n_s = hits.node_scores, g.transition.transposed, g.n_samples
    walk = [node]
    seeds = {n_s + e for e in hits.seeds}
    while len(walk) < MAX_PATH and walk[-1] not in seeds:
        cur = walk[-1]
        lo, hi = pt.indptr[cur], pt.indptr[cur + 1]
        nbrs, probs = pt.indices[lo:hi], pt.data[lo:hi]
        contrib = x[nbrs] * probs
        contrib[np.isin(nbrs, walk)] = 0.0
        if hits.blocked is not None:
            contrib[hits.blocked[nbrs]] = 0.0
        if len(contrib) == 0 or float(contrib.max()) <= 0:
            break
        walk.append(int(nbrs[int(np.argmax(contrib))]))
    if walk[-1] not in seeds:
        return []
    walk.reverse()
    ents = g.entities

    def name(v: int) -> str:
        return ents.entity_text(v - n_s) if v >= n_s else ents.external_ids[v]

    steps = []
    for a, b in zip(walk, walk[1:], strict=False):
        if a >= n_s and b >= n_s:
            rel = "similar name"
        elif a >= n_s:
            rel = "mentioned in"
        else:
            rel = "mentions"
        steps.append(f"{name(a)} -[{rel}]-> {name(b)}")
    return steps
