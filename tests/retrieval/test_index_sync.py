from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.graph import KnowledgeGraph
from kg.ids import ID_NS, batch_iri
from kg.model import SampleRecord
from kg.store.embedded import OxigraphStore
from retrieval.errors import RetrievalError
from retrieval.index import iri_to_id
from retrieval.index_bundle import IndexBundle
from retrieval.index_sync import check_index, sync_index
from retrieval.lexical import LexicalIndex
from tests.retrieval.conftest import TEXTS, CountingEmbedder, invalidate, passages

pytestmark = pytest.mark.model


def test_first_sync_indexes_every_current_sample(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS))
    report = sync_index(kg, tmp_path, embedder)
    assert (report.embedded, report.added, report.removed, report.total) == (6, 6, 0, 6)
    bundle = IndexBundle.load(tmp_path)
    assert sorted(bundle.iri_of(i) for i in bundle.vectors.ids()) == sorted(iris)
    assert sorted(bundle.iri_of(i) for i in bundle.lexical.ids()) == sorted(iris)
    assert bundle.external_id_of(iri_to_id(iris[0])) == "p0"


def test_manifest_records_model_dimension_count_type_and_batches(
    kg, write_samples, embedder, tmp_path
) -> None:
    write_samples(kg, passages(TEXTS[:2]), batch_id="b1")
    write_samples(kg, passages(TEXTS[2:], prefix="q"), batch_id="b2")
    sync_index(kg, tmp_path, embedder)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["model"] == embedder.model_name
    assert manifest["dimension"] == embedder.dimension
    assert manifest["count"] == 6 and manifest["index_type"] == "flat"
    assert [b.rsplit("/", 1)[1] for b in manifest["batches"]] == ["b1", "b2"]
    assert manifest["graph_triples"] == kg.triple_count()
    assert (tmp_path / manifest["generation"] / "vectors.faiss").is_file()


def test_second_sync_embeds_nothing(kg, write_samples, embedder, tmp_path) -> None:
    write_samples(kg, passages(TEXTS))
    sync_index(kg, tmp_path, embedder)
    report = sync_index(kg, tmp_path, embedder)
    assert (report.embedded, report.added, report.removed, report.unchanged) == (0, 0, 0, 6)


def test_unchanged_content_in_a_new_batch_embeds_nothing(
    kg, write_samples, embedder, tmp_path
) -> None:
    write_samples(kg, passages(TEXTS), batch_id="b1")
    sync_index(kg, tmp_path, embedder)
    # same texts, another dataset: new sample IRIs, cached vectors
    write_samples(kg, passages(TEXTS, dataset="copy"), batch_id="b2")
    report = sync_index(kg, tmp_path, embedder)
    assert (report.embedded, report.reused, report.added, report.total) == (0, 6, 6, 12)


def test_invalidated_sample_leaves_both_indexes(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS))
    sync_index(kg, tmp_path, embedder)
    invalidate(kg, [iris[3]], "del-1")
    report = sync_index(kg, tmp_path, embedder)
    assert (report.removed, report.embedded, report.total) == (1, 0, 5)
    bundle = IndexBundle.load(tmp_path)
    gone = iri_to_id(iris[3])
    assert gone not in bundle.vectors
    assert gone not in bundle.lexical.ids()
    query = embedder.embed(["Which hormone regulates blood sugar?"])
    _, found = bundle.vectors.search(query, 10)
    assert gone not in found
    assert gone not in bundle.lexical.search("insulin pancreas", 10)[1]


def test_revision_replaces_the_old_vector(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS[:3]), batch_id="b1")
    sync_index(kg, tmp_path, embedder)
    revised = SampleRecord(
        id="p1", text="Plants turn light into chemical energy.", origin="real", dataset="demo"
    )
    new_iri = write_samples(kg, [revised], batch_id="b2")[0]
    invalidate(kg, [iris[1]], "rev-1")
    report = sync_index(kg, tmp_path, embedder)
    assert (report.embedded, report.removed, report.total) == (1, 1, 3)
    bundle = IndexBundle.load(tmp_path)
    assert iri_to_id(new_iri) in bundle.vectors and iri_to_id(iris[1]) not in bundle.vectors


def test_check_reports_missing_and_stale(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS[:3]), batch_id="b1")
    sync_index(kg, tmp_path, embedder)
    assert check_index(kg, tmp_path).ok
    new = write_samples(kg, passages(TEXTS[3:4], prefix="n"), batch_id="b2")
    invalidate(kg, [iris[0]], "del-1")
    report = check_index(kg, tmp_path)
    assert not report.ok
    assert report.missing == new
    assert report.stale == [iris[0]]
    sync_index(kg, tmp_path, embedder)
    assert check_index(kg, tmp_path).ok


def test_check_without_an_index_lists_every_sample(kg, write_samples, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS[:2]))
    report = check_index(kg, tmp_path / "none")
    assert not report.ok and report.missing == sorted(iris) and report.stale == []
    assert check_index(KnowledgeGraph(OxigraphStore(None)), tmp_path / "none").ok


def test_check_notices_a_lexical_index_out_of_step(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS[:3]))
    sync_index(kg, tmp_path, embedder)
    generation = tmp_path / json.loads((tmp_path / "manifest.json").read_text())["generation"]
    partial = LexicalIndex()
    partial.build(np.array([iri_to_id(iris[0])]), [TEXTS[0]])
    partial.save(generation)
    report = check_index(kg, tmp_path)
    assert sorted(report.missing) == sorted(iris[1:])
    assert any("only in the vector index" in n for n in report.notes)


def test_rebuild_reuses_cached_vectors(kg, write_samples, embedder, tmp_path) -> None:
    write_samples(kg, passages(TEXTS))
    sync_index(kg, tmp_path, embedder)
    before = IndexBundle.load(tmp_path)
    report = sync_index(kg, tmp_path, embedder, rebuild=True)
    assert report.rebuilt and (report.embedded, report.reused, report.added) == (0, 6, 6)
    after = IndexBundle.load(tmp_path)
    ids = before.vectors.ids()
    np.testing.assert_array_equal(after.vectors.ids(), ids)
    np.testing.assert_allclose(after.vectors.vectors_of(ids), before.vectors.vectors_of(ids))
    assert len(list(tmp_path.glob("gen-*"))) == 1


def test_a_crash_while_writing_keeps_the_previous_index(
    kg, write_samples, embedder, tmp_path, monkeypatch
) -> None:
    iris = write_samples(kg, passages(TEXTS[:3]), batch_id="b1")
    sync_index(kg, tmp_path, embedder)
    manifest = (tmp_path / "manifest.json").read_text()
    write_samples(kg, passages(TEXTS[3:], prefix="n"), batch_id="b2")

    def crash(self: LexicalIndex, directory: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(LexicalIndex, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        sync_index(kg, tmp_path, embedder)
    monkeypatch.undo()
    assert (tmp_path / "manifest.json").read_text() == manifest
    bundle = IndexBundle.load(tmp_path)
    assert sorted(bundle.iri_of(i) for i in bundle.vectors.ids()) == sorted(iris)
    report = sync_index(kg, tmp_path, embedder)
    assert report.embedded == 0 and report.total == 6  # embedded before the crash: cached
    assert [p.name for p in tmp_path.glob("gen-*")] == [
        json.loads((tmp_path / "manifest.json").read_text())["generation"]
    ]


def test_another_model_forces_a_full_build(kg, write_samples, embedder, tmp_path) -> None:
    write_samples(kg, passages(TEXTS[:3]))
    sync_index(kg, tmp_path, embedder)
    other = CountingEmbedder()
    report = sync_index(kg, tmp_path, other)
    assert report.rebuilt and "model changed" in (report.reason or "")
    assert report.embedded == 3 and other.embedded == 3
    assert IndexBundle.load(tmp_path).dimension == other.dimension


def test_nothing_to_embed_never_touches_the_model(kg, write_samples, embedder, tmp_path) -> None:
    write_samples(kg, passages(TEXTS[:3]))
    sync_index(kg, tmp_path, embedder)

    class Untouchable:
        model_name = embedder.model_name
        batch_size = 8

        @property
        def dimension(self) -> int:
            raise AssertionError("the model was loaded")

        def embed(self, texts):  # type: ignore[no-untyped-def]
            raise AssertionError("the model was run")

    assert sync_index(kg, tmp_path, Untouchable()).embedded == 0  # type: ignore[arg-type]


def test_hnsw_setting_builds_an_hnsw_index(kg, write_samples, embedder, tmp_path) -> None:
    iris = write_samples(kg, passages(TEXTS))
    report = sync_index(kg, tmp_path, embedder, index_type="hnsw")
    assert report.index_type == "hnsw"
    bundle = IndexBundle.load(tmp_path)
    assert bundle.vectors.index_type == "hnsw"
    _, found = bundle.vectors.search(embedder.embed(["highest mountain on Earth"]), 1)
    assert bundle.iri_of(int(found[0, 0])) == iris[4]


def test_auto_switches_to_hnsw_at_the_threshold(kg, write_samples, embedder, tmp_path) -> None:
    write_samples(kg, passages(TEXTS[:3]), batch_id="b1")
    assert sync_index(kg, tmp_path, embedder, hnsw_threshold=5).index_type == "flat"
    write_samples(kg, passages(TEXTS[3:], prefix="n"), batch_id="b2")
    assert sync_index(kg, tmp_path, embedder, hnsw_threshold=5).index_type == "hnsw"
    assert check_index(kg, tmp_path).ok


def test_a_sample_with_two_texts_is_refused(kg, tmp_path) -> None:
    s = f"{ID_NS}sample/x/1/abc"
    kg.update(f'INSERT DATA {{ GRAPH <{batch_iri("manual")}> {{ <{s}> a pr:Sample ; '
              'pr:text "one", "two" } }')  # fmt: skip
    with pytest.raises(RetrievalError, match="more than one pr:text"):
        sync_index(kg, tmp_path, CountingEmbedder())
