"""Releases in the graph: selections, the record read back, members as a filter, and
the served release replayed from promotions and rollbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.releases import (
    GateResultIn,
    ReleaseIn,
    approval_triples,
    release_member_triples,
    release_triples,
    serving_change_triples,
)
from kg.model import Filters
from kg.queries import RELEASES_QUERY
from kg.queries.filters import allowed_sample_iris
from kg.queries.releases import (
    ServingChange,
    current_selection,
    release_members,
    release_row,
    served_release,
    served_stack,
    version_selection,
)
from tests.kg.queries.conftest import Tiny

T = datetime(2026, 12, 5, tzinfo=UTC)


def write_release(kg: KnowledgeGraph, name: str, members: list[str], *, passed: bool) -> None:
    release = ReleaseIn(
        name=name, created=T, manifest_hash="h" * 64, member_count=len(members),
        dataset="kb", versions=("1",), retriever_settings={"retriever": "dense"},
        gates=(GateResultIn("ndcg@10>=0.7", passed, 0.65 if not passed else 0.8),),
    )  # fmt: skip
    iri = ids.release_iri(name)
    with kg.write_graph(iri) as w:
        w.add_statements(release_triples(release) + release_member_triples(name, members))


def approve(kg: KnowledgeGraph, name: str, by: str) -> None:
    activity = ids.release_approval_iri(name, "1")
    with kg.write_graph(activity) as w:
        w.add_statements(approval_triples(activity, name, by, T, override=False, note="fine"))


def test_a_version_selection_keeps_the_revisions_of_that_version(tiny: Tiny) -> None:
    v1 = {s.revision for s in version_selection(tiny.kg, "kb", "1")}
    assert v1 == {tiny.iris["r1"], tiny.iris["r2"], tiny.iris["s1"]}  # "gone" was deleted
    current = {s.revision for s in current_selection(tiny.kg, "kb")}
    assert current == {tiny.iris["r1@2"], tiny.iris["r2"], tiny.iris["s1"]}


def test_the_release_record_reads_back(tiny: Tiny) -> None:
    write_release(tiny.kg, "R1", [tiny.iris["r1"], tiny.iris["r2"]], passed=False)
    approve(tiny.kg, "R1", "alice")
    row = release_row(tiny.kg, "R1")
    assert row is not None
    assert (row.dataset, row.member_count, row.versions, row.gates_passed) == (
        "kb", 2, ("1",), False,
    )  # fmt: skip
    assert [(g.expression, g.passed, g.value) for g in row.gates] == [("ndcg@10>=0.7", False, 0.65)]
    assert [(a.by, a.note) for a in row.approvals] == [("alice", "fine")]
    assert release_row(tiny.kg, "nope") is None


def test_a_release_filter_allows_its_revisions_even_once_revised(tiny: Tiny) -> None:
    write_release(tiny.kg, "R1", [tiny.iris["r1"], tiny.iris["r2"]], passed=True)
    released = allowed_sample_iris(tiny.kg, Filters(release="R1"), "restricted")
    assert released == {tiny.iris["r1"], tiny.iris["r2"]}
    assert tiny.iris["r1"] not in allowed_sample_iris(tiny.kg, Filters(), "restricted")


def test_release_members_name_their_logical_sample(tiny: Tiny) -> None:
    write_release(tiny.kg, "R1", [tiny.iris["r1"], tiny.iris["s1"]], passed=True)
    got = {(m.external_id, m.origin, m.generator_config) for m in release_members(tiny.kg, "R1")}
    assert got == {("r1", "real", None), ("s1", "synthetic", "gen-x/2")}


def change(kind: str, release: str, n: int) -> ServingChange:
    return ServingChange(f"c{n}", kind, release, "bob", T, None, None)


@pytest.mark.parametrize(
    ("history", "stack"),
    [
        ([], []),
        ([("promotion", "A"), ("promotion", "B")], ["A", "B"]),
        ([("promotion", "A"), ("promotion", "B"), ("rollback", "A")], ["A"]),
        (
            [("promotion", "A"), ("promotion", "B"), ("promotion", "C"), ("rollback", "B")],
            ["A", "B"],
        ),
    ],
)
def test_the_served_stack_replays_promotions_and_rollbacks(
    history: list[tuple[str, str]], stack: list[str]
) -> None:
    assert served_stack([change(k, r, n) for n, (k, r) in enumerate(history)]) == stack


def test_served_release_is_the_last_promoted(tiny: Tiny) -> None:
    assert served_release(tiny.kg) is None
    for n, name in enumerate(("A", "B")):
        write_release(tiny.kg, name, [tiny.iris["r2"]], passed=True)
        activity = ids.serving_change_iri(f"p{n}")
        at = datetime(2026, 12, 6 + n, tzinfo=UTC)
        with tiny.kg.write_graph(activity) as w:
            w.add_statements(
                serving_change_triples(
                    activity, "promotion", name, "bob", at, replaced=None, note=None
                )  # fmt: skip
            )
    assert served_release(tiny.kg) == "B"


def test_the_documented_releases_query_names_the_approver(tiny: Tiny) -> None:
    write_release(tiny.kg, "R1", [tiny.iris["r2"]], passed=True)
    approve(tiny.kg, "R1", "alice")
    rows = tiny.kg.select(RELEASES_QUERY)
    assert [(r["name"], r["members"], r["approved_by"]) for r in rows] == [("R1", 1, "alice")]
