"""The coverage computation on hand-made vectors: covered shares, uncovered clusters
named by entities and labels, far synthetic samples grouped by generator config."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.coverage import CoverageItem, Thresholds, coverage_report
from evaluation.errors import CoverageError


def unit(*xs: float) -> list[float]:
    v = np.asarray(xs, dtype=float)
    return list(v / np.linalg.norm(v))


# 3-d: x axis "cards" (covered), y axis "insurance" (uncovered), z axis: a stray synthetic
REAL = [
    CoverageItem("r1", labels=("topic=cards",), entities=("Visa",)),
    CoverageItem("r2", labels=("topic=cards",), entities=("Visa",)),
    CoverageItem("r3", labels=("topic=insurance",), entities=("Harbourline", "Visa")),
    CoverageItem("r4", labels=("topic=insurance",), entities=("Harbourline",)),
    CoverageItem("r5", labels=("topic=savings",)),
]
REAL_V = np.array(
    [unit(1, 0.05, 0), unit(1, -0.05, 0), unit(0, 1, 0.1), unit(0.1, 1, 0), unit(-1, 0, -1)]
)
SYN = [
    CoverageItem("s1", config="para/p/3"),
    CoverageItem("s2", config="para/p/3"),
    CoverageItem("s3", config="qgen/casual/2"),
]
SYN_V = np.array([unit(1, 0, 0), unit(1, 0.1, 0), unit(0, 0, 1)])


def test_covered_shares_clusters_and_far_samples() -> None:
    t = Thresholds(neighbour=0.9, far=0.5, cluster=0.8)
    report = coverage_report("kb", REAL, REAL_V, SYN, SYN_V, thresholds=t)
    assert (report.real, report.real_covered, report.synthetic) == (5, 2, 3)
    assert report.real_covered_share == pytest.approx(0.4)
    [insurance, savings] = report.uncovered
    assert insurance.sample_ids == ["r3", "r4"] and savings.sample_ids == ["r5"]
    assert insurance.entities == [("Harbourline", 2), ("Visa", 1)]
    assert insurance.labels == [("topic=insurance", 2)]
    assert insurance.name == "Harbourline, Visa, topic=insurance"
    [far] = report.far
    assert (far.config, far.count, far.of, far.sample_ids) == ("qgen/casual/2", 1, 1, ["s3"])
    assert report.measurements() == {
        "real_covered_share": pytest.approx(0.4),
        "uncovered_clusters": 2.0,
        "far_synthetic": 1.0,
    }


def test_golden_queries_are_covered_by_a_near_synthetic_sample() -> None:
    golden = [CoverageItem("q1"), CoverageItem("q2")]
    golden_v = np.array([unit(1, 0.02, 0), unit(0, 1, 0)])
    report = coverage_report("kb", REAL, REAL_V, SYN, SYN_V, golden=golden, golden_vectors=golden_v)
    assert (report.golden, report.golden_covered) == (2, 1)
    assert report.uncovered_golden_ids == ["q2"]
    assert report.to_dict()["golden_covered_share"] == pytest.approx(0.5)


def test_no_synthetic_sample_leaves_everything_uncovered() -> None:
    report = coverage_report("kb", REAL, REAL_V, [], np.zeros((0, 3)))
    assert report.real_covered == 0 and report.far == []
    assert sum(c.size for c in report.uncovered) == 5


def test_same_input_same_report() -> None:
    a = coverage_report("kb", REAL, REAL_V, SYN, SYN_V).to_dict()
    b = coverage_report("kb", REAL, REAL_V, SYN, SYN_V).to_dict()
    assert a == b


def test_a_dataset_without_real_samples_is_an_error() -> None:
    with pytest.raises(CoverageError, match="no current real samples"):
        coverage_report("kb", [], np.zeros((0, 3)), SYN, SYN_V)


def test_a_threshold_outside_cosine_range_is_an_error() -> None:
    with pytest.raises(CoverageError, match="neighbour = 1.5"):
        coverage_report("kb", REAL, REAL_V, SYN, SYN_V, thresholds=Thresholds(neighbour=1.5))


def test_vectors_must_match_their_items() -> None:
    with pytest.raises(CoverageError, match="one row per item"):
        coverage_report("kb", REAL, REAL_V[:3], SYN, SYN_V)


def test_clusters_do_not_depend_on_the_similarity_block_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 8))
    real = [CoverageItem(f"r{i:02d}") for i in range(40)]
    t = Thresholds(neighbour=0.99, cluster=0.6)
    whole = coverage_report("kb", real, vectors, [], np.zeros((0, 8)), thresholds=t).to_dict()
    monkeypatch.setattr("evaluation.coverage._BLOCK", 7)
    blocks = coverage_report("kb", real, vectors, [], np.zeros((0, 8)), thresholds=t).to_dict()
    assert blocks == whole and len(whole["uncovered_clusters"]) > 1
