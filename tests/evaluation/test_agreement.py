"""The label matrix and the agreement report on tiny graphs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evaluation.agreement import (
    LabelObservation,
    agreement_report,
    label_matrix,
    report_from_observations,
)
from evaluation.errors import MetricError, UnknownVersionError
from kg.graph import KnowledgeGraph
from tests.evaluation.test_drift import T2, delete, label, new_kg, real, synthetic, write_batch

# ------------------------------------------------------------------ graph


@pytest.fixture
def labelled() -> tuple[KnowledgeGraph, dict[str, str]]:
    """Version 1:
    s1 real       ann-1 x (1.1), ann-2 x (1.1), heuristic y
    s2 real       ann-1 x (1.1), ann-2 y (1.2)
    s3 synthetic  ann-1 y (1.2), ann-2 y (1.2), ann-3 z (1.2)
    s4 synthetic  ann-3 x (1.2)  (single label)
    Version 2: s2 revised, now ann-1 x, ann-2 x (1.2); the others unchanged."""
    kg = new_kg()
    v1 = write_batch(
        kg,
        "b1",
        [
            real("s1", "one", "1",
                 [label("x", "ann-1"), label("x", "ann-2"), label("y", "rules", "heuristic")]),
            real("s2", "two", "1", [label("x", "ann-1"), label("y", "ann-2", gv="1.2")]),
            synthetic("s3", "three", "1", "2", [label("y", "ann-1", gv="1.2"),
                      label("y", "ann-2", gv="1.2"), label("z", "ann-3", gv="1.2")]),
            synthetic("s4", "four", "1", "2", [label("x", "ann-3", gv="1.2")]),
        ],
    )  # fmt: skip
    write_batch(
        kg,
        "b2",
        [real("s2", "two, revised", "2", [label("x", "ann-1", gv="1.2"),
                                          label("x", "ann-2", gv="1.2")])],
        previous={"s2": v1["s2"]},
        joins=[(v1[k], "d", "2") for k in ("s1", "s3", "s4")],
        at=T2,
    )  # fmt: skip
    return kg, v1


def test_label_matrix_current_humans(labelled) -> None:
    kg, _ = labelled
    assert label_matrix(kg, "intent") == {
        "s1": {"ann-1": "x", "ann-2": "x"},
        "s2": {"ann-1": "x", "ann-2": "x"},  # the current revision's labels
        "s3": {"ann-1": "y", "ann-2": "y", "ann-3": "z"},
        "s4": {"ann-3": "x"},
    }


def test_label_matrix_all_kinds(labelled) -> None:
    kg, _ = labelled
    m = label_matrix(kg, "intent", annotator_kinds=None)
    assert m["s1"] == {"ann-1": "x", "ann-2": "x", "rules": "y"}


def test_label_matrix_of_an_old_version_keeps_its_revision(labelled) -> None:
    kg, _ = labelled
    m = label_matrix(kg, "intent", dataset="d", version="1")
    assert m["s2"] == {"ann-1": "x", "ann-2": "y"}
    assert set(m) == {"s1", "s2", "s3", "s4"}


def test_deleted_samples_count_nowhere(labelled) -> None:
    kg, v1 = labelled
    delete(kg, [v1["s3"]])
    assert "s3" not in label_matrix(kg, "intent")
    assert "s3" not in label_matrix(kg, "intent", dataset="d", version="1")


def test_unknown_version(labelled) -> None:
    kg, _ = labelled
    with pytest.raises(UnknownVersionError):
        label_matrix(kg, "intent", dataset="d", version="7")


def test_same_id_in_two_datasets_is_qualified() -> None:
    kg = new_kg()
    write_batch(kg, "b1", [real("s1", "one", "1", [label("x", "ann-1")]),
                           real("s1", "uno", "1", [label("y", "ann-1")], dataset="e")])  # fmt: skip
    assert label_matrix(kg, "intent") == {"d/s1": {"ann-1": "x"}, "e/s1": {"ann-1": "y"}}
    assert label_matrix(kg, "intent", dataset="e") == {"s1": {"ann-1": "y"}}


def test_report_of_version_1_by_hand(labelled) -> None:
    kg, _ = labelled
    r = agreement_report(kg, "intent", dataset="d", version="1")
    assert r.annotators == ["ann-1", "ann-2", "ann-3"]
    assert (r.items, r.single_labelled, r.labels) == (3, 1, 8)
    assert [d.item for d in r.disagreements] == ["s2", "s3"]
    assert r.disagreements[1].values == {"ann-1": "y", "ann-2": "y", "ann-3": "z"}
    assert r.disagreements[1].origin == "synthetic"
    assert r.percent_agreement == pytest.approx(1 / 3)
    # pairable values: s1 (x, x), s2 (x, y), s3 (y, y, z); n = 7, n_x = 3, n_y = 3, n_z = 1
    # observed: s1 0, s2 (4 - 2)/1 = 2, s3 (9 - 5)/2 = 2 -> 4; expected 49 - 19 = 30
    # alpha = 1 - 6 * 4 / 30 = 0.2
    assert r.alpha == pytest.approx(0.2)
    assert r.fleiss_kappa is None  # 2 and 3 labels per item
    pairs = {(p.a, p.b): p for p in r.pairs}
    # ann-1/ann-2 on s1, s2, s3: (x,x), (x,y), (y,y); p_o = 2/3; p_e = (2*1 + 1*2)/9 = 4/9
    # kappa = (2/3 - 4/9) / (5/9) = 0.4
    assert pairs[("ann-1", "ann-2")].items == 3
    assert pairs[("ann-1", "ann-2")].kappa == pytest.approx(0.4)
    # ann-1/ann-3 on s3 only: (y, z); p_o = 0, p_e = 0 -> kappa 0
    assert pairs[("ann-1", "ann-3")].kappa == pytest.approx(0.0)


def test_report_groups_by_hand(labelled) -> None:
    kg, _ = labelled
    r = agreement_report(kg, "intent", dataset="d", version="1")
    # guideline 1.1: s1 (x, x) and ann-1's x on s2 (a single label there): 1 item, agreed
    g11 = r.by_guideline_version["1.1"]
    assert (g11.items, g11.disagreements, g11.percent_agreement, g11.alpha) == (1, 0, 1.0, None)
    # guideline 1.2: s3 (y, y, z): n = 3, observed (9 - 5)/2 = 2, expected 9 - 5 = 4
    # alpha = 1 - 2 * 2 / 4 = 0
    g12 = r.by_guideline_version["1.2"]
    assert (g12.items, g12.disagreements) == (1, 1)
    assert g12.alpha == pytest.approx(0.0)
    # real: s1 (x, x), s2 (x, y): n = 4, observed 2, expected 16 - 10 = 6 -> 1 - 3*2/6 = 0
    real_group = r.by_origin["real"]
    assert (real_group.items, real_group.disagreements) == (2, 1)
    assert real_group.alpha == pytest.approx(0.0)
    assert r.by_origin["synthetic"].items == 1  # s4 has one label


def test_current_report_sees_the_revision(labelled) -> None:
    kg, _ = labelled
    r = agreement_report(kg, "intent")
    assert [d.item for d in r.disagreements] == ["s3"]


def test_repeated_label_keeps_the_latest() -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    obs = [
        LabelObservation("i1", "ann-1", "x", labeled_at=late),
        LabelObservation("i1", "ann-1", "y", labeled_at=early),
        LabelObservation("i1", "ann-2", "x"),
    ]
    r = report_from_observations(obs, "intent")
    assert r.repeated_labels == 1
    assert r.disagreements == []
    assert r.percent_agreement == 1.0


def test_version_without_dataset_is_refused(labelled) -> None:
    kg, _ = labelled
    with pytest.raises(MetricError, match="needs its dataset"):
        label_matrix(kg, "intent", version="1")
