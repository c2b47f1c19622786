"""Personalized PageRank: hand-worked graphs, and networkx.pagerank as an independent reference."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from retrieval.errors import RetrievalError
from retrieval.ppr import (
    PageRankError,
    build_transition,
    dense_seeds,
    minmax,
    personalized_pagerank,
    push_ppr,
    query_seeds,
    specificity,
    top_nodes,
)


def _random_graph(seed: int, n: int = 40, m: int = 120) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, m), rng.integers(0, n, m), rng.random(m) + 0.1


def _networkx(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for a, b, c in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        if g.has_edge(a, b):
            g[a][b]["weight"] += c
        else:
            g.add_edge(a, b, weight=c)
    return g


def test_transition_rows_are_probabilities_and_isolated_nodes_dangle() -> None:
    t = build_transition(4, [0, 0], [1, 2], [1.0, 3.0])
    dense = t.matrix.toarray()
    assert dense[0].tolist() == [0.0, 0.25, 0.75, 0.0]
    assert dense[1].tolist() == [1.0, 0.0, 0.0, 0.0]  # undirected: 1 -> 0
    assert t.dangling.tolist() == [False, False, False, True]
    assert t.degree.tolist() == [2, 1, 1, 0]
    assert np.allclose(t.transposed.toarray(), dense.T)


def test_directed_edges_and_parallel_weights_add_up() -> None:
    t = build_transition(3, [0, 0, 0], [1, 1, 2], [1.0, 1.0, 2.0], undirected=False)
    assert t.matrix.toarray()[0].tolist() == [0.0, 0.5, 0.5]
    assert t.dangling.tolist() == [False, True, True]


def test_two_node_graph_by_hand() -> None:
    # 0 -- 1, all seed mass on 0, damping d: x0 = (1-d) + d x1, x1 = d x0
    # => x0 = 1 / (1 + d), x1 = d / (1 + d); d = 0.5 gives 2/3, 1/3
    t = build_transition(2, [0], [1])
    res = personalized_pagerank(t, [1.0, 0.0], damping=0.5, tol=1e-12)
    assert res.converged
    assert np.allclose(res.scores, [2 / 3, 1 / 3])


def test_star_with_dangling_node_by_hand() -> None:
    # passage 0 mentions entities 1 and 2; node 3 is isolated (dangling) and seeded.
    # seeds s = (0, 0, 0.5, 0.5) -> dangling mass returns to s.
    # x1 = x2' ... solve: x0 = d (x1 + x2), x1 = d x0 / 2 + (1-d+d*x3) * 0,
    # x2 = d x0 / 2 + c * 0.5, x3 = c * 0.5 with c = (1 - d) + d x3.
    d = 0.5
    t = build_transition(4, [0, 0], [1, 2])
    res = personalized_pagerank(t, [0.0, 0.0, 0.5, 0.5], damping=d, tol=1e-13, max_iter=500)
    x3 = (1 - d) * 0.5 / (1 - d * 0.5)
    c = (1 - d) + d * x3
    # x0 = d(x1 + x2), x1 = d x0 / 2, x2 = d x0 / 2 + c/2 -> x0 = d (d x0 + c/2)
    x0 = d * c / 2 / (1 - d * d)
    expected = [x0, d * x0 / 2, d * x0 / 2 + c / 2, x3]
    assert np.allclose(res.scores, expected)
    assert res.scores.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("damping", [0.5, 0.85])
def test_matches_networkx_personalized_pagerank(damping: float) -> None:
    n = 40
    src, dst, w = _random_graph(1, n)
    seeds = np.zeros(n)
    seeds[[3, 7, 11]] = [1.0, 0.5, 0.25]
    ref = nx.pagerank(
        _networkx(n, src, dst, w),
        alpha=damping,
        personalization={i: float(seeds[i]) for i in range(n)},
        tol=1e-13,
        max_iter=2000,
    )
    res = personalized_pagerank(
        build_transition(n, src, dst, w), seeds, damping=damping, tol=1e-13, max_iter=2000
    )
    assert np.allclose(res.scores, [ref[i] for i in range(n)], atol=1e-9)


def test_several_seed_vectors_at_once_equal_one_by_one() -> None:
    n = 30
    src, dst, w = _random_graph(2, n, 80)
    t = build_transition(n, src, dst, w)
    seeds = np.zeros((n, 2))
    seeds[0, 0] = 1.0
    seeds[[5, 9], 1] = [2.0, 1.0]
    both = personalized_pagerank(t, seeds, tol=1e-12).scores
    for q in range(2):
        one = personalized_pagerank(t, seeds[:, q], tol=1e-12).scores
        assert np.allclose(both[:, q], one, atol=1e-10)


def test_max_iter_reached_is_reported() -> None:
    t = build_transition(3, [0, 1], [1, 2])
    res = personalized_pagerank(t, [1.0, 0.0, 0.0], damping=0.9, tol=1e-15, max_iter=2)
    assert not res.converged
    assert res.iterations == 2


def test_push_is_below_exact_and_within_residual() -> None:
    n = 50
    src, dst, w = _random_graph(3, n, 150)
    t = build_transition(n, src, dst, w)
    seeds = np.zeros(n)
    seeds[[2, 4]] = [1.0, 3.0]
    exact = personalized_pagerank(t, seeds, tol=1e-14, max_iter=500).scores
    approx = push_ppr(t, [2, 4], [1.0, 3.0], epsilon=1e-3)
    gap = exact - approx.scores
    assert gap.min() >= -1e-12
    assert gap.sum() == pytest.approx(approx.residual, abs=1e-9)
    fine = push_ppr(t, [2, 4, 4], [1.0, 1.0, 2.0], epsilon=1e-9)
    assert np.abs(exact - fine.scores).max() < 1e-7


def test_push_stays_local() -> None:
    # two components: seeds in the first never touch the second
    t = build_transition(6, [0, 1, 3, 4], [1, 2, 4, 5])
    res = push_ppr(t, [0], [1.0], epsilon=1e-6)
    assert res.nodes.tolist() == [0, 1, 2]
    assert res.scores[3:].tolist() == [0.0, 0.0, 0.0]


def test_push_never_passes_through_a_blocked_node() -> None:
    # path 0 - 1 - 2: with 1 blocked, nothing reaches 2 and 1 scores nothing
    t = build_transition(3, [0, 1], [1, 2])
    blocked = np.array([False, True, False])
    res = push_ppr(t, [0], [1.0], epsilon=1e-9, blocked=blocked)
    assert res.scores[1:].tolist() == [0.0, 0.0]
    assert res.scores[0] == pytest.approx(0.5)  # settles (1 - d) once, the rest is dropped
    assert push_ppr(t, [1], [1.0], blocked=blocked).nodes.size == 0


def test_push_handles_dangling_seed() -> None:
    t = build_transition(3, [0], [1])
    res = push_ppr(t, [2], [5.0], epsilon=1e-12)
    assert res.scores.tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_specificity_and_minmax() -> None:
    assert specificity([1, 4, 0]).tolist() == [1.0, 0.25, 0.0]
    assert minmax([2.0, 4.0, 3.0]).tolist() == [0.0, 1.0, 0.5]
    assert minmax([5.0, 5.0]).tolist() == [1.0, 1.0]
    assert minmax([]).size == 0


def test_query_seeds_combine_entities_and_weighted_passages() -> None:
    nodes, weights = query_seeds(
        [3, 4, 3], [0.5, 1.0, 0.25], [0, 1, 2], [0.9, 0.5, 0.1], passage_weight=0.1
    )
    assert dense_seeds(5, nodes, weights).tolist() == pytest.approx([0.1, 0.05, 0.0, 0.75, 1.0])


def test_top_nodes_best_first_ties_by_id_positive_only() -> None:
    scores = np.array([0.2, 0.5, 0.2, 0.0, 0.9])
    assert top_nodes(scores, [0, 1, 2, 3, 4], 4).tolist() == [4, 1, 0, 2]
    assert top_nodes(scores, [2, 3], 5).tolist() == [2]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: build_transition(2, [0], [2]), "edge endpoint 2"),
        (lambda: build_transition(2, [0], [1], [-1.0]), "weight -1.0"),
        (lambda: build_transition(2, [0, 1], [1]), "2 edge sources but 1"),
        (lambda: personalized_pagerank(build_transition(2, [0], [1]), [0.0, 0.0]), "all zeros"),
        (lambda: personalized_pagerank(build_transition(2, [0], [1]), [1.0]), "do not fit"),
        (
            lambda: personalized_pagerank(build_transition(2, [0], [1]), [1, 0], damping=1.0),
            "damping",
        ),
        (lambda: push_ppr(build_transition(2, [0], [1]), [0], [1.0], epsilon=0), "epsilon"),
        (lambda: dense_seeds(2, [5], [1.0]), "outside [0, 2)"),
        (lambda: push_ppr(build_transition(2, [0], [1]), [2], [1.0]), "outside [0, 2)"),
        (lambda: push_ppr(build_transition(2, [0], [1]), [0], [0.0]), "all zeros"),
        (lambda: specificity([-1]), "non-negative"),
    ],
)
def test_bad_inputs_raise_with_the_offending_value(call: object, fragment: str) -> None:
    with pytest.raises(PageRankError, match=None) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
    assert isinstance(info.value, RetrievalError)
