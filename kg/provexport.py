"""Lineage trees (:mod:`kg.provenance`) as Turtle, PROV-JSON and PROV-N.

- :func:`lineage_turtle`: the graph's own triples about every node of the tree
  (and the answer's citations), as Turtle with provrag's prefixes.
- :func:`to_prov_document`: a W3C PROV document built with the ``prov`` package
  (imported lazily), with our namespaces ``pr`` (terms) and ``prid`` (ids).

PROV relations written (the tree's edges, typed)::

    answer  wasGeneratedBy ask ; wasDerivedFrom sample ; ask used sample
    sample  wasRevisionOf previous ; specializationOf logical sample ;
            wasDerivedFrom source (activity: its generation, when synthetic) ;
            wasGeneratedBy generation (synthetic) or ingest batch (real) ;
            wasInfluencedBy ingest batch (synthetic) ; wasInvalidatedBy activity
    generation used config, the sample's sources ; wasAssociatedWith agent (plan: config)
    derived sample wasDerivedFrom sample ; wasGeneratedBy its generation, which
            used the sample and its config
    label   wasGeneratedBy annotation ; wasAttributedTo annotator
    annotation used sample, guideline ; wasAssociatedWith annotator (plan: guideline)
    dataset version hadMember sample ; specializationOf dataset
    ingest batch used source file ; wasAssociatedWith provrag
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import ProvExportError
from kg.graph import KnowledgeGraph
from kg.provenance import TraceNode
from kg.terms import ID_NS, PR, PR_NS, PREFIXES

if TYPE_CHECKING:
    from prov.model import ProvDocument, QualifiedName

_CHUNK = 200


# ------------------------------------------------------------------------ turtle


def lineage_iris(node: TraceNode) -> list[str]:
    """Every graph node of the tree, and the citations of answers, each once."""
    out: dict[str, None] = {}
    for n in node.walk():
        out[n.iri] = None
        for cite in n.attrs.get("citations", []) if n.kind == "answer" else []:
            if "iri" in cite:
                out[cite["iri"]] = None
    return list(out)


def lineage_triples(kg: KnowledgeGraph, node: TraceNode) -> list[ox.Triple]:
    """The triples whose subject is a node of the lineage, sorted, without duplicates.

    The registry's bookkeeping (``pr:batchStatus`` of activity graphs) is left out.
    """
    found: set[ox.Triple] = set()
    subjects = lineage_iris(node)
    for start in range(0, len(subjects), _CHUNK):
        values = " ".join(f"<{s}>" for s in subjects[start : start + _CHUNK])
        result = kg.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o "
            f"FILTER (?p != <{PR.batchStatus}>) }}"
        )
        if isinstance(result, list):
            found.update(result)
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def lineage_turtle(kg: KnowledgeGraph, node: TraceNode) -> str:
    """Turtle (with provrag's prefixes) of exactly the lineage's own triples."""
    # ids stay full IRIs: as ``prid:`` names every ``/`` in them would be escaped
    prefixes = {k: v for k, v in PREFIXES.items() if k != "prid"}
    data = ox.serialize(lineage_triples(kg, node), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return (data or b"").decode("utf-8")


# -------------------------------------------------------------------------- PROV


def _value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


class _ProvBuilder:
    def __init__(self) -> None:
        from prov.constants import PROV, PROV_LABEL, PROV_TYPE
        from prov.model import ProvDocument

        self.doc = ProvDocument()
        self.pr = self.doc.add_namespace("pr", PR_NS)
        self.prid = self.doc.add_namespace("prid", ID_NS)
        self.PROV = PROV
        self.TYPE = PROV_TYPE
        self.LABEL = PROV_LABEL
        self._other: dict[str, str] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._relations: list[tuple[str, tuple[Any, ...]]] = []
        self._seen_relations: set[tuple[str, ...]] = set()

    # -- names and attributes ------------------------------------------------
    def qn(self, iri: str) -> QualifiedName:
        if iri.startswith(ID_NS) and len(iri) > len(ID_NS):
            return self.prid[iri[len(ID_NS) :]]
        if iri.startswith(PR_NS) and len(iri) > len(PR_NS):
            return self.pr[iri[len(PR_NS) :]]
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        base, local = iri[:cut], iri[cut:]
        if base not in self._other:
            self._other[base] = f"ns{len(self._other) + 1}"
        return self.doc.add_namespace(self._other[base], base)[local]

    def attrs(self, types: Sequence[str], values: dict[str, Any]) -> list[tuple[Any, Any]]:
        """``prov:type`` pairs (``prov:X`` or ``pr:X``) and ``pr:`` attributes, Nones dropped."""
        out: list[tuple[Any, Any]] = []
        for t in types:
            prefix, local = t.split(":", 1)
            out.append((self.TYPE, self.PROV[local] if prefix == "prov" else self.pr[local]))
        for key, value in values.items():
            if value is None or value == [] or value == {}:
                continue
            name = self.LABEL if key == "prov:label" else self.pr[key]
            out.append((name, _value(value)))
        return out

    def relation(self, name: str, *args: Any) -> None:
        """Queue the relation ``doc.<name>(*args)`` (each distinct one once)."""
        key = (name, *(str(a) for a in args))
        if key not in self._seen_relations:
            self._seen_relations.add(key)
            self._relations.append((name, args))

    def _declare(
        self,
        kind: str,
        iri: str,
        types: Sequence[str],
        values: dict[str, Any],
        extra: Sequence[tuple[Any, Any]] = (),
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> QualifiedName:
        """Declare a record; a node reached twice merges what each path knew of it."""
        rec = self._records.setdefault(
            iri,
            {"kind": kind, "types": [], "values": {}, "extra": [], "start": None, "end": None},
        )
        rec["types"] += [t for t in types if t not in rec["types"]]
        for key, value in values.items():
            if value is not None and rec["values"].get(key) is None:
                rec["values"][key] = value
        rec["extra"] += [e for e in extra if e not in rec["extra"]]
        rec["start"] = rec["start"] or start
        rec["end"] = rec["end"] or end
        return self.qn(iri)

    def entity(
        self,
        iri: str,
        types: Sequence[str],
        values: dict[str, Any],
        extra: Sequence[tuple[Any, Any]] = (),
    ) -> QualifiedName:
        return self._declare("entity", iri, types, values, extra)

    def activity(
        self,
        iri: str,
        types: Sequence[str],
        values: dict[str, Any],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> QualifiedName:
        return self._declare("activity", iri, types, values, start=start, end=end)

    def agent(self, node: TraceNode) -> QualifiedName:
        kind = "prov:Person" if node.attrs.get("agent_kind") == "person" else "prov:SoftwareAgent"
        return self._declare("agent", node.iri, [kind], {"prov:label": node.attrs.get("name")})

    def finish(self) -> ProvDocument:
        """Write the records, then the relations, into the document."""
        for iri, rec in self._records.items():
            attributes = [*self.attrs(rec["types"], rec["values"]), *rec["extra"]]
            if rec["kind"] == "activity":
                self.doc.activity(self.qn(iri), rec["start"], rec["end"], attributes)
            elif rec["kind"] == "agent":
                self.doc.agent(self.qn(iri), attributes)
            else:
                self.doc.entity(self.qn(iri), attributes)
        for name, args in self._relations:
            getattr(self.doc, name)(*args)
        return self.doc

    def associate(self, activity: QualifiedName, node: TraceNode, plan: Any = None) -> None:
        for child in node.children:
            if child.kind == "agent" and child.relation == "prov:wasAssociatedWith":
                self.relation("wasAssociatedWith", activity, self.agent(child), plan)

    # -- the tree ------------------------------------------------------------
    def answer(self, node: TraceNode) -> None:
        a = node.attrs
        answer = self.entity(
            node.iri,
            ["pr:Answer"],
            {
                "answerId": a.get("answer_id"),
                "queryText": a.get("query"),
                "answerText": a.get("answer"),
                "querySettings": a.get("settings"),
            },
        )
        ask: QualifiedName | None = None
        for child in node.children:
            if child.kind == "ask":
                c = child.attrs
                ask = self.activity(
                    child.iri,
                    [],
                    {
                        "generatorName": c.get("generator"),
                        "modelName": c.get("model"),
                        "prov:label": "ask",
                    },
                    end=c.get("ended"),
                )
                self.relation("wasGeneratedBy", answer, ask, a.get("created"))
                self.associate(ask, child)
        for child in node.children:
            if child.kind == "sample":
                sample = self.sample(child)
                self.relation("wasDerivedFrom", answer, sample, ask)
                if ask is not None:
                    self.relation("used", ask, sample)

    def sample(self, node: TraceNode) -> QualifiedName:
        a = node.attrs
        # entity mentions are not provenance: attributes of the sample
        mentions = [
            (self.pr["mentions"], self.qn(c.iri)) for c in node.children if c.kind == "entity"
        ]
        s = self.entity(
            node.iri,
            ["pr:Sample"],
            {
                "externalId": a.get("external_id"),
                "datasetName": a.get("dataset"),
                "origin": a.get("origin"),
                "kind": a.get("kind"),
                "sensitivity": a.get("sensitivity"),
                "contentHash": a.get("content_hash"),
                "text": a.get("text"),
                "metadata": a.get("metadata"),
            },
            mentions,
        )
        if a.get("logical_sample"):
            logical = self.entity(a["logical_sample"], [], {})
            self.relation("specializationOf", s, logical)
        generations = [self.qn(c.iri) for c in node.children if c.kind == "generation"]
        generated = bool(generations)
        made_by = generations[0] if generations else None
        if a.get("invalidated_at") and not any(c.kind == "invalidation" for c in node.children):
            self.relation("wasInvalidatedBy", s, None, a["invalidated_at"])
        for child in node.children:
            if child.kind == "sample" and child.relation == "prov:wasDerivedFrom":
                source = self.sample(child)
                self.relation("wasDerivedFrom", s, source, made_by)
                if made_by is not None:
                    self.relation("used", made_by, source)
            elif child.kind == "sample":
                self.relation("wasRevisionOf", s, self.sample(child))
            elif child.kind == "derived_sample":
                self.derived_sample(s, child)
            elif child.kind == "invalidation":
                act = self.activity(
                    child.iri,
                    [f"pr:{k}" for k in child.attrs.get("activity", [])],
                    {"reason": child.attrs.get("reason")},
                )
                self.relation("wasInvalidatedBy", s, act, child.attrs.get("at"))
            elif child.kind == "generation":
                self.generation(s, child)
            elif child.kind == "label":
                self.label(s, child)
            elif child.kind == "dataset_version":
                self.dataset_version(s, child)
            elif child.kind == "ingest_batch":
                batch = self.batch(child)
                if generated:
                    self.relation("wasInfluencedBy", s, batch)
                else:
                    self.relation("wasGeneratedBy", s, batch)
        return s

    def derived_sample(self, source: QualifiedName, node: TraceNode) -> None:
        """A sample made from ``source``: the entity, its generation and configuration."""
        a = node.attrs
        derived = self.entity(
            node.iri,
            ["pr:Sample"],
            {
                "externalId": a.get("external_id"),
                "datasetName": a.get("dataset"),
                "origin": a.get("origin"),
                "kind": a.get("kind"),
                "text": a.get("text"),
            },
        )
        generation = None
        if a.get("generation"):
            generation = self.activity(a["generation"], ["pr:Generation"], {})
            self.relation("wasGeneratedBy", derived, generation)
            self.relation("used", generation, source)
            if a.get("generator_config"):
                self.relation("used", generation, self.config(a["generator_config"], a))
        self.relation("wasDerivedFrom", derived, source, generation)
        if a.get("invalidated_at"):
            self.relation("wasInvalidatedBy", derived, None, a["invalidated_at"])

    def config(self, iri: str, attrs: dict[str, Any]) -> QualifiedName:
        """The generator configuration ``iri`` (a ``prov:Plan``) from a trace node's attrs;
        keys a node lacks (a derived sample's summary has no seed or params) stay unset."""
        return self.entity(
            iri,
            ["prov:Plan", "pr:GeneratorConfig"],
            {
                "generatorName": attrs.get("generator"),
                "modelName": attrs.get("model"),
                "promptTemplate": attrs.get("prompt_template"),
                "promptVersion": attrs.get("prompt_version"),
                "seed": attrs.get("seed"),
                "params": attrs.get("params"),
            },
        )

    def generation(self, sample: QualifiedName, node: TraceNode) -> None:
        ended = node.attrs.get("ended")
        g = self.activity(node.iri, ["pr:Generation"], {"seed": node.attrs.get("seed")}, end=ended)
        self.relation("wasGeneratedBy", sample, g, ended)
        plan = None
        for child in node.children:
            if child.kind == "generator_config":
                plan = self.config(child.iri, child.attrs)
                self.relation("used", g, plan)
        self.associate(g, node, plan)

    def label(self, sample: QualifiedName, node: TraceNode) -> None:
        a = node.attrs
        lb = self.entity(
            node.iri,
            ["pr:Label"],
            {
                "labelField": a.get("field"),
                "labelValue": a.get("value"),
                "confidence": a.get("confidence"),
            },
        )
        for child in node.children:
            if child.kind == "annotation":
                ended = child.attrs.get("ended")
                act = self.activity(
                    child.iri,
                    ["pr:Annotation"],
                    {"annotatorKind": child.attrs.get("annotator_kind")},
                    end=ended,
                )
                self.relation("wasGeneratedBy", lb, act, ended)
                self.relation("used", act, sample)
                plan = None
                for part in child.children:
                    if part.kind == "guideline":
                        plan = self.entity(
                            part.iri,
                            ["prov:Plan", "pr:Guideline"],
                            {
                                "guidelineVersion": part.attrs.get("version"),
                                "prov:label": part.attrs.get("name"),
                            },
                        )
                        self.relation("used", act, plan)
                self.associate(act, child, plan)
                for part in child.children:
                    if part.kind == "agent":
                        self.relation("wasAttributedTo", lb, self.agent(part))
            elif child.kind == "agent":
                self.relation("wasAttributedTo", lb, self.agent(child))

    def dataset_version(self, sample: QualifiedName, node: TraceNode) -> None:
        a = node.attrs
        dv = self.entity(
            node.iri,
            ["pr:DatasetVersion", "prov:Collection"],
            {"datasetName": a.get("dataset"), "versionLabel": a.get("version")},
        )
        self.relation("hadMember", dv, sample)
        if a.get("dataset_iri"):
            dataset = self.entity(
                a["dataset_iri"], ["pr:Dataset"], {"datasetName": a.get("dataset")}
            )
            self.relation("specializationOf", dv, dataset)

    def batch(self, node: TraceNode) -> QualifiedName:
        a = node.attrs
        counts = {k: v for k, v in a.items() if k.startswith("records")}
        b = self.activity(
            node.iri,
            ["pr:IngestBatch"],
            {"provragVersion": a.get("provrag_version"), **counts},
            start=a.get("started"),
            end=a.get("ended"),
        )
        for child in node.children:
            if child.kind == "source_file":
                c = child.attrs
                f = self.entity(
                    child.iri,
                    ["pr:SourceFile"],
                    {
                        "filePath": c.get("path"),
                        "sha256": c.get("sha256"),
                        "byteSize": c.get("size"),
                    },
                )
                self.relation("used", b, f)
        self.associate(b, node)
        return b


def to_prov_document(node: TraceNode) -> ProvDocument:
    """A W3C PROV document of the lineage (needs the ``prov`` package)."""
    builder = _ProvBuilder()
    if node.kind == "answer":
        builder.answer(node)
    elif node.kind == "sample":
        builder.sample(node)
    else:
        raise ProvExportError(
            f"a PROV document starts at an answer or a sample, not a {node.kind} "
            f"({node.iri}); trace an answer id or a sample id"
        )
    return builder.finish()


def to_prov_json(node: TraceNode) -> str:
    """PROV-JSON text; ``prov.read(io.StringIO(text), format="json")`` reads it back."""
    return str(to_prov_document(node).serialize(format="json"))


def to_prov_n(node: TraceNode) -> str:
    """PROV-N text; ``prov.read(io.StringIO(text), format="provn")`` reads it back."""
    return to_prov_document(node).get_provn()
