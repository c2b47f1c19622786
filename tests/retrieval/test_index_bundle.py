from __future__ import annotations

import json

import numpy as np
import pytest

from kg.graph import KnowledgeGraph
from retrieval.errors import IndexNotFoundError
from retrieval.filters import AllowedSet
from retrieval.index import iri_to_id
from retrieval.index_bundle import IndexBundle, LiveIndex, read_manifest
from retrieval.index_sync import sync_index
from tests.conftest import WriteSamples
from tests.retrieval.conftest import TEXTS, CountingEmbedder, passages


def test_no_index_yet_says_how_to_build_one(tmp_path) -> None:
    assert read_manifest(tmp_path) is None
    with pytest.raises(IndexNotFoundError, match="provrag index"):
        LiveIndex(tmp_path).get()


def test_the_live_index_swaps_in_a_new_generation(
    kg: KnowledgeGraph, write_samples: WriteSamples, tmp_path
) -> None:
    embedder = CountingEmbedder()
    write_samples(kg, passages(TEXTS[:3]))
    sync_index(kg, tmp_path, embedder)
    live = LiveIndex(tmp_path)
    first = live.get()
    assert live.get() is first and live.loaded is first
    write_samples(kg, passages(TEXTS[3:], prefix="n"), batch_id="b2")
    sync_index(kg, tmp_path, embedder)
    second = live.get()
    assert second is not first and second.generation != first.generation
    assert len(second) == len(TEXTS)


def test_a_new_manifest_of_the_same_generation_keeps_the_bundle(
    kg: KnowledgeGraph, write_samples: WriteSamples, tmp_path
) -> None:
    embedder = CountingEmbedder()
    write_samples(kg, passages(TEXTS[:3]))
    sync_index(kg, tmp_path, embedder)
    live = LiveIndex(IndexBundle.load(tmp_path))
    bundle = live.get()
    manifest = dict(bundle.manifest, note="rewritten")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert live.get() is bundle and bundle.manifest["note"] == "rewritten"


def test_a_restriction_holds_the_allowed_ids_the_index_has(
    kg: KnowledgeGraph, write_samples: WriteSamples, tmp_path
) -> None:
    iris = write_samples(kg, passages(TEXTS[:4]))
    sync_index(kg, tmp_path, CountingEmbedder())
    bundle = IndexBundle.load(tmp_path)
    allowed = AllowedSet.of({iris[0], iris[2], "urn:not-indexed"})
    r = bundle.restriction(allowed)
    np.testing.assert_array_equal(r.ids, np.sort([iri_to_id(iris[0]), iri_to_id(iris[2])]))
    assert (r.share, r.covers_all) == (0.5, False)
    assert bundle.restriction(allowed) is r
    assert bundle.restriction(AllowedSet.of(set(iris))).covers_all
