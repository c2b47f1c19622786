"""Triples of a release, its approvals and the changes of the served release.

Shape of a release ``R`` (written once, to its own named graph ``prid:release/<name>``,
which is also its IRI; its members to the graph ``<R>/members``), the activity ``C``
that created it and its gate results ``G``::

    R a pr:Release, prov:Collection, prov:Entity ; rdfs:label name ; pr:releaseName name ;
      pr:contentHash (manifest hash) ; pr:memberCount n ; prov:hadMember S ... ;
      pr:datasetName ; pr:fromDatasetVersion DV ... ; pr:retrieverSettings (rdf:JSON) ;
      [pr:indexManifest (rdf:JSON)] ; pr:releaseEvaluation RUN ... ; pr:gateResult G ... ;
      pr:gatesPassed ; prov:generatedAtTime ; prov:wasGeneratedBy C
    C a pr:ReleaseCreation, prov:Activity ; prov:used DV ... ; prov:endedAtTime ;
      prov:wasAssociatedWith <agent/software/provrag>
    G a pr:GateResult, prov:Entity ; pr:gateExpression ; [pr:observedValue] ; pr:gatePassed ;
      [prov:wasDerivedFrom RUN]

An approval ``A`` (``<R>/approval/<id>``, its own graph) and a promotion or rollback
``P`` (``prid:serving/<id>``, its own graph)::

    A a pr:ReleaseApproval, prov:Activity ; pr:release R ; prov:used R ;
      prov:wasAssociatedWith Person ; prov:endedAtTime ; pr:overrideGates ; [pr:note]
    P a pr:ReleasePromotion | pr:ReleaseRollback, prov:Activity ; pr:release R ; prov:used R ;
      prov:wasAssociatedWith Person ; prov:endedAtTime ; [pr:replacedRelease R0] ; [pr:note]
    Person a prov:Person, prov:Agent ; rdfs:label name

The members are sample *revisions*: a release keeps serving them after they are revised
or deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from kg import ids
from kg.mapping import RDFS, A, iri, json_lit, lit, pr, prov
from kg.mapping.activity import activity_triples

#: what a change of the served release did
ServingChangeKind = Literal["promotion", "rollback"]


@dataclass(frozen=True)
class GateResultIn:
    """One KPI gate checked at creation."""

    expression: str
    passed: bool
    value: float | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class ReleaseIn:
    """What the graph records of a release."""

    name: str
    created: datetime
    manifest_hash: str
    member_count: int
    dataset: str
    versions: Sequence[str] = ()
    retriever_settings: Mapping[str, Any] = field(default_factory=dict)
    index_manifest: Mapping[str, Any] | None = None
    run_ids: Sequence[str] = ()
    gates: Sequence[GateResultIn] = ()


def _person(name: str) -> tuple[str, list[str]]:
    p = iri(ids.agent_iri("person", name))
    return p, [
        f"{p} {A} {prov('Person')}",
        f"{p} {A} {prov('Agent')}",
        f"{p} <{RDFS}label> {lit(name)}",
    ]


def release_triples(release: ReleaseIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of ``release``, its members left
    out (:func:`release_member_triples`)."""
    r = iri(ids.release_iri(release.name))
    c = iri(ids.release_iri(release.name) + "/creation")
    passed = all(g.passed for g in release.gates)
    out = [
        f"{r} {A} {pr('Release')}",
        f"{r} {A} {prov('Collection')}",
        f"{r} {A} {prov('Entity')}",
        f"{r} <{RDFS}label> {lit('release ' + release.name)}",
        f"{r} {pr('releaseName')} {lit(release.name)}",
        f"{r} {pr('contentHash')} {lit(release.manifest_hash)}",
        f"{r} {pr('memberCount')} {lit(int(release.member_count))}",
        f"{r} {pr('datasetName')} {lit(release.dataset)}",
        f"{r} {pr('retrieverSettings')} {json_lit(dict(release.retriever_settings))}",
        f"{r} {pr('gatesPassed')} {lit(passed)}",
        f"{r} {prov('generatedAtTime')} {lit(release.created)}",
        f"{r} {prov('wasGeneratedBy')} {c}",
        *activity_triples(c, "ReleaseCreation", ended=release.created),
    ]
    if release.index_manifest is not None:
        out.append(f"{r} {pr('indexManifest')} {json_lit(dict(release.index_manifest))}")
    for version in release.versions:
        dv = iri(ids.dataset_version_iri(release.dataset, version))
        out += [f"{r} {pr('fromDatasetVersion')} {dv}", f"{c} {prov('used')} {dv}"]
    for run_id in release.run_ids:
        out.append(f"{r} {pr('releaseEvaluation')} {iri(ids.eval_run_iri(run_id))}")
    for n, gate in enumerate(release.gates):
        g = iri(f"{ids.release_iri(release.name)}/gate/{n}")
        out += [
            f"{r} {pr('gateResult')} {g}",
            f"{g} {A} {pr('GateResult')}",
            f"{g} {A} {prov('Entity')}",
            f"{g} {pr('gateExpression')} {lit(gate.expression)}",
            f"{g} {pr('gatePassed')} {lit(gate.passed)}",
        ]
        if gate.value is not None:
            out.append(f"{g} {pr('observedValue')} {lit(float(gate.value))}")
        if gate.run_id is not None:
            out.append(f"{g} {prov('wasDerivedFrom')} {iri(ids.eval_run_iri(gate.run_id))}")
    return out


def release_member_triples(name: str, members: Sequence[str]) -> list[str]:
    """``<R> prov:hadMember <revision>`` for each of ``members`` (written to ``<R>/members``)."""
    r = iri(ids.release_iri(name))
    return [f"{r} {prov('hadMember')} {iri(m)}" for m in members]


def approval_triples(
    activity: str, release: str, by: str, at: datetime, *, override: bool, note: str | None
) -> list[str]:
    """Statements of an approval ``activity`` of the release named ``release``."""
    a, r = iri(activity), iri(ids.release_iri(release))
    person, agent = _person(by)
    out = [
        f"{a} {A} {pr('ReleaseApproval')}",
        f"{a} {A} {prov('Activity')}",
        f"{a} {pr('release')} {r}",
        f"{a} {prov('used')} {r}",
        f"{a} {prov('wasAssociatedWith')} {person}",
        f"{a} {prov('endedAtTime')} {lit(at)}",
        f"{a} {pr('overrideGates')} {lit(override)}",
        *agent,
    ]
    if note:
        out.append(f"{a} {pr('note')} {lit(note)}")
    return out


def serving_change_triples(
    activity: str,
    kind: ServingChangeKind,
    release: str,
    by: str,
    at: datetime,
    *,
    replaced: str | None,
    note: str | None,
) -> list[str]:
    """Statements of a promotion or rollback ``activity`` that serves ``release``."""
    a, r = iri(activity), iri(ids.release_iri(release))
    person, agent = _person(by)
    cls = "ReleasePromotion" if kind == "promotion" else "ReleaseRollback"
    out = [
        f"{a} {A} {pr(cls)}",
        f"{a} {A} {prov('Activity')}",
        f"{a} {pr('release')} {r}",
        f"{a} {prov('used')} {r}",
        f"{a} {prov('wasAssociatedWith')} {person}",
        f"{a} {prov('endedAtTime')} {lit(at)}",
        *agent,
    ]
    if replaced is not None:
        out.append(f"{a} {pr('replacedRelease')} {iri(ids.release_iri(replaced))}")
    if note:
        out.append(f"{a} {pr('note')} {lit(note)}")
    return out
