"""The header triples every activity provrag records shares (see the shapes of
:mod:`kg.mapping.monitors`, :mod:`kg.mapping.releases`, :mod:`kg.mapping.tuning`,
:mod:`kg.mapping.evaluation` and :mod:`kg.mapping.answers`)::

    X a pr:<Class>, prov:Activity ; [rdfs:label] ; [prov:startedAtTime] ; [prov:endedAtTime] ;
      prov:wasAssociatedWith <agent/software/provrag>
    <agent/software/provrag> a prov:SoftwareAgent, prov:Agent
"""

from __future__ import annotations

from datetime import datetime

from kg import ids
from kg.mapping import RDFS, A, iri, lit, pr, prov


def activity_triples(
    node: str,
    cls: str | None,
    *,
    label: str | None = None,
    started: datetime | None = None,
    ended: datetime | None = None,
) -> list[str]:
    """N-Triples statements (without the final `` .``) that make ``node`` (an N-Triples
    IRI term, ``<...>``) a ``prov:Activity`` of provrag's: of class ``pr:<cls>`` too
    (None: no class of ours), with its label and start and end times when given."""
    tool = iri(ids.agent_iri("software", "provrag"))
    out = [f"{node} {A} {pr(cls)}"] if cls is not None else []
    out.append(f"{node} {A} {prov('Activity')}")
    if label is not None:
        out.append(f"{node} <{RDFS}label> {lit(label)}")
    if started is not None:
        out.append(f"{node} {prov('startedAtTime')} {lit(started)}")
    if ended is not None:
        out.append(f"{node} {prov('endedAtTime')} {lit(ended)}")
    out += [
        f"{node} {prov('wasAssociatedWith')} {tool}",
        f"{tool} {A} {prov('SoftwareAgent')}",
        f"{tool} {A} {prov('Agent')}",
    ]
    return out
