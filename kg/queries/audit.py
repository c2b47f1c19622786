"""The audit trail read back: who asked what, when, and which samples they were given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kg.graph import AUDIT_GRAPH, KnowledgeGraph
from kg.mapping import iri, lit


@dataclass(frozen=True)
class AuditRow:
    """One audited request, as :func:`audit_rows` reads it."""

    request: str
    token_id: str
    method: str
    route: str
    parameters: str
    status: int
    started: datetime
    samples: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "request": self.request,
            "token_id": self.token_id,
            "method": self.method,
            "route": self.route,
            "parameters": self.parameters,
            "status": self.status,
            "time": self.started.isoformat(),
            "samples": list(self.samples),
        }


def audit_query(
    *, since: datetime | None = None, who: str | None = None, sample: str | None = None
) -> str:
    """The SELECT of the audited requests since ``since``, of token ``who``, that
    returned ``sample`` (a sample IRI or external id); oldest first."""
    filters = []
    if since is not None:
        filters.append(f"  FILTER(?started >= {lit(since)})")
    if who is not None:
        filters.append(f"  FILTER(STR(?token) = {lit(who)})")
    if sample is not None:
        match = iri(sample) if sample.startswith(("http://", "https://", "urn:")) else None
        by_iri = f"{{ GRAPH <{AUDIT_GRAPH}> {{ ?r pr:returnedSample {match} }} }}" if match else ""
        by_id = (
            f"{{ GRAPH <{AUDIT_GRAPH}> {{ ?r pr:returnedSample ?_x }} "
            f"?_x pr:externalId ?_id . FILTER(STR(?_id) = {lit(sample)}) }}"
        )
        filters.append(
            f"  FILTER EXISTS {{ {by_iri} UNION {by_id} }}"
            if by_iri
            else f"  FILTER EXISTS {by_id}"
        )
    where = "\n".join(filters)
    return f"""SELECT ?r ?token ?method ?route ?params ?status ?started
       (GROUP_CONCAT(STR(?s); separator=" ") AS ?samples) WHERE {{
  GRAPH <{AUDIT_GRAPH}> {{
    ?r a pr:AuditedRequest ; pr:tokenId ?token ; pr:httpMethod ?method ; pr:route ?route ;
       pr:requestParameters ?params ; pr:httpStatus ?status ; prov:startedAtTime ?started .
    OPTIONAL {{ ?r pr:returnedSample ?s }}
  }}
{where}
}}
GROUP BY ?r ?token ?method ?route ?params ?status ?started
ORDER BY ?started ?r"""


def audit_rows(
    kg: KnowledgeGraph,
    *,
    since: datetime | None = None,
    who: str | None = None,
    sample: str | None = None,
) -> list[AuditRow]:
    """The audited requests that match (every one without a filter), oldest first."""
    out = []
    for r in kg.select(audit_query(since=since, who=who, sample=sample)):
        samples = tuple(sorted(str(r["samples"]).split())) if r.get("samples") else ()
        out.append(
            AuditRow(
                request=str(r["r"]),
                token_id=str(r["token"]),
                method=str(r["method"]),
                route=str(r["route"]),
                parameters=str(r["params"]),
                status=int(r["status"]),
                started=r["started"],
                samples=samples,
            )
        )
    return out
