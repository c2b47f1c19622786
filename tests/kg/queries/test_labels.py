"""kg.queries.labels: the labels of one field, current or of a dataset version."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.queries.labels import LabelRow, field_labels, label_fields
from tests.kg.queries.conftest import T1, T2, Tiny


def _triples(rows: list[LabelRow]) -> set[tuple[str, str, str, object]]:
    return {(r.dataset, r.external_id, r.annotator, r.value) for r in rows}


def test_current_labels_skip_replaced_and_deleted_revisions(tiny: Tiny) -> None:
    assert _triples(field_labels(tiny.kg, "intent")) == {
        ("kb", "r1", "ann-1", "x"),
        ("kb", "r2", "ann-2", "y"),
        ("kb", "s1", "ann-1", "x"),
        ("other", "o1", "ann-1", "z"),
    }


def test_a_dataset_narrows_current_labels(tiny: Tiny) -> None:
    rows = field_labels(tiny.kg, "intent", dataset="other")
    assert _triples(rows) == {("other", "o1", "ann-1", "z")}


def test_labels_of_a_version_by_annotator_kind(tiny: Tiny) -> None:
    every = field_labels(tiny.kg, "intent", dataset="kb", version="1")
    assert ("kb", "r1", "bot", "y") in _triples(every)
    humans = field_labels(tiny.kg, "intent", dataset="kb", version="1", annotator_kinds=["human"])
    assert _triples(humans) == {
        ("kb", "r1", "ann-1", "x"),
        ("kb", "r2", "ann-2", "y"),
        ("kb", "s1", "ann-1", "x"),
    }


def test_a_label_row_carries_sample_origin_guideline_and_time(tiny: Tiny) -> None:
    rows = field_labels(tiny.kg, "intent", dataset="kb", version="1", annotator_kinds=["human"])
    old = {r.external_id: r for r in rows}
    assert old["r1"].sample == tiny.iris["r1"] and old["r1"].labeled_at == T1
    assert (old["r2"].origin, old["r2"].guideline_version) == ("real", "1.2")
    assert old["s1"].origin == "synthetic" and old["s1"].labeled_at is None
    [current] = [r for r in field_labels(tiny.kg, "intent") if r.external_id == "r1"]
    assert current.sample == tiny.iris["r1@2"] and current.labeled_at == T2


def test_one_row_per_label(tiny: Tiny) -> None:
    rows = field_labels(tiny.kg, "intent", dataset="kb", version="1")
    assert len({r.label for r in rows}) == len(rows) == 4


def test_a_version_needs_its_dataset(tiny: Tiny) -> None:
    with pytest.raises(QueryError, match="needs its dataset"):
        field_labels(tiny.kg, "intent", version="1")


def test_label_fields_of_current_samples(tiny: Tiny) -> None:
    assert label_fields(tiny.kg) == ["intent", "sentiment"]  # "topic" was on a deleted sample
