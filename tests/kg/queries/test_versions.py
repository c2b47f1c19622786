"""kg.queries.versions: dataset versions and their members, as ingested."""

from __future__ import annotations

from kg.queries.versions import (
    LabelValueCount,
    dataset_external_ids,
    dataset_versions,
    has_dataset_version,
    version_label_counts,
    version_members,
    version_texts,
)
from tests.kg.queries.conftest import Tiny


def test_dataset_versions_are_sorted_and_per_dataset(tiny: Tiny) -> None:
    assert dataset_versions(tiny.kg, "kb") == ["1", "2"]
    assert dataset_versions(tiny.kg, "other") == ["1"]
    assert dataset_versions(tiny.kg, "nope") == []


def test_has_dataset_version(tiny: Tiny) -> None:
    assert has_dataset_version(tiny.kg, "kb", "2")
    assert not has_dataset_version(tiny.kg, "kb", "3")


def test_dataset_external_ids_include_invalidated_revisions(tiny: Tiny) -> None:
    assert dataset_external_ids(tiny.kg, "kb") == {"r1", "r2", "s1", "gone"}
    assert dataset_external_ids(tiny.kg, "other") == {"o1"}


def test_an_old_version_keeps_its_revision_and_loses_deleted_samples(tiny: Tiny) -> None:
    members = {m.external_id: m for m in version_members(tiny.kg, "kb", "1")}
    assert set(members) == {"r1", "r2", "s1"}
    assert members["r1"].revision == tiny.iris["r1"]
    assert members["r1"].length == len("r one")
    assert (members["s1"].origin, members["s1"].generator, members["s1"].prompt_version) == (
        "synthetic",
        "gen-x",
        "2",
    )
    assert (members["r2"].generator, members["r2"].prompt_version) == (None, None)


def test_a_new_version_has_the_revision_and_the_joined_samples(tiny: Tiny) -> None:
    members = {m.external_id: m.revision for m in version_members(tiny.kg, "kb", "2")}
    assert members == {"r1": tiny.iris["r1@2"], "r2": tiny.iris["r2"], "s1": tiny.iris["s1"]}


def test_label_counts_of_a_version_all_kinds_and_humans_only(tiny: Tiny) -> None:
    every = set(version_label_counts(tiny.kg, "kb", "1"))
    assert every == {
        LabelValueCount("intent", "x", 2),
        LabelValueCount("intent", "y", 2),
        LabelValueCount("sentiment", "neg", 1),
    }
    humans = set(version_label_counts(tiny.kg, "kb", "1", ["human"]))
    assert LabelValueCount("intent", "y", 1) in humans


def test_version_texts_by_revision(tiny: Tiny) -> None:
    assert version_texts(tiny.kg, "kb", "2") == {
        tiny.iris["r1@2"]: "r one, revised",
        tiny.iris["r2"]: "r two",
        tiny.iris["s1"]: "s one",
    }
