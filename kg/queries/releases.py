"""Releases: the samples one selects, what it recorded, its approvals and the served release.

Shapes in :mod:`kg.mapping.releases`. A release's members are sample *revisions*
(``<R> prov:hadMember ?s``), so :func:`release_member_pattern` is the release's
counterpart of :func:`kg.queries.current.current_sample`: a filter, a derivation map
or an index built for a release composes it instead of the current-sample rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kg import ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.queries.current import current_sample
from kg.queries.versions import version_members_pattern

#: The releases and their state (``docs/sparql.md`` quotes it).
RELEASES_QUERY = """\
# Releases: when each was made, from which dataset, how many sample revisions it holds,
# whether its KPI gates passed at creation and who approved it (if anyone).
SELECT ?release ?name ?dataset ?created ?members ?gates_passed
       (GROUP_CONCAT(DISTINCT ?approver; separator=" | ") AS ?approved_by)
WHERE {
  ?release a pr:Release ;
           pr:releaseName ?name ;
           pr:datasetName ?dataset ;
           prov:generatedAtTime ?created ;
           pr:memberCount ?members ;
           pr:gatesPassed ?gates_passed .
  OPTIONAL {
    ?approval a pr:ReleaseApproval ;
              pr:release ?release ;
              prov:wasAssociatedWith ?person .
    ?person rdfs:label ?approver .
  }
}
GROUP BY ?release ?name ?dataset ?created ?members ?gates_passed
ORDER BY ?created ?name
"""

#: Every promotion and rollback of the served release, newest first (quoted in the docs).
SERVING_HISTORY_QUERY = """\
# Which release was served when: every promotion and rollback, who did it, when and
# why, newest first. The first row's ?name is the release served by default.
SELECT DISTINCT ?change ?kind ?name ?by ?at ?replaced_name ?note
WHERE {
  ?change a ?class ;
          pr:release ?release ;
          prov:wasAssociatedWith ?person ;
          prov:endedAtTime ?at .
  VALUES (?class ?kind) { (pr:ReleasePromotion "promotion") (pr:ReleaseRollback "rollback") }
  ?release pr:releaseName ?name .
  ?person rdfs:label ?by .
  OPTIONAL { ?change pr:replacedRelease ?replaced . ?replaced pr:releaseName ?replaced_name }
  OPTIONAL { ?change pr:note ?note }
}
ORDER BY DESC(?at) DESC(?change)
"""


def release_member_pattern(var: str, release: str) -> str:
    """The pattern binding ``var`` to the sample revisions of the release named ``release``."""
    return f"<{ids.release_iri(release)}> prov:hadMember {var} . {var} a pr:Sample ."


@dataclass(frozen=True, slots=True)
class SelectedSample:
    """A sample revision a release may select: its logical sample and content hash."""

    revision: str
    logical: str
    external_id: str
    content_hash: str


def _selected(kg: KnowledgeGraph, pattern: str) -> list[SelectedSample]:
    rows = kg.select(
        f"SELECT DISTINCT ?s ?l ?ext ?h WHERE {{ {pattern}\n"
        "  ?s prov:specializationOf ?l ; pr:externalId ?ext ; pr:contentHash ?h }"
    )
    return [SelectedSample(r["s"], r["l"], str(r["ext"]), str(r["h"])) for r in rows]


def version_selection(kg: KnowledgeGraph, dataset: str, version: str) -> list[SelectedSample]:
    """The revisions of one dataset version (as :mod:`kg.queries.versions` reads it)."""
    return _selected(kg, version_members_pattern("?s", dataset, version))


def current_selection(kg: KnowledgeGraph, dataset: str) -> list[SelectedSample]:
    """The current revisions of the samples of ``dataset``."""
    return _selected(
        kg,
        f"{current_sample('?s')} ?s pr:inDatasetVersion ?_dv . "
        f"?_dv pr:datasetName {lit(dataset)} .",
    )


def release_exists(kg: KnowledgeGraph, name: str) -> bool:
    return kg.ask(f"ASK {{ <{ids.release_iri(name)}> a pr:Release }}")


@dataclass(frozen=True, slots=True)
class GateResultRow:
    expression: str
    passed: bool
    value: float | None


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    activity: str
    by: str
    at: datetime
    override: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """What the graph says of one release."""

    name: str
    iri: str
    dataset: str
    created: datetime
    member_count: int
    manifest_hash: str
    gates_passed: bool
    versions: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    retriever_settings: dict[str, Any] = field(default_factory=dict)
    index_manifest: dict[str, Any] | None = None
    gates: tuple[GateResultRow, ...] = ()
    approvals: tuple[ApprovalRow, ...] = ()

    @property
    def approved(self) -> bool:
        return bool(self.approvals)


def _json(value: Any) -> Any:
    if value is None or isinstance(value, dict | list):
        return value
    try:
        return json.loads(str(value))
    except ValueError as exc:
        raise QueryError(f"a release holds JSON that does not parse: {value!r}") from exc


def release_names(kg: KnowledgeGraph) -> list[str]:
    """Names of every release, oldest first."""
    rows = kg.select(
        "SELECT DISTINCT ?name ?t WHERE { ?r a pr:Release ; pr:releaseName ?name ; "
        "prov:generatedAtTime ?t } ORDER BY ?t ?name"
    )
    return [str(r["name"]) for r in rows]


def release_row(kg: KnowledgeGraph, name: str) -> ReleaseRow | None:
    """Everything recorded of the release named ``name``; None when there is none."""
    r = f"<{ids.release_iri(name)}>"
    head = kg.select(
        f"SELECT DISTINCT ?ds ?t ?n ?h ?ok ?settings ?manifest WHERE {{ {r} a pr:Release ; "
        "pr:datasetName ?ds ; prov:generatedAtTime ?t ; pr:memberCount ?n ; "
        "pr:contentHash ?h ; pr:gatesPassed ?ok ; pr:retrieverSettings ?settings . "
        f"OPTIONAL {{ {r} pr:indexManifest ?manifest }} }}"
    )
    if not head:
        return None
    h = head[0]
    versions = kg.select(
        f"SELECT DISTINCT ?v WHERE {{ {r} pr:fromDatasetVersion ?dv . "
        "?dv pr:versionLabel ?v } ORDER BY ?v"
    )
    runs = kg.select(
        f"SELECT DISTINCT ?run WHERE {{ {r} pr:releaseEvaluation ?run }} ORDER BY ?run"
    )
    gates = kg.select(
        f"SELECT DISTINCT ?g ?e ?ok ?v WHERE {{ {r} pr:gateResult ?g . ?g pr:gateExpression ?e ; "
        "pr:gatePassed ?ok . OPTIONAL { ?g pr:observedValue ?v } } ORDER BY ?g"
    )
    approvals = kg.select(
        "SELECT DISTINCT ?a ?by ?at ?ovr ?note WHERE { "
        f"?a a pr:ReleaseApproval ; pr:release {r} ; "
        "prov:wasAssociatedWith ?p ; prov:endedAtTime ?at ; pr:overrideGates ?ovr . "
        "?p rdfs:label ?by . OPTIONAL { ?a pr:note ?note } } ORDER BY ?at ?a"
    )
    run_prefix = ids.eval_run_iri("")
    return ReleaseRow(
        name=name,
        iri=ids.release_iri(name),
        dataset=str(h["ds"]),
        created=h["t"],
        member_count=int(h["n"]),
        manifest_hash=str(h["h"]),
        gates_passed=bool(h["ok"]),
        versions=tuple(str(v["v"]) for v in versions),
        run_ids=tuple(ids.unquote_seg(str(x["run"])[len(run_prefix) :]) for x in runs),
        retriever_settings=_json(h["settings"]) or {},
        index_manifest=_json(h.get("manifest")),
        gates=tuple(
            GateResultRow(str(g["e"]), bool(g["ok"]), None if g.get("v") is None else float(g["v"]))
            for g in gates
        ),
        approvals=tuple(
            ApprovalRow(str(a["a"]), str(a["by"]), a["at"], bool(a["ovr"]), a.get("note"))
            for a in approvals
        ),
    )


@dataclass(frozen=True, slots=True)
class ReleaseMember:
    """One sample revision of a release, with what a diff breaks it down by."""

    revision: str
    logical: str
    external_id: str
    content_hash: str
    origin: str | None
    #: ``generator/prompt version`` of a generated sample (None: not generated)
    generator_config: str | None


def release_members(kg: KnowledgeGraph, name: str) -> list[ReleaseMember]:
    """The sample revisions of the release named ``name``, by external id."""
    rows = kg.select(
        "SELECT DISTINCT ?s ?l ?ext ?h ?origin ?gen ?pv WHERE { "
        f"{release_member_pattern('?s', name)}\n"
        "  ?s prov:specializationOf ?l ; pr:externalId ?ext ; pr:contentHash ?h .\n"
        "  OPTIONAL { ?s pr:origin ?origin }\n"
        "  OPTIONAL { ?s prov:wasGeneratedBy ?g . ?g a pr:Generation ; prov:used ?c .\n"
        "    ?c pr:generatorName ?gen . OPTIONAL { ?c pr:promptVersion ?pv } } }"
    )
    out: dict[str, ReleaseMember] = {}
    for r in rows:
        config = None
        if r.get("gen") is not None:
            config = f"{r['gen']}/{r['pv']}" if r.get("pv") is not None else str(r["gen"])
        old = out.get(r["s"])
        if old is not None and (old.generator_config or "") <= (config or ""):
            continue
        out[r["s"]] = ReleaseMember(
            r["s"], r["l"], str(r["ext"]), str(r["h"]),
            None if r.get("origin") is None else str(r["origin"]), config,
        )  # fmt: skip
    return sorted(out.values(), key=lambda m: (m.external_id, m.revision))


@dataclass(frozen=True, slots=True)
class ServingChange:
    """A promotion or rollback: which release it served, who, when, why."""

    activity: str
    kind: str
    release: str
    by: str
    at: datetime
    replaced: str | None
    note: str | None


def serving_history(kg: KnowledgeGraph) -> list[ServingChange]:
    """Every promotion and rollback, oldest first (:data:`SERVING_HISTORY_QUERY`)."""
    rows = kg.select(SERVING_HISTORY_QUERY)
    out = [
        ServingChange(
            str(r["change"]),
            str(r["kind"]),
            str(r["name"]),
            str(r["by"]),
            r["at"],
            None if r.get("replaced_name") is None else str(r["replaced_name"]),
            None if r.get("note") is None else str(r["note"]),
        )  # fmt: skip
        for r in rows
    ]
    out.reverse()
    return out


def release_revisions_of(
    kg: KnowledgeGraph, release: str, external_id: str, dataset: str | None = None
) -> list[str]:
    """The revisions in the release named ``release`` with external id ``external_id``
    (of ``dataset`` when given), by IRI."""
    in_dataset = (
        f"?s pr:inDatasetVersion ?_dv . ?_dv pr:datasetName {lit(dataset)} ."
        if dataset is not None
        else ""
    )
    rows = kg.select(
        f"SELECT DISTINCT ?s WHERE {{ {release_member_pattern('?s', release)}\n"
        f"  ?s pr:externalId {lit(external_id)} . {in_dataset} }} ORDER BY ?s"
    )
    return [str(r["s"]) for r in rows]


def served_stack(history: list[ServingChange]) -> list[str]:
    """The releases served one after the other, the one served now last: a promotion
    pushes its release, a rollback pops back to the release it serves."""
    stack: list[str] = []
    for change in history:
        if change.kind == "rollback":
            while stack and stack[-1] != change.release:
                stack.pop()
            if not stack:
                stack.append(change.release)
        else:
            stack.append(change.release)
    return stack


def served_release(kg: KnowledgeGraph) -> str | None:
    """The release promoted (or rolled back to) last; None when none ever was."""
    stack = served_stack(serving_history(kg))
    return stack[-1] if stack else None
