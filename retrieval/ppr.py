"""Personalized PageRank over a passage-entity graph, on scipy sparse arrays.

The graph has ``n`` nodes (passages and entities alike) and weighted edges.
:func:`build_transition` turns an edge list into the row-stochastic transition
matrix ``P`` (``P[u, v] = w(u, v) / sum_v' w(u, v')``, CSR); a node without an
out-edge is *dangling*.

Personalized PageRank with damping ``d`` (the probability of following an edge
rather than jumping back to a seed) and a seed (personalisation) distribution
``s`` (non-negative, scaled to sum 1) is the fixed point of::

    x = (1 - d) * s  +  d * (P^T x  +  (sum of x over dangling nodes) * s)

(Page, Brin, Motwani and Winograd, "The PageRank citation ranking", 1999;
Haveliwala, "Topic-sensitive PageRank", WWW 2002). Dangling nodes hand their mass
back to the seeds, as ``networkx.pagerank`` does when given a personalisation
vector, so the two agree. HippoRAG 2 (Gutierrez et al., "From RAG to Memory:
Non-parametric continual learning for large language models", arXiv 2502.14802,
2025) ranks passages by this score with ``d = 0.5`` over one graph of passage and
entity nodes, seeded by the query's entities and, at a small weight, by every
passage's dense score.

Two solvers:

- :func:`personalized_pagerank`: power iteration, one sparse mat-vec per step,
  until the l1 change of ``x`` is below ``tol`` (error after ``t`` steps at most
  ``d^t``, so ``d = 0.5`` converges to ``1e-6`` in about 20 steps). Several seed
  vectors at once (columns of a 2-D array) cost one sparse mat-mat per step.
- :func:`push_ppr`: forward push (Andersen, Chung and Lang, "Local graph
  partitioning using PageRank vectors", FOCS 2006), done in rounds: every node
  whose residual exceeds ``epsilon`` times its degree settles ``(1 - d)`` of it
  and pushes ``d`` of it to its out-neighbours. It touches only the seeds'
  neighbourhood, so its cost does not grow with the graph; the result is below
  the exact one by at most the residual left (returned), never above it.

Helpers for seeding: :func:`specificity` (``1 / passages mentioning an entity``),
:func:`minmax`, :func:`query_seeds` (entity seeds plus passage seeds at
``passage_weight`` times their min-max-normalised retrieval score, sparse),
:func:`dense_seeds` (the same as a vector, for power iteration) and
:func:`top_nodes` (best nodes of a push result).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from retrieval.errors import PageRankError

#: HippoRAG 2's damping (probability of following an edge)
DEFAULT_DAMPING = 0.5


@dataclass(frozen=True)
class Transition:
    """Row-stochastic transition matrix of a graph and its dangling nodes.

    ``matrix[u, v]`` is the probability of stepping from ``u`` to ``v``;
    ``transposed`` is the same matrix as ``P^T`` in CSR (what power iteration
    multiplies by); ``dangling[u]`` is True when ``u`` has no out-edge;
    ``degree[u]`` counts ``u``'s out-edges.
    """

    matrix: sparse.csr_array
    transposed: sparse.csr_array
    dangling: np.ndarray
    degree: np.ndarray

    @property
    def n(self) -> int:
        return int(self.matrix.shape[0])


def build_transition(
    n_nodes: int,
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    undirected: bool = True,
) -> Transition:
    """The :class:`Transition` of the graph with edges ``src[i] -> dst[i]`` of ``weight[i]``.

    ``undirected=True`` adds every edge in both directions (a mention links the
    passage to the entity and back). Parallel edges add their weights; self-loops
    are kept (once, also when ``undirected``). Weights must be finite and non-negative (default 1).
    """
    if n_nodes < 0:
        raise PageRankError(f"the graph needs at least 0 nodes, got n_nodes={n_nodes}")
    s = np.asarray(src, dtype=np.int64).reshape(-1)
    t = np.asarray(dst, dtype=np.int64).reshape(-1)
    if len(s) != len(t):
        raise PageRankError(f"{len(s)} edge sources but {len(t)} edge targets; give one of each")
    w = (
        np.ones(len(s), dtype=np.float64)
        if weight is None
        else np.asarray(weight, dtype=np.float64).reshape(-1)
    )
    if len(w) != len(s):
        raise PageRankError(f"{len(s)} edges but {len(w)} weights; give one weight per edge")
    if len(s) and (
        min(int(s.min()), int(t.min())) < 0 or max(int(s.max()), int(t.max())) >= n_nodes
    ):
        bad = int(
            np.concatenate([s, t])[
                (np.concatenate([s, t]) < 0) | (np.concatenate([s, t]) >= n_nodes)
            ][0]
        )
        raise PageRankError(
            f"edge endpoint {bad} is not a node id in [0, {n_nodes}); fix the edge list"
        )
    if len(w) and (not np.isfinite(w).all() or float(w.min()) < 0):
        bad_w = float(w[~np.isfinite(w) | (w < 0)][0])
        raise PageRankError(f"edge weight {bad_w} is not a finite non-negative number")
    if undirected:  # a self-loop stays one edge
        back = s != t
        s, t, w = (
            np.concatenate([s, t[back]]),
            np.concatenate([t, s[back]]),
            np.concatenate([w, w[back]]),
        )
    keep = w > 0
    s, t, w = s[keep], t[keep], w[keep]
    adj = sparse.csr_array((w, (s, t)), shape=(n_nodes, n_nodes))
    adj.sum_duplicates()
    out = np.asarray(adj.sum(axis=1)).reshape(-1)
    degree = np.diff(adj.indptr).astype(np.int64)
    inv = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    matrix = sparse.csr_array(sparse.diags_array(inv) @ adj)
    return Transition(
        matrix=matrix,
        transposed=sparse.csr_array(matrix.T),
        dangling=out <= 0,
        degree=degree,
    )


def _seeds(transition: Transition, seeds: ArrayLike) -> np.ndarray:
    x = np.asarray(seeds, dtype=np.float64)
    if x.ndim not in (1, 2) or x.shape[0] != transition.n:
        raise PageRankError(
            f"seeds of shape {x.shape} do not fit a graph of {transition.n} nodes; give "
            f"({transition.n},) or ({transition.n}, queries)"
        )
    if not np.isfinite(x).all() or (x.size and float(x.min()) < 0):
        raise PageRankError("seed weights must be finite and non-negative")
    total = x.sum(axis=0)
    if np.any(total <= 0):
        raise PageRankError(
            "a seed vector is all zeros; give at least one node a positive weight "
            "(or skip PageRank for that query)"
        )
    return x / total


@dataclass(frozen=True)
class PageRankResult:
    """Scores (``(n,)`` or ``(n, queries)``, each column summing to 1), steps run, convergence."""

    scores: np.ndarray
    iterations: int
    converged: bool


def personalized_pagerank(
    transition: Transition,
    seeds: ArrayLike,
    *,
    damping: float = DEFAULT_DAMPING,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> PageRankResult:
    """Personalized PageRank of every node by power iteration (formula in the module doc).

    ``seeds``: ``(n,)`` or ``(n, q)`` non-negative weights, each column scaled to
    sum 1. Iterates until the l1 change of every column is below ``tol`` or
    ``max_iter`` steps ran (``converged`` tells which).
    """
    if not 0.0 <= damping < 1.0:
        raise PageRankError(f"damping must be in [0, 1), got {damping}")
    if tol <= 0:
        raise PageRankError(f"tol must be positive, got {tol}")
    if max_iter < 1:
        raise PageRankError(f"max_iter must be at least 1, got {max_iter}")
    s = _seeds(transition, seeds)
    x = s.copy()
    dangling = transition.dangling
    pt = transition.transposed
    for it in range(1, max_iter + 1):
        lost = x[dangling].sum(axis=0)
        nxt = (1.0 - damping) * s + damping * (pt @ x + lost * s)
        change = np.abs(nxt - x).sum(axis=0)
        x = nxt
        if np.all(change < tol):
            return PageRankResult(x, it, True)
    return PageRankResult(x, max_iter, False)


@dataclass(frozen=True)
class PushResult:
    """Approximate PPR: ``scores`` (``(n,)``, zero off ``nodes``), the ``nodes`` that
    settled mass (sorted), rounds run, the residual mass left unpushed, and the number
    of node pushes done (the work)."""

    scores: np.ndarray
    nodes: np.ndarray
    rounds: int
    residual: float
    pushes: int


def push_ppr(
    transition: Transition,
    seed_nodes: ArrayLike,
    seed_weights: ArrayLike,
    *,
    damping: float = DEFAULT_DAMPING,
    epsilon: float = 1e-4,
    max_rounds: int = 50,
    blocked: np.ndarray | None = None,
) -> PushResult:
    """Personalized PageRank by forward push in rounds (Andersen, Chung and Lang 2006).

    The seeds are given sparse: node ids and their non-negative weights (scaled to
    sum 1; a repeated node adds up). Start with residual ``r = s`` and scores
    ``p = 0``. Each round takes every node ``u`` with
    ``r[u] > epsilon * max(deg(u), 1)`` (ACL's rule: a hub is pushed only when it
    holds mass in proportion to its out-edges, which bounds the work by
    ``1 / (epsilon * (1 - d))`` edge visits whatever the graph's size):
    ``p[u] += (1 - d) r[u]``, and ``d r[u]`` moves to its out-neighbours ``v`` in
    proportion ``P[u, v]`` (back to the seeds when ``u`` is dangling). The
    invariant ``ppr(s) = p + ppr(r)`` holds throughout, so ``p <= ppr(s)``
    entry-wise and the total error is ``sum(r) = 1 - sum(p)`` (``residual``).
    Only the seeds' neighbourhood is visited: no step costs the graph's size
    beyond allocating the two (lazily zeroed) score arrays.

    ``blocked`` (``(n,)`` bool): nodes no walk may enter or leave (samples the
    caller may not see, deleted samples). Mass pushed into them is dropped, so no
    score reaches a node through them; blocked seeds are ignored. With blocked
    nodes ``residual`` also counts the dropped mass.
    """
    if not 0.0 <= damping < 1.0:
        raise PageRankError(f"damping must be in [0, 1), got {damping}")
    if epsilon <= 0:
        raise PageRankError(f"epsilon must be positive, got {epsilon}")
    if max_rounds < 1:
        raise PageRankError(f"max_rounds must be at least 1, got {max_rounds}")
    n = transition.n
    nodes_in = np.asarray(seed_nodes, dtype=np.int64).reshape(-1)
    weights_in = np.asarray(seed_weights, dtype=np.float64).reshape(-1)
    if len(nodes_in) != len(weights_in):
        raise PageRankError(
            f"{len(nodes_in)} seed nodes but {len(weights_in)} seed weights; give one weight each"
        )
    if nodes_in.size and (int(nodes_in.min()) < 0 or int(nodes_in.max()) >= n):
        raise PageRankError(f"a seed node is outside [0, {n}); fix the node ids")
    if not np.isfinite(weights_in).all() or (weights_in.size and float(weights_in.min()) < 0):
        raise PageRankError("seed weights must be finite and non-negative")
    if float(weights_in.sum()) <= 0:
        raise PageRankError(
            "the seeds are all zeros; give at least one node a positive weight "
            "(or skip PageRank for that query)"
        )
    if blocked is not None:
        if blocked.shape != (n,):
            raise PageRankError(f"blocked has shape {blocked.shape}; give one flag per node ({n},)")
        keep = ~blocked[nodes_in]
        nodes_in, weights_in = nodes_in[keep], weights_in[keep]
        if float(weights_in.sum()) <= 0:
            return PushResult(np.zeros(n), np.zeros(0, dtype=np.int64), 0, 1.0, 0)
    seeds, where = np.unique(nodes_in, return_inverse=True)
    seed_mass = np.bincount(where, weights=weights_in).astype(np.float64)
    seed_mass = seed_mass / seed_mass.sum()
    p = np.zeros(n)
    r = np.zeros(n)
    r[seeds] = seed_mass
    indptr, indices, data = (
        transition.matrix.indptr,
        transition.matrix.indices,
        transition.matrix.data,
    )
    degree = transition.degree
    settled: list[np.ndarray] = []
    pushes = 0
    # only nodes whose residual grew in the last round can have crossed their threshold
    frontier = seeds
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - reported
        active = frontier[r[frontier] > epsilon * np.maximum(degree[frontier], 1)]
        if len(active) == 0:
            rounds -= 1
            break
        settled.append(active)
        pushes += len(active)
        mass = r[active]
        r[active] = 0.0
        p[active] += (1.0 - damping) * mass
        push = damping * mass
        lost = transition.dangling[active]
        if lost.any():
            r[seeds] += float(push[lost].sum()) * seed_mass
        starts = indptr[active]
        lengths = indptr[active + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            frontier = seeds
            continue
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        edge = np.arange(total) + offsets
        grown, inverse = np.unique(indices[edge], return_inverse=True)
        r[grown] += np.bincount(inverse, weights=data[edge] * np.repeat(push, lengths))
        if blocked is not None:
            stopped = blocked[grown]
            r[grown[stopped]] = 0.0
            grown = grown[~stopped]
        frontier = np.union1d(grown, seeds) if lost.any() else grown
    nodes = np.unique(np.concatenate(settled)) if settled else np.zeros(0, dtype=np.int64)
    residual = max(0.0, 1.0 - float(p[nodes].sum()))
    return PushResult(p, nodes, rounds, residual, pushes)


def top_nodes(scores: np.ndarray, nodes: ArrayLike, k: int) -> np.ndarray:
    """The ``k`` of ``nodes`` with the largest positive ``scores``, best first (ties by id)."""
    cand = np.asarray(nodes, dtype=np.int64).reshape(-1)
    cand = cand[scores[cand] > 0]
    return cand[np.lexsort((cand, -scores[cand]))][:k]


def specificity(passage_counts: ArrayLike) -> np.ndarray:
    """``1 / count`` per entity (``count`` = passages mentioning it); 0 where count is 0.

    HippoRAG 2's node specificity: an entity named in one passage says more about
    which passage is meant than one named in a thousand.
    """
    c = np.asarray(passage_counts, dtype=np.float64)
    if c.size and float(c.min()) < 0:
        raise PageRankError("passage counts must be non-negative")
    return np.divide(1.0, c, out=np.zeros_like(c), where=c > 0)


def minmax(scores: ArrayLike) -> np.ndarray:
    """Scores scaled to [0, 1] (``(s - min) / (max - min)``); all-equal scores scale to 1."""
    x = np.asarray(scores, dtype=np.float64)
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo <= 1e-12:
        return np.ones_like(x)
    return (x - lo) / (hi - lo)


def query_seeds(
    entity_nodes: Sequence[int] | np.ndarray,
    entity_weights: ArrayLike,
    passage_nodes: Sequence[int] | np.ndarray,
    passage_scores: ArrayLike,
    *,
    passage_weight: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """The PPR seeds of one query, sparse: ``(nodes, weights)`` (not normalised).

    Each linked entity node ``entity_nodes[i]`` weighs ``entity_weights[i]``; each
    candidate passage ``passage_nodes[j]`` weighs
    ``passage_weight * minmax(passage_scores)[j]`` (HippoRAG 2 seeds passages at
    0.05 times their normalised dense score). Repeated nodes add up in
    :func:`push_ppr` and :func:`dense_seeds`.
    """
    ent = np.asarray(entity_nodes, dtype=np.int64).reshape(-1)
    ew = np.asarray(entity_weights, dtype=np.float64).reshape(-1)
    pas = np.asarray(passage_nodes, dtype=np.int64).reshape(-1)
    ps = np.asarray(passage_scores, dtype=np.float64).reshape(-1)
    if len(ent) != len(ew) or len(pas) != len(ps):
        raise PageRankError(
            f"{len(ent)} entity nodes with {len(ew)} weights, {len(pas)} passage nodes with "
            f"{len(ps)} scores; give one weight per node"
        )
    if passage_weight < 0 or (ew.size and float(ew.min()) < 0):
        raise PageRankError("seed weights must be non-negative")
    return np.concatenate([ent, pas]), np.concatenate([ew, passage_weight * minmax(ps)])


def dense_seeds(n_nodes: int, nodes: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """The ``(n_nodes,)`` seed vector of sparse seeds (repeated nodes add up)."""
    idx = np.asarray(nodes, dtype=np.int64).reshape(-1)
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if len(idx) != len(w):
        raise PageRankError(f"{len(idx)} seed nodes but {len(w)} weights; give one weight each")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n_nodes):
        raise PageRankError(f"a seed node is outside [0, {n_nodes}); fix the node ids")
    return np.bincount(idx, weights=w, minlength=n_nodes).astype(np.float64)
