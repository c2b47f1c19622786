"""Triples of the end of a sample's life: retention expiries and erasures.

Both are ``pr:Deletion`` activities (the subclass says which), each written into
its own named graph like a deletion:

    X  a pr:RetentionExpiry, pr:Deletion, prov:Activity ; prov:startedAtTime ;
       pr:selector (JSON: dataset, period, cut-off) ; pr:reason
    E  a pr:Erasure, pr:Deletion, prov:Activity ; prov:startedAtTime ;
       pr:selector (JSON: id, dataset) ; pr:reason ; prov:wasAssociatedWith P
    P  a prov:Person, prov:Agent ; rdfs:label (who erased)
    S  pr:erasedBy E ; [prov:invalidatedAtTime ; prov:wasInvalidatedBy E]  (S was current)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kg import ids
from kg.mapping import RDFS, A, deletion_triples, invalidation_triples, iri, lit, pr, prov


def retention_triples(
    activity: str, selector: dict[str, Any], reason: str, at: datetime
) -> list[str]:
    """The retention expiry activity (its samples get :func:`invalidation_triples`)."""
    return [f"{iri(activity)} {A} {pr('RetentionExpiry')}"] + deletion_triples(
        activity, selector, reason, at
    )


def erasure_triples(
    activity: str, selector: dict[str, Any], reason: str, at: datetime, who: str
) -> list[str]:
    """The erasure activity, associated with the person who ran it."""
    agent = iri(ids.agent_iri("person", who))
    return [
        f"{iri(activity)} {A} {pr('Erasure')}",
        *deletion_triples(activity, selector, reason, at),
        f"{iri(activity)} {prov('wasAssociatedWith')} {agent}",
        f"{agent} {A} {prov('Person')}",
        f"{agent} {A} {prov('Agent')}",
        f"{agent} <{RDFS}label> {lit(who)}",
    ]


def erased_sample_triples(sample: str, activity: str, at: datetime, *, current: bool) -> list[str]:
    """``sample pr:erasedBy`` the erasure; a current sample is also invalidated by it."""
    out = [f"{iri(sample)} {pr('erasedBy')} {iri(activity)}"]
    if current:
        out += invalidation_triples(sample, activity, at)
    return out
