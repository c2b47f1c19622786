"""Provenance trace: the full lineage of a recorded answer or a sample, as a tree.

``trace(kg, ref)`` resolves ``ref`` (an answer id, an answer IRI, a sample IRI,
a logical sample IRI or a sample's external id in any dataset; see
:mod:`kg.trace_resolve`) and follows the graph (shape: :mod:`kg.mapping`,
:mod:`kg.mapping.answers`)::

    answer --prov:wasGeneratedBy--> ask --prov:wasAssociatedWith--> agent
    answer --prov:wasDerivedFrom--> sample (with the sentences that cite it)
    sample --prov:wasInvalidatedBy--> invalidation (when invalidated)
           --prov:wasRevisionOf--> previous revision (a sample, recursively)
           --prov:wasDerivedFrom--> source revision (a sample, recursively)
           --prov:wasGeneratedBy--> generation --prov:used--> generator config
                                               --prov:wasAssociatedWith--> agent
           --pr:hasLabel--> label --prov:wasGeneratedBy--> annotation --> agent, guideline
           --pr:inDatasetVersion--> dataset version
           --pr:ingestedIn--> ingest batch --prov:used--> source file
                                           --prov:wasAssociatedWith--> agent
           --pr:mentions--> entity (in brief)
           --^prov:wasDerivedFrom--> derived sample (in brief: what was made from it)

``^`` marks an edge followed backwards: a derived sample points to its source
(``prov:wasDerivedFrom``), and the source's trace lists the samples that do,
with their kind, origin and generator configuration. A sample already in the
tree (the one traced, say) is not repeated. A generation ``prov:used`` its
sample's sources too; the trace shows them once, under the sample.

Every node of the tree (:class:`kg.trace_model.TraceNode`) is a node of the
graph (its ``iri``); ``relation`` says how its parent points to it. The graph
reads are :mod:`kg.queries.lineage`; :mod:`kg.provexport` turns the tree into
Turtle, PROV-JSON and PROV-N, and ``provrag.render.trace_tree`` draws it for a terminal.
"""

from __future__ import annotations

import json
from typing import Any

from kg.errors import AmbiguousIdError
from kg.graph import KnowledgeGraph
from kg.mapping import PROV, RDF, RDFS
from kg.queries import lineage
from kg.queries.lineage import Props
from kg.terms import PR, PR_NS
from kg.trace_model import NodeKind, TraceNode, short
from kg.trace_resolve import resolve

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
        for source in _all(p, _p("wasDerivedFrom")):
            if source not in seen:
                out.children.append(self.sample(source, seen, relation="prov:wasDerivedFrom"))
        out.children += [self.generation(g) for g in _all(p, _p("wasGeneratedBy"))]
        out.children += [self.label(lb) for lb in _all(p, str(PR.hasLabel))]
        out.children += versions
        out.children += [self.batch(b) for b in _all(p, str(PR.ingestedIn))]
        out.children += self.entities(node)
        out.children += self.derivatives(node, seen)
        return out

    def derivatives(self, sample: str, seen: set[str]) -> list[TraceNode]:
        """The samples derived from ``sample`` (in brief), but those already in the tree."""
        out = []
        for d in lineage.derived_samples(self.kg, sample):
            if d.iri in seen:
                continue
            made = f"{d.generator} prompt v{d.prompt_version}" if d.prompt_version else d.generator
            name = f"{d.dataset}/{d.external_id}" if d.dataset else str(d.external_id)
            out.append(
                TraceNode(
                    kind="derived_sample",
                    iri=d.iri,
                    label=f"{name} ({', '.join(x for x in (d.kind, made) if x)})",
                    attrs=_drop_empty(
                        {
                            "external_id": d.external_id,
                            "dataset": d.dataset,
                            "kind": d.kind,
                            "origin": d.origin,
                            "text": d.text,
                            "invalidated_at": d.invalidated_at,
                            "generator": d.generator,
                            "model": d.model,
                            "prompt_template": d.prompt_template,
                            "prompt_version": d.prompt_version,
                            "generation": d.generation,
                            "generator_config": d.config,
                        }
                    ),
                    relation="^prov:wasDerivedFrom",
                )
            )
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
        # what else it used are its sample's sources, under the sample already
        configs = [c for c in _all(p, _p("used")) if str(PR.Sample) not in self.types(c)]
        out.children += [self.config(c) for c in configs]
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
