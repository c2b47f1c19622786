"""Provenance trace: the full lineage of a recorded answer or a sample, as a tree.

``trace(kg, ref)`` resolves ``ref`` (an answer id, an answer IRI, a sample IRI,
a logical sample IRI or a sample's external id in any dataset) and follows the
graph (shape: :mod:`kg.mapping`, :mod:`kg.mapping.answers`)::

    answer --prov:wasGeneratedBy--> ask --prov:wasAssociatedWith--> agent
    answer --prov:wasDerivedFrom--> sample (with the sentences that cite it)
    sample --prov:wasInvalidatedBy--> invalidation (when invalidated)
           --prov:wasRevisionOf--> previous revision (a sample, recursively)
           --prov:wasGeneratedBy--> generation --prov:used--> generator config
                                               --prov:wasAssociatedWith--> agent
           --pr:hasLabel--> label --prov:wasGeneratedBy--> annotation --> agent, guideline
           --pr:inDatasetVersion--> dataset version
           --pr:ingestedIn--> ingest batch --prov:used--> source file
                                           --prov:wasAssociatedWith--> agent
           --pr:mentions--> entity (in brief)

Every node of the tree (:class:`kg.trace_model.TraceNode`) is a node of the
graph (its ``iri``); ``relation`` says how its parent points to it. The graph
reads are :mod:`kg.queries.lineage`; :mod:`kg.provexport` turns the tree into
Turtle, PROV-JSON and PROV-N, and ``provrag.trace_render`` draws it for a terminal.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from kg import ids
from kg.errors import AmbiguousIdError, NotFoundError
from kg.graph import KnowledgeGraph
from kg.mapping import PROV, RDF, RDFS
from kg.queries import lineage
from kg.queries.lineage import Props
from kg.terms import ID_NS, PR, PR_NS
from kg.trace_model import NodeKind, TraceNode, short

__all__ = [
    "AmbiguousIdError",
    "NodeKind",
    "TraceNode",
    "resolve",
    "short",
    "trace",
]

_TYPE = f"{RDF}type"
_LABEL = f"{RDFS}label"


def _p(term: str) -> str:
    return f"{PROV}{term}"


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _tail(node: str) -> str:
    return node.rstrip("/").rsplit("/", 1)[-1]


def _one(props: Props, predicate: str) -> Any:
    values = props.get(predicate) or []
    return values[0] if values else None


def _all(props: Props, predicate: str) -> list[Any]:
    return sorted(props.get(predicate) or [], key=str)


def _drop_empty(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if v is not None and v != [] and v != {}}


# ----------------------------------------------------------------------- resolve


def _expand(ref: str) -> str:
    ref = ref.strip()
    if ref.startswith("<") and ref.endswith(">"):
        ref = ref[1:-1]
    if ref.startswith("prid:"):
        return ID_NS + ref[len("prid:") :]
    return ref


def _is_iri(ref: str) -> bool:
    return "://" in ref or ref.startswith("urn:")


def resolve(kg: KnowledgeGraph, ref: str, *, dataset: str | None = None) -> tuple[str, str]:
    """``("answer" | "sample", IRI)`` for an answer id/IRI or a sample IRI/external id.

    A logical sample IRI or an external id resolves to the current revision (or,
    when every revision is invalidated, to the one invalidated last). Raises
    :class:`NotFoundError` when nothing matches and :class:`AmbiguousIdError`
    when an external id names samples in several datasets (pass ``dataset``).
    """
    value = _expand(ref)
    if not value:
        raise NotFoundError("the id to trace is empty; give an answer id, a sample id or an IRI")
    if _is_iri(value):
        if lineage.is_answer(kg, value):
            return "answer", value
        if lineage.is_sample(kg, value):
            return "sample", value
        revision = lineage.revision_to_trace(kg, value)
        if revision is not None:
            return "sample", revision
        raise NotFoundError(
            f"no answer or sample has the IRI <{value}>; check it with "
            "`provrag sparql` or trace by answer id or external id"
        )

    answer = ids.answer_iri(value)
    has_answer = dataset is None and lineage.is_answer(kg, answer)
    logicals: dict[str, set[str]] = defaultdict(set)
    for match in lineage.samples_with_external_id(kg, value):
        logicals[match.logical].add(match.dataset if match.dataset is not None else "?")
    if dataset is not None:
        logicals = defaultdict(set, {k: v for k, v in logicals.items() if dataset in v})
    candidates = [
        {"kind": "sample", "iri": lg, "dataset": ", ".join(sorted(ds))}
        for lg, ds in sorted(logicals.items())
    ]
    if has_answer:
        candidates.insert(0, {"kind": "answer", "iri": answer, "dataset": ""})
    if not candidates:
        where = f" in dataset {dataset!r}" if dataset else ""
        raise NotFoundError(
            f"no recorded answer and no sample{where} has the id {value!r}; "
            "check the id (answers: `provrag ask --record` prints it) or pass an IRI"
        )
    if len(candidates) > 1:
        listing = "; ".join(
            f"{c['kind']} {short(c['iri'])}"
            + (f" (dataset {c['dataset']})" if c["dataset"] else "")
            for c in candidates
        )
        raise AmbiguousIdError(
            f"the id {value!r} names {len(candidates)} things: {listing}; "
            "pass one of these IRIs instead, or the dataset",
            candidates,
        )
    only = candidates[0]
    if only["kind"] == "answer":
        return "answer", only["iri"]
    revision = lineage.revision_to_trace(kg, only["iri"])
    if revision is None:  # pragma: no cover - the row above proved one exists
        raise NotFoundError(f"sample {value!r} has no revision in the graph")
    return "sample", revision


# ------------------------------------------------------------------------- build


class _Tracer:
    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._props: dict[str, Props] = {}

    def props(self, node: str) -> Props:
        cached = self._props.get(node)
        if cached is None:
            cached = self._props[node] = lineage.node_properties(self.kg, node)
        return cached

    def types(self, node: str) -> set[str]:
        return {str(t) for t in self.props(node).get(_TYPE, [])}

    # -- answers -------------------------------------------------------------
    def answer(self, node: str) -> TraceNode:
        p = self.props(node)
        cites = [
            _drop_empty(
                {
                    "position": c.position,
                    "sentence": c.sentence,
                    "sample": c.sample,
                    "score": c.score,
                    "iri": c.iri,
                }
            )
            for c in lineage.citations_of(self.kg, node)
        ]
        query = _one(p, str(PR.queryText))
        out = TraceNode(
            kind="answer",
            iri=node,
            label=f"{_tail(node)}: {query!r}",
            attrs=_drop_empty(
                {
                    "answer_id": _tail(node),
                    "query": query,
                    "answer": _one(p, str(PR.answerText)),
                    "created": _one(p, _p("generatedAtTime")),
                    "settings": _json_value(_one(p, str(PR.querySettings))),
                    "citations": cites,
                }
            ),
        )
        for ask in _all(p, _p("wasGeneratedBy")):
            out.children.append(self.ask(ask))
        order = list(dict.fromkeys([c["sample"] for c in cites] + _all(p, _p("wasDerivedFrom"))))
        for sample in order:
            child = self.sample(sample, set(), relation="prov:wasDerivedFrom")
            cited = [
                {k: c[k] for k in ("position", "sentence", "score") if k in c}
                for c in cites
                if c["sample"] == sample
            ]
            if cited:
                child.attrs = {"cited_by": cited, **child.attrs}
            out.children.append(child)
        return out

    def ask(self, node: str) -> TraceNode:
        p = self.props(node)
        generator = _one(p, str(PR.generatorName))
        out = TraceNode(
            kind="ask",
            iri=node,
            label=f"ask ({generator})" if generator else "ask",
            attrs=_drop_empty(
                {
                    "generator": generator,
                    "model": _one(p, str(PR.modelName)),
                    "ended": _one(p, _p("endedAtTime")),
                }
            ),
            relation="prov:wasGeneratedBy",
        )
        out.children += [self.agent(a) for a in _all(p, _p("wasAssociatedWith"))]
        return out

    # -- samples -------------------------------------------------------------
    def sample(self, node: str, seen: set[str], relation: str | None = None) -> TraceNode:
        seen.add(node)
        p = self.props(node)
        external = _one(p, str(PR.externalId))
        versions = [self.dataset_version(dv) for dv in _all(p, str(PR.inDatasetVersion))]
        dataset = versions[0].attrs.get("dataset") if versions else None
        newer = lineage.newer_revisions(self.kg, node)
        invalidated = _one(p, _p("invalidatedAtTime"))
        out = TraceNode(
            kind="sample",
            iri=node,
            label=f"{dataset}/{external}" if dataset else str(external or _tail(node)),
            attrs=_drop_empty(
                {
                    "external_id": external,
                    "dataset": dataset,
                    "versions": [v.attrs.get("version") for v in versions],
                    "origin": _one(p, str(PR.origin)),
                    "kind": _one(p, str(PR.kind)),
                    "sensitivity": _one(p, str(PR.sensitivity)),
                    "text": _one(p, str(PR.text)),
                    "content_hash": _one(p, str(PR.contentHash)),
                    "logical_sample": _one(p, _p("specializationOf")),
                    "metadata": _json_value(_one(p, str(PR.metadata))),
                    "invalidated_at": invalidated,
                    "superseded_by": newer,
                }
            ),
            relation=relation,
        )
        for act in _all(p, _p("wasInvalidatedBy")):
            out.children.append(self.invalidation(act, invalidated))
        for previous in _all(p, _p("wasRevisionOf")):
            if previous not in seen:
                out.children.append(self.sample(previous, seen, relation="prov:wasRevisionOf"))
        out.children += [self.generation(g) for g in _all(p, _p("wasGeneratedBy"))]
        out.children += [self.label(lb) for lb in _all(p, str(PR.hasLabel))]
        out.children += versions
        out.children += [self.batch(b) for b in _all(p, str(PR.ingestedIn))]
        out.children += self.entities(node)
        return out

    def invalidation(self, node: str, at: Any) -> TraceNode:
        p = self.props(node)
        kinds = sorted(_tail(t).rsplit("#", 1)[-1] for t in self.types(node) if t.startswith(PR_NS))
        return TraceNode(
            kind="invalidation",
            iri=node,
            label=f"invalidated by {kinds[0] if kinds else 'activity'} {short(node)}",
            attrs=_drop_empty({"at": at, "activity": kinds, "reason": _one(p, str(PR.reason))}),
            relation="prov:wasInvalidatedBy",
        )

    def generation(self, node: str) -> TraceNode:
        p = self.props(node)
        out = TraceNode(
            kind="generation",
            iri=node,
            label="generation",
            attrs=_drop_empty({"seed": _one(p, str(PR.seed)), "ended": _one(p, _p("endedAtTime"))}),
            relation="prov:wasGeneratedBy",
        )
        out.children += [self.config(c) for c in _all(p, _p("used"))]
        out.children += [self.agent(a) for a in _all(p, _p("wasAssociatedWith"))]
        return out

    def config(self, node: str) -> TraceNode:
        p = self.props(node)
        generator = _one(p, str(PR.generatorName))
        version = _one(p, str(PR.promptVersion))
        return TraceNode(
            kind="generator_config",
            iri=node,
            label=f"{generator} prompt v{version}" if version else str(generator),
            attrs=_drop_empty(
                {
                    "generator": generator,
                    "model": _one(p, str(PR.modelName)),
                    "prompt_template": _one(p, str(PR.promptTemplate)),
                    "prompt_version": version,
                    "seed": _one(p, str(PR.seed)),
                    "params": _json_value(_one(p, str(PR.params))),
                }
            ),
            relation="prov:used",
        )

    def agent(self, node: str) -> TraceNode:
        p = self.props(node)
        types = self.types(node)
        kind = "person" if _p("Person") in types else "software"
        names = _all(p, _LABEL)
        name = names[0] if names else _tail(node)
        return TraceNode(
            kind="agent",
            iri=node,
            label=f"{name} ({kind})",
            attrs={"name": name, "agent_kind": kind},
            relation="prov:wasAssociatedWith",
        )

    def label(self, node: str) -> TraceNode:
        p = self.props(node)
        fld = _one(p, str(PR.labelField))
        value = _one(p, str(PR.labelValue))
        out = TraceNode(
            kind="label",
            iri=node,
            label=f"{fld}={value}",
            attrs=_drop_empty(
                {"field": fld, "value": value, "confidence": _one(p, str(PR.confidence))}
            ),
            relation="pr:hasLabel",
        )
        out.children += [self.annotation(a) for a in _all(p, _p("wasGeneratedBy"))]
        attributed = {a.iri for n in out.children for a in n.children if a.kind == "agent"}
        for agent in _all(p, _p("wasAttributedTo")):
            if agent not in attributed:
                extra = self.agent(agent)
                extra.relation = "prov:wasAttributedTo"
                out.children.append(extra)
        return out

    def annotation(self, node: str) -> TraceNode:
        p = self.props(node)
        agents = [self.agent(a) for a in _all(p, _p("wasAssociatedWith"))]
        guidelines = [self.guideline(g) for g in _all(p, str(PR.guideline))]
        return TraceNode(
            kind="annotation",
            iri=node,
            label="annotation by " + ", ".join(a.attrs["name"] for a in agents),
            attrs=_drop_empty(
                {
                    "annotators": [a.attrs["name"] for a in agents],
                    "annotator_kind": _one(p, str(PR.annotatorKind)),
                    "guideline_versions": [g.attrs.get("version") for g in guidelines],
                    "ended": _one(p, _p("endedAtTime")),
                }
            ),
            children=[*agents, *guidelines],
            relation="prov:wasGeneratedBy",
        )

    def guideline(self, node: str) -> TraceNode:
        p = self.props(node)
        name = _one(p, _LABEL)
        version = _one(p, str(PR.guidelineVersion))
        return TraceNode(
            kind="guideline",
            iri=node,
            label=f"{name} v{version}",
            attrs=_drop_empty({"name": name, "version": version}),
            relation="pr:guideline",
        )

    def dataset_version(self, node: str) -> TraceNode:
        p = self.props(node)
        name = _one(p, str(PR.datasetName))
        version = _one(p, str(PR.versionLabel)) or _one(p, "http://www.w3.org/ns/dcat#version")
        return TraceNode(
            kind="dataset_version",
            iri=node,
            label=f"{name} v{version}",
            attrs=_drop_empty(
                {
                    "dataset": name,
                    "version": version,
                    "dataset_iri": _one(p, "http://purl.org/dc/terms/isVersionOf"),
                }
            ),
            relation="pr:inDatasetVersion",
        )

    def batch(self, node: str) -> TraceNode:
        p = self.props(node)
        counts = {
            term: _one(p, f"{PR_NS}{term}")
            for term in ("recordsRead", "recordsNew", "recordsRevised", "recordsQuarantined")
        }
        out = TraceNode(
            kind="ingest_batch",
            iri=node,
            label=_tail(node),
            attrs=_drop_empty(
                {
                    "started": _one(p, _p("startedAtTime")),
                    "ended": _one(p, _p("endedAtTime")),
                    "provrag_version": _one(p, str(PR.provragVersion)),
                    **{k: v for k, v in counts.items() if v is not None},
                }
            ),
            relation="pr:ingestedIn",
        )
        out.children += [self.source_file(f) for f in _all(p, _p("used"))]
        out.children += [self.agent(a) for a in _all(p, _p("wasAssociatedWith"))]
        return out

    def source_file(self, node: str) -> TraceNode:
        p = self.props(node)
        path = _one(p, str(PR.filePath))
        return TraceNode(
            kind="source_file",
            iri=node,
            label=str(path or _tail(node)),
            attrs=_drop_empty(
                {"path": path, "sha256": _one(p, str(PR.sha256)), "size": _one(p, str(PR.byteSize))}
            ),
            relation="prov:used",
        )

    def entities(self, sample: str) -> list[TraceNode]:
        return [
            TraceNode(
                kind="entity",
                iri=e.iri,
                label=f"{e.name or _tail(e.iri)}"
                + (f" ({e.entity_type})" if e.entity_type else ""),
                attrs=_drop_empty(
                    {
                        "name": e.name,
                        "type": e.entity_type,
                        "mentions": e.mentions,
                        "texts": list(e.texts),
                    }
                ),
                relation="pr:mentions",
            )
            for e in lineage.mentioned_entities(self.kg, sample)
        ]


def trace(kg: KnowledgeGraph, id_or_iri: str, *, dataset: str | None = None) -> TraceNode:
    """The lineage tree of an answer or a sample (see the module docstring)."""
    kind, node = resolve(kg, id_or_iri, dataset=dataset)
    tracer = _Tracer(kg)
    return tracer.answer(node) if kind == "answer" else tracer.sample(node, set())
