"""Triples of an evaluation run (see :mod:`evaluation.record`).

Shape of a run ``R`` (written to its own named graph, ``prid:run/<run id>``, which
is also its IRI) and of its metric values ``M``::

    R a pr:EvaluationRun, prov:Activity ; rdfs:label "evaluation run <id>" ;
      pr:goldenSet GS ; prov:used GS ; pr:goldenSetVersion ;
      pr:retrieverKind ; pr:retrieverSettings (rdf:JSON) ; [pr:runSpec (rdf:JSON)] ;
      pr:cutoff k ; pr:seed ;
      pr:queryCount ; pr:provragVersion ; [pr:embeddingModel] ; [pr:indexManifest (rdf:JSON)] ;
      [pr:runFile] ; prov:startedAtTime ; prov:endedAtTime ;
      prov:wasAssociatedWith <agent/software/provrag> ; pr:metric M ...
    M a pr:MetricValue, prov:Entity ; prov:wasGeneratedBy R ;
      pr:metricName "ndcg@10" ; pr:metricValue ; [pr:ciLow ; pr:ciHigh] ; pr:queryCount ;
      pr:sliceName "overall" | "origin" | "tag" | ... ; pr:sliceValue "all" | "real" | ...

``M`` is ``<R>/metric/<slice name>/<slice value>/<metric name>`` (each part
percent-encoded). The overall value of a metric has slice name ``overall`` and
slice value ``all``, so one pattern (``pr:sliceName ?slice ; pr:sliceValue ?value``)
lists overall and sliced values alike. Metric names are provrag's canonical
names (``ndcg@10``, ``recall@100``, ``exact_match``, ``synthetic_share@10``).
Per-query values are not triples: they sit in the run directory's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kg import ids
from kg.errors import MappingError
from kg.mapping import A, iri, json_lit, lit, pr, prov
from kg.mapping.activity import activity_triples

#: slice name and value of a metric's value over all queries
OVERALL = "overall"
OVERALL_VALUE = "all"


@dataclass(frozen=True)
class MetricValueIn:
    """One metric value of a run: overall or on one slice, with its interval."""

    metric: str
    value: float
    query_count: int
    ci_low: float | None = None
    ci_high: float | None = None
    slice_name: str = OVERALL
    slice_value: str = OVERALL_VALUE


@dataclass(frozen=True)
class EvaluationRunIn:
    """What the graph records of one evaluation run (enough to re-run it)."""

    run_id: str
    golden_set_iri: str
    golden_set_version: str
    retriever_kind: str
    retriever_settings: Mapping[str, Any]
    k: int
    seed: int
    query_count: int
    provrag_version: str
    started: datetime
    ended: datetime
    embedding_model: str | None = None
    index_manifest: Mapping[str, Any] | None = None
    run_file: str | None = None
    #: everything needed to run it again (``evaluation.spec.RunSpec.to_dict()``)
    run_spec: Mapping[str, Any] | None = None
    metrics: Sequence[MetricValueIn] = field(default_factory=tuple)


def metric_value_iri(run_iri: str, metric: str, slice_name: str, slice_value: str) -> str:
    """The node of one metric value of a run."""
    parts = "/".join(ids.seg(p) for p in (slice_name, slice_value, metric))
    return f"{run_iri}/metric/{parts}"


def evaluation_run_triples(run: EvaluationRunIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of ``run`` and its metric values."""
    run_iri = ids.eval_run_iri(run.run_id)
    r = iri(run_iri)
    gs = iri(run.golden_set_iri)
    out = [
        *activity_triples(
            r,
            "EvaluationRun",
            label="evaluation run " + run.run_id,
            started=run.started,
            ended=run.ended,
        ),
        f"{r} {pr('goldenSet')} {gs}",
        f"{r} {prov('used')} {gs}",
        f"{r} {pr('goldenSetVersion')} {lit(run.golden_set_version)}",
        f"{r} {pr('retrieverKind')} {lit(run.retriever_kind)}",
        f"{r} {pr('retrieverSettings')} {json_lit(dict(run.retriever_settings))}",
        f"{r} {pr('cutoff')} {lit(int(run.k))}",
        f"{r} {pr('seed')} {lit(int(run.seed))}",
        f"{r} {pr('queryCount')} {lit(int(run.query_count))}",
        f"{r} {pr('provragVersion')} {lit(run.provrag_version)}",
    ]
    if run.embedding_model is not None:
        out.append(f"{r} {pr('embeddingModel')} {lit(run.embedding_model)}")
    if run.index_manifest is not None:
        out.append(f"{r} {pr('indexManifest')} {json_lit(dict(run.index_manifest))}")
    if run.run_file is not None:
        out.append(f"{r} {pr('runFile')} {lit(run.run_file)}")
    if run.run_spec is not None:
        out.append(f"{r} {pr('runSpec')} {json_lit(dict(run.run_spec))}")
    seen: set[str] = set()
    for mv in run.metrics:
        node = metric_value_iri(run_iri, mv.metric, mv.slice_name, mv.slice_value)
        if node in seen:
            raise MappingError(
                f"run {run.run_id!r}: metric {mv.metric!r} of slice "
                f"{mv.slice_name}={mv.slice_value} is given twice; give each value once"
            )
        seen.add(node)
        m = iri(node)
        out += [
            f"{r} {pr('metric')} {m}",
            f"{m} {A} {pr('MetricValue')}",
            f"{m} {A} {prov('Entity')}",
            f"{m} {prov('wasGeneratedBy')} {r}",
            f"{m} {pr('metricName')} {lit(mv.metric)}",
            f"{m} {pr('metricValue')} {lit(float(mv.value))}",
            f"{m} {pr('queryCount')} {lit(int(mv.query_count))}",
            f"{m} {pr('sliceName')} {lit(mv.slice_name)}",
            f"{m} {pr('sliceValue')} {lit(mv.slice_value)}",
        ]
        if mv.ci_low is not None:
            out.append(f"{m} {pr('ciLow')} {lit(float(mv.ci_low))}")
        if mv.ci_high is not None:
            out.append(f"{m} {pr('ciHigh')} {lit(float(mv.ci_high))}")
    return out
