"""Triples of the audit trail: one ``pr:AuditedRequest`` per request the server answered.

Shape (in the audit named graph, :data:`kg.graph.AUDIT_GRAPH`)::

    R a pr:AuditedRequest, prov:Activity ;
      prov:wasAssociatedWith <agent/token/<token id>> ; pr:tokenId "<token id>" ;
      pr:httpMethod "GET" ; pr:route "/search" ; pr:requestParameters "q=..." ;
      pr:httpStatus 200 ; prov:startedAtTime ; prov:endedAtTime ;
      pr:returnedSample S1, S2 ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kg import ids
from kg.mapping import A, iri, lit, pr, prov
from kg.terms import ID_NS


@dataclass(frozen=True)
class AuditEntry:
    """One audited request."""

    request_id: str
    token_id: str
    method: str
    route: str
    parameters: str
    status: int
    started: datetime
    ended: datetime
    #: IRIs of the sample revisions the answer held
    samples: Sequence[str] = field(default_factory=tuple)


def audit_request_iri(request_id: str) -> str:
    return f"{ID_NS}audit/{ids.seg(request_id)}"


def audit_triples(entry: AuditEntry) -> list[str]:
    """N-Triples statements (without the final `` .``) of ``entry``."""
    r = iri(audit_request_iri(entry.request_id))
    agent = iri(ids.agent_iri("token", entry.token_id))
    out = [
        f"{r} {A} {pr('AuditedRequest')}",
        f"{r} {A} {prov('Activity')}",
        f"{r} {prov('wasAssociatedWith')} {agent}",
        f"{agent} {A} {prov('Agent')}",
        f"{r} {pr('tokenId')} {lit(entry.token_id)}",
        f"{r} {pr('httpMethod')} {lit(entry.method)}",
        f"{r} {pr('route')} {lit(entry.route)}",
        f"{r} {pr('requestParameters')} {lit(entry.parameters)}",
        f"{r} {pr('httpStatus')} {lit(entry.status)}",
        f"{r} {prov('startedAtTime')} {lit(entry.started)}",
        f"{r} {prov('endedAtTime')} {lit(entry.ended)}",
    ]
    out += [f"{r} {pr('returnedSample')} {iri(s)}" for s in dict.fromkeys(entry.samples)]
    return out
