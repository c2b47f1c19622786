"""Drift between dataset versions: membership on tiny graphs, and the statistics checked
by hand and against scipy."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from evaluation.drift import (
    UnknownVersionError,
    chi2_sf,
    chi_square_homogeneity,
    drift_report,
    js_divergence,
)
from evaluation.errors import MetricError
from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    BatchInfo,
    SharedNodes,
    SourceFileInfo,
    batch_triples,
    dataset_version_triples,
    deletion_triples,
    invalidation_triples,
    membership_triple,
    sample_context,
    sample_triples,
)
from kg.model import GenerationIn, LabelIn, SampleRecord
from kg.store.embedded import OxigraphStore

T1 = datetime(2026, 10, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 1, tzinfo=UTC)
T3 = datetime(2026, 12, 1, tzinfo=UTC)

# ------------------------------------------------------------------ graph helpers
# (also used by test_agreement.py)


def new_kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def label(value: str, annotator: str, kind: str = "human", gv: str = "1.1",
          at: datetime | None = None, field: str = "intent") -> LabelIn:  # fmt: skip
    return LabelIn(
        field=field,
        value=value,
        annotator=annotator,
        annotator_kind=kind,  # type: ignore[arg-type]
        guideline_version=gv,
        labeled_at=at,
    )


def real(sid: str, text: str, version: str, labels: Sequence[LabelIn] = (),
         dataset: str = "d") -> SampleRecord:  # fmt: skip
    return SampleRecord(id=sid, text=text, origin="real", dataset=dataset, version=version,
                        labels=list(labels))  # fmt: skip


def synthetic(sid: str, text: str, version: str, prompt_version: str,
              labels: Sequence[LabelIn] = (), dataset: str = "d") -> SampleRecord:  # fmt: skip
    gen = GenerationIn(generator="gen", model="m", prompt_version=prompt_version, seed=1)
    return SampleRecord(id=sid, text=text, origin="synthetic", dataset=dataset,
                        version=version, generation=gen, labels=list(labels))  # fmt: skip


def write_batch(
    kg: KnowledgeGraph,
    batch_id: str,
    records: Iterable[SampleRecord],
    *,
    previous: dict[str, str] | None = None,
    joins: Iterable[tuple[str, str, str]] = (),
    at: datetime = T1,
) -> dict[str, str]:
    """One ingest batch the way the pipeline writes it: new samples, revisions of
    ``previous`` (external id -> old revision IRI, invalidated), and ``joins``
    (sample IRI, dataset, version) of unchanged samples. Returns id -> revision IRI."""
    previous = previous or {}
    batch = ids.batch_iri(batch_id)
    shared = SharedNodes()
    stmts: list[str] = []
    out: dict[str, str] = {}
    versions: set[tuple[str, str]] = set()
    for rec in records:
        assert rec.id is not None
        ctx = sample_context(rec, rec.id, batch, previous_revision=previous.get(rec.id))
        stmts += sample_triples(rec, ctx, shared)
        if rec.id in previous:
            stmts += invalidation_triples(previous[rec.id], batch, at)
        versions.add((rec.dataset, rec.version))
        out[rec.id] = ctx.iri
    for sample, dataset, version in joins:
        stmts.append(membership_triple(sample, ids.dataset_version_iri(dataset, version)))
        versions.add((dataset, version))
    for dataset, version in sorted(versions):
        stmts += dataset_version_triples(dataset, version)
    stmts += batch_triples(
        BatchInfo(
            iri=batch,
            started=at,
            ended=at,
            provrag_version="test",
            files=[SourceFileInfo(path=f"{batch_id}.jsonl", sha256="f" * 64, size=1)],
            counts={},
            on_invalid="quarantine",
            on_duplicate="skip",
        )
    )
    with kg.write_graph(batch) as writer:
        writer.add_statements(stmts)
    return out


def delete(kg: KnowledgeGraph, samples: Iterable[str], deletion_id: str = "del-1") -> None:
    """Invalidate ``samples`` by a pr:Deletion, as ``provrag delete`` does."""
    activity = ids.deletion_iri(deletion_id)
    stmts = deletion_triples(activity, {"ids": "test"}, "test", T3)
    for s in samples:
        stmts += invalidation_triples(s, activity, T3)
    with kg.write_graph(activity) as writer:
        writer.add_statements(stmts)


# ------------------------------------------------------------------ the scenario

TEXT = {
    "a": "alpha passage text",
    "b1": "beta passage",
    "b2": "beta passage, revised with more words",
    "c": "gamma synthetic",
    "d": "delta synthetic text",
    "e": "epsilon",
}


@pytest.fixture
def two_versions() -> tuple[KnowledgeGraph, dict[str, str], dict[str, str]]:
    """Version 1: a, b, c, d. Version 2: a and d unchanged, b revised, c gone, e new.

    Intent labels: a x (ann-1), x (ann-2); b1 y (ann-1); b2 x (ann-1); e y (heuristic).
    Synthetic: c, d prompt version 2; e prompt version 3.
    """
    kg = new_kg()
    v1 = write_batch(
        kg,
        "b1",
        [
            real("a", TEXT["a"], "1", [label("x", "ann-1"), label("x", "ann-2")]),
            real("b", TEXT["b1"], "1", [label("y", "ann-1")]),
            synthetic("c", TEXT["c"], "1", "2"),
            synthetic("d", TEXT["d"], "1", "2"),
        ],
    )
    v2 = write_batch(
        kg,
        "b2",
        [
            real("b", TEXT["b2"], "2", [label("x", "ann-1")]),
            synthetic("e", TEXT["e"], "2", "3", [label("y", "rules", kind="heuristic")]),
        ],
        previous={"b": v1["b"]},
        joins=[(v1["a"], "d", "2"), (v1["d"], "d", "2")],
        at=T2,
    )
    return kg, v1, v2


def test_sample_changes(two_versions) -> None:
    kg, _, _ = two_versions
    s = drift_report(kg, "d", "1", "2").samples
    assert (s.size_a, s.size_b) == (4, 4)
    assert (s.unchanged, s.changed, s.new, s.removed) == (2, 1, 1, 1)
    assert (s.changed_ids, s.new_ids, s.removed_ids) == (["b"], ["e"], ["c"])


def test_revised_sample_stays_in_its_old_version(two_versions) -> None:
    """b's first revision is invalidated, yet version 1 still holds it (not b2)."""
    kg, _, _ = two_versions
    r = drift_report(kg, "d", "1", "2")
    assert r.length_a.n == 4
    lengths_a = sorted(len(TEXT[k]) for k in ("a", "b1", "c", "d"))
    assert r.length_a.min == lengths_a[0] and r.length_a.max == lengths_a[-1]
    assert r.length_a.mean == pytest.approx(sum(lengths_a) / 4)
    # median of four values: the mean of the middle two
    assert r.length_a.median == pytest.approx((lengths_a[1] + lengths_a[2]) / 2)
    lengths_b = [len(TEXT[k]) for k in ("a", "b2", "d", "e")]
    assert r.length_b.mean == pytest.approx(sum(lengths_b) / 4)


def test_deleted_sample_leaves_every_version(two_versions) -> None:
    kg, v1, _ = two_versions
    delete(kg, [v1["d"]])
    s = drift_report(kg, "d", "1", "2").samples
    assert (s.size_a, s.size_b, s.unchanged, s.changed, s.new, s.removed) == (3, 3, 1, 1, 1, 1)


def test_origin_and_prompt_version_mix(two_versions) -> None:
    kg, _, _ = two_versions
    r = drift_report(kg, "d", "1", "2")
    assert r.origin.counts_a == {"real": 2, "synthetic": 2}
    assert r.origin.counts_b == {"real": 2, "synthetic": 2}
    assert r.origin.js_divergence == pytest.approx(0.0, abs=1e-12)
    assert r.prompt_versions.counts_a == {"gen/2": 2}
    assert r.prompt_versions.counts_b == {"gen/2": 1, "gen/3": 1}
    # P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4):
    # KL(P||M) = log2(4/3) = 0.415037; KL(Q||M) = 1/2 log2(2/3) + 1/2 log2(2) = 0.207519
    # JS = (0.415037 + 0.207519) / 2 = 0.311278
    assert r.prompt_versions.js_divergence == pytest.approx(0.311278, abs=1e-6)
    # 2 x 2 table [[2, 0], [1, 1]]: rows 2, 2; columns 3, 1; N = 4; E = [[1.5, .5], [1.5, .5]]
    # X^2 = .25/1.5 + .25/.5 + .25/1.5 + .25/.5 = 4/3 with 1 dof; p = erfc(sqrt(2/3))
    chi = r.prompt_versions.chi_square
    assert chi is not None and chi.dof == 1
    assert chi.statistic == pytest.approx(4 / 3)
    assert chi.p_value == pytest.approx(math.erfc(math.sqrt(2 / 3)))


def test_label_distribution(two_versions) -> None:
    kg, _, _ = two_versions
    r = drift_report(kg, "d", "1", "2")
    intent = r.labels["intent"]
    assert intent.counts_a == {"x": 2, "y": 1}
    assert intent.counts_b == {"x": 3, "y": 1}  # a: x, x; b2: x; e: y (heuristic)
    # P = (2/3, 1/3), Q = (3/4, 1/4), M = (17/24, 7/24)
    p, q, m = (2 / 3, 1 / 3), (3 / 4, 1 / 4), (17 / 24, 7 / 24)
    kl_p = p[0] * math.log2(p[0] / m[0]) + p[1] * math.log2(p[1] / m[1])
    kl_q = q[0] * math.log2(q[0] / m[0]) + q[1] * math.log2(q[1] / m[1])
    assert intent.js_divergence == pytest.approx((kl_p + kl_q) / 2)
    humans = drift_report(kg, "d", "1", "2", annotator_kinds=("human",)).labels["intent"]
    assert humans.counts_b == {"x": 3}


def test_centroid_distance_with_a_fake_embedder(two_versions) -> None:
    kg, _, _ = two_versions
    vectors = {
        TEXT["a"]: (1.0, 0.0),
        TEXT["b1"]: (0.0, 1.0),
        TEXT["c"]: (0.0, 3.0),  # not unit length: normalised first
        TEXT["d"]: (1.0, 0.0),
        TEXT["b2"]: (1.0, 1.0),
        TEXT["e"]: (0.0, 2.0),
    }
    calls: list[list[str]] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([vectors[t] for t in texts])

    r = drift_report(kg, "d", "1", "2", embedder=embed)
    # A: (1,0), (0,1), (0,1), (1,0) -> centroid (1/2, 1/2)
    # B: (1,0), (1/sqrt2, 1/sqrt2), (1,0), (0,1) -> centroid ((2 + s)/4, (s + 1)/4), s = 1/sqrt2
    s = 1 / math.sqrt(2)
    ca, cb = (0.5, 0.5), ((2 + s) / 4, (s + 1) / 4)
    cos = (ca[0] * cb[0] + ca[1] * cb[1]) / (math.hypot(*ca) * math.hypot(*cb))
    assert r.centroid_distance == pytest.approx(1 - cos)
    assert len(calls) == 1 and sorted(calls[0]) == sorted(set(TEXT.values()))


def test_no_embedding_without_embedder(two_versions) -> None:
    kg, _, _ = two_versions
    assert drift_report(kg, "d", "1", "2").centroid_distance is None


def test_unknown_version_names_the_known_ones(two_versions) -> None:
    kg, _, _ = two_versions
    with pytest.raises(UnknownVersionError, match=r"no version '9'.*1, 2"):
        drift_report(kg, "d", "1", "9")
    with pytest.raises(UnknownVersionError, match="no dataset 'nope'"):
        drift_report(kg, "nope", "1", "2")


# ------------------------------------------------------------------ statistics


def test_js_divergence_extremes() -> None:
    assert js_divergence({"x": 3}, {"y": 5}) == pytest.approx(1.0)  # disjoint supports
    assert js_divergence({"x": 1, "y": 3}, {"x": 2, "y": 6}) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(MetricError):
        js_divergence({"x": 0}, {"x": 1})


def test_js_divergence_against_scipy() -> None:
    distance = pytest.importorskip("scipy.spatial.distance")
    rng = random.Random(3)
    for _ in range(50):
        keys = [f"k{i}" for i in range(rng.randint(2, 8))]
        p = {k: rng.randint(0, 9) for k in keys}
        q = {k: rng.randint(0, 9) for k in keys}
        p[keys[0]] += 1
        q[keys[-1]] += 1
        ref = distance.jensenshannon([p[k] for k in keys], [q[k] for k in keys], base=2) ** 2
        assert js_divergence(p, q) == pytest.approx(ref, abs=1e-9)


def test_chi2_sf_by_hand() -> None:
    # 2 dof: the upper tail is exp(-x/2); 1 dof: the 95% critical value 3.841459
    for x in (0.1, 1.0, 4.0, 30.0):
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2))
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05)
    # 4 dof: Q(2, y) = e^-y (1 + y) with y = x/2
    assert chi2_sf(6.0, 4) == pytest.approx(math.exp(-3) * 4)
    assert chi2_sf(0.0, 3) == 1.0


def test_chi2_sf_against_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    for dof in (1, 2, 3, 5, 10, 37, 106):
        for x in (0.01, 0.5, 1.0, 3.0, 10.0, 50.0, 150.0):
            assert chi2_sf(x, dof) == pytest.approx(stats.chi2.sf(x, dof), rel=1e-9, abs=1e-300)


def test_chi_square_against_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(5)
    for _ in range(40):
        keys = [f"k{i}" for i in range(rng.randint(2, 6))]
        a = {k: rng.randint(1, 30) for k in keys}
        b = {k: rng.randint(1, 30) for k in keys}
        ours = chi_square_homogeneity(a, b)
        stat, p, dof, _ = stats.chi2_contingency(
            [[a[k] for k in keys], [b[k] for k in keys]], correction=False
        )
        assert ours is not None and ours.dof == dof
        assert ours.statistic == pytest.approx(stat)
        assert ours.p_value == pytest.approx(p)


def test_chi_square_nothing_to_test() -> None:
    assert chi_square_homogeneity({"x": 4}, {"x": 9}) is None  # one category
    assert chi_square_homogeneity({}, {"x": 1, "y": 2}) is None  # an empty side
