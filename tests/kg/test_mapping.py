"""N-Triples statements from kg.mapping: filtering them by subject."""

from __future__ import annotations

from kg.mapping import drop_subjects, invalidation_triples, membership_triple
from kg.model import now_utc


def test_drop_subjects_leaves_out_the_statements_about_the_given_iris() -> None:
    stmts = invalidation_triples("urn:a", "urn:act", now_utc()) + [
        membership_triple("urn:b", "urn:dv"),
        membership_triple("urn:ab", "urn:dv"),
    ]
    kept = drop_subjects(stmts, {"urn:a"})
    assert [s.split(" ", 1)[0] for s in kept] == ["<urn:b>", "<urn:ab>"]
    assert drop_subjects(stmts, set()) is stmts
