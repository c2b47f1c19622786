from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import SearchIndexError
from retrieval.index import VectorIndex, choose_index_type, iri_to_id, iris_to_ids

DIM = 16


def unit(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def ids_for(n: int) -> np.ndarray:
    return iris_to_ids(f"https://example.org/s/{i}" for i in range(n))


def brute_force(q: np.ndarray, x: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Independent reference: ids of the k best inner products."""
    scores = q @ x.T
    return ids[np.argsort(-scores, axis=1, kind="stable")[:, :k]]


def build(kind: str, n: int, seed: int = 0) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    x, ids = unit(n, seed), ids_for(n)
    index = VectorIndex(DIM, kind)  # type: ignore[arg-type]
    index.add(ids, x)
    return index, x, ids


def test_iri_to_id_is_the_first_63_bits_of_sha256() -> None:
    iri = "https://w3id.org/provrag/id/sample/d/1/abc"
    expected = int.from_bytes(hashlib.sha256(iri.encode()).digest()[:8], "big") >> 1
    assert iri_to_id(iri) == expected
    assert 0 <= iri_to_id(iri) < 2**63
    assert iri_to_id(iri) != iri_to_id(iri + "x")


def test_iri_to_id_is_the_same_in_another_process() -> None:
    iri = "https://w3id.org/provrag/id/sample/d/é/1"
    out = subprocess.run(
        [sys.executable, "-c", f"from retrieval.index import iri_to_id; print(iri_to_id({iri!r}))"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert int(out.stdout) == iri_to_id(iri)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_finds_the_stored_vector_first(kind: str) -> None:
    index, x, ids = build(kind, 500)
    scores, found = index.search(x[:5], 3)
    assert found.shape == (5, 3)
    assert found[:, 0].tolist() == ids[:5].tolist()
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)


def test_flat_search_equals_brute_force() -> None:
    index, x, ids = build("flat", 300)
    q = unit(7, seed=9)
    _, found = index.search(q, 10)
    np.testing.assert_array_equal(found, brute_force(q, x, ids, 10))


def test_remove_takes_vectors_out_of_results() -> None:
    index, x, ids = build("flat", 100)
    assert index.remove([int(ids[0]), int(ids[1]), 12345]) == 2
    assert len(index) == 98
    _, found = index.search(x[:2], 98)
    assert not np.isin(ids[:2], found).any()
    assert index.remove([int(ids[0])]) == 0


def test_hnsw_remove_leaves_a_tombstone_then_compacts() -> None:
    index, x, ids = build("hnsw", 200)
    index.remove(ids[:10])
    assert len(index) == 190 and int(ids[0]) not in index
    _, found = index.search(x[:10], 5)
    assert not np.isin(ids[:10], found).any()
    index.remove(ids[10:60])  # past the compaction ratio
    assert len(index) == 140
    _, found = index.search(x[:60], 140)
    assert not np.isin(ids[:60], found).any()
    assert sorted(index.ids().tolist()) == sorted(ids[60:].tolist())


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_adding_an_existing_id_replaces_its_vector(kind: str) -> None:
    index, x, ids = build(kind, 50)
    index.add(ids[:1], -x[:1])
    assert len(index) == 50
    np.testing.assert_allclose(index.vectors_of(ids[:1]), -x[:1], atol=1e-6)
    _, found = index.search(x[:1], 50)
    assert found[0, -1] == ids[0]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_allowed_at_one_percent_returns_k_hits_all_allowed(kind: str) -> None:
    index, x, ids = build(kind, 3000)
    allowed = ids[::100]  # 30 ids = 1%
    q = unit(20, seed=5)
    scores, found = index.search(q, 10, allowed=allowed)
    assert found.shape == (20, 10)
    assert np.isin(found, allowed).all()
    # exact among the allowed ones (independent reference)
    np.testing.assert_array_equal(found, brute_force(q, x[::100], allowed, 10))
    assert (np.diff(scores, axis=1) <= 1e-6).all()


def test_hnsw_allowed_at_a_large_share_still_fills_every_row() -> None:
    index, _, ids = build("hnsw", 6000, seed=3)
    allowed = ids[np.random.default_rng(1).random(6000) < 0.4]  # selector path, not exact
    _, found = index.search(unit(20, seed=7), 25, allowed=allowed)
    assert found.shape == (20, 25)
    assert np.isin(found, allowed).all()
    assert all(len(set(row)) == 25 for row in found.tolist())


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_fewer_allowed_than_k_returns_all_allowed_and_ignores_unknown_ids(kind: str) -> None:
    index, _, ids = build(kind, 200)
    allowed = np.concatenate([ids[:3], [999, 1000]])
    _, found = index.search(unit(2, seed=1), 10, allowed=allowed)
    assert found.shape == (2, 3)
    assert sorted(found[0].tolist()) == sorted(ids[:3].tolist())


def test_empty_index_and_empty_allowed_give_empty_results() -> None:
    index = VectorIndex(DIM)
    assert index.search(unit(1), 5)[1].shape == (1, 0)
    full, _, _ = build("flat", 10)
    assert full.search(unit(1), 5, allowed=np.array([], np.int64))[1].shape == (1, 0)


def test_wrong_dimension_is_refused() -> None:
    index, _, _ = build("flat", 10)
    with pytest.raises(SearchIndexError, match="16-dimensional"):
        index.search(unit(1, dim=8), 3)
    with pytest.raises(SearchIndexError, match="16-dimensional"):
        index.add(np.array([1]), unit(1, dim=8))


def test_negative_or_repeated_ids_are_refused() -> None:
    index = VectorIndex(DIM)
    with pytest.raises(SearchIndexError, match="non-negative"):
        index.add(np.array([-1]), unit(1))
    with pytest.raises(SearchIndexError, match="twice"):
        index.add(np.array([1, 1]), unit(2))


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_and_load_give_the_same_answers(kind: str, tmp_path: Path) -> None:
    index, _, ids = build(kind, 400)
    index.remove(ids[:5])
    q = unit(6, seed=2)
    before = index.search(q, 10)
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert loaded.index_type == kind and len(loaded) == 395
    after = loaded.search(q, 10)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0], atol=1e-6)
    np.testing.assert_array_equal(np.sort(loaded.ids()), np.sort(ids[5:]))


def test_loading_a_missing_index_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="--rebuild"):
        VectorIndex.load(tmp_path)


def test_converting_keeps_every_vector() -> None:
    flat, x, ids = build("flat", 300)
    hnsw = flat.converted("hnsw")
    assert hnsw.index_type == "hnsw"
    np.testing.assert_array_equal(np.sort(hnsw.ids()), np.sort(ids))
    np.testing.assert_allclose(hnsw.vectors_of(ids[:4]), x[:4], atol=1e-6)


def test_choose_index_type() -> None:
    assert choose_index_type(10, "auto", 100) == "flat"
    assert choose_index_type(100, "auto", 100) == "hnsw"
    assert choose_index_type(10**6, "flat", 100) == "flat"
    assert choose_index_type(1, "hnsw", 100) == "hnsw"
    with pytest.raises(SearchIndexError):
        choose_index_type(1, "ivf", 100)  # type: ignore[arg-type]
