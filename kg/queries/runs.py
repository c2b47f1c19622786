"""Recorded evaluation runs and their metric values (shape in :mod:`kg.mapping.evaluation`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import MetricValueIn


class RunRecord(BaseModel):
    """What the graph says of one run: enough to re-run it."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    iri: str
    golden_iri: str
    #: title of the golden set; ``None`` when the graph no longer holds the set
    golden_name: str | None
    golden_version: str
    retriever_kind: str
    retriever_settings: dict[str, Any]
    k: int
    seed: int
    embedding_model: str | None
    index_manifest: dict[str, Any] | None
    provrag_version: str | None
    run_file: str | None
    started: datetime | None
    ended: datetime | None
    #: the recorded ``pr:runSpec`` JSON (``evaluation.spec.RunSpec.to_dict()``);
    #: ``None`` for a run recorded before run specs were
    run_spec: dict[str, Any] | None = None


class RunSummary(BaseModel):
    """One line of the list of recorded runs."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    golden_name: str | None
    golden_version: str | None
    retriever_kind: str | None
    k: int | None
    started: datetime | None
    #: overall nDCG at the run's cutoff, when recorded
    ndcg: float | None


def _json(value: Any) -> Any:
    return None if value is None else json.loads(str(value))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def run_record(kg: KnowledgeGraph, run_id: str) -> RunRecord | None:
    """The record of run ``run_id``, or ``None`` when the graph holds no such run."""
    run = ids.eval_run_iri(run_id)
    rows = kg.select(
        f"""
SELECT ?gs ?title ?gsv ?kind ?settings ?k ?seed ?model ?manifest ?version ?file ?start ?end
       ?spec
WHERE {{
  <{run}> a pr:EvaluationRun ;
          pr:goldenSet ?gs ; pr:goldenSetVersion ?gsv ; pr:retrieverKind ?kind ;
          pr:retrieverSettings ?settings ; pr:cutoff ?k ; pr:seed ?seed .
  OPTIONAL {{ ?gs dcterms:title ?title }}
  OPTIONAL {{ <{run}> pr:embeddingModel ?model }}
  OPTIONAL {{ <{run}> pr:indexManifest ?manifest }}
  OPTIONAL {{ <{run}> pr:provragVersion ?version }}
  OPTIONAL {{ <{run}> pr:runFile ?file }}
  OPTIONAL {{ <{run}> prov:startedAtTime ?start }}
  OPTIONAL {{ <{run}> prov:endedAtTime ?end }}
  OPTIONAL {{ <{run}> pr:runSpec ?spec }}
}}
"""
    )
    if not rows:
        return None
    r = rows[0]
    return RunRecord(
        run_id=run_id,
        iri=run,
        golden_iri=str(r["gs"]),
        golden_name=_text(r.get("title")),
        golden_version=str(r["gsv"]),
        retriever_kind=str(r["kind"]),
        retriever_settings=_json(r["settings"]) or {},
        k=int(r["k"]),
        seed=int(r["seed"]),
        embedding_model=_text(r.get("model")),
        index_manifest=_json(r.get("manifest")),
        provrag_version=_text(r.get("version")),
        run_file=_text(r.get("file")),
        started=r.get("start"),
        ended=r.get("end"),
        run_spec=_json(r.get("spec")),
    )


def run_metric_values(kg: KnowledgeGraph, run_id: str) -> list[MetricValueIn]:
    """Every metric value recorded for run ``run_id``, overall and per slice (empty when
    the graph holds no such run)."""
    run = ids.eval_run_iri(run_id)
    rows = kg.select(
        f"""
SELECT ?name ?slice ?value ?mean ?low ?high ?n WHERE {{
  <{run}> pr:metric ?m .
  ?m pr:metricName ?name ; pr:metricValue ?mean ; pr:sliceName ?slice ;
     pr:sliceValue ?value ; pr:queryCount ?n .
  OPTIONAL {{ ?m pr:ciLow ?low }}
  OPTIONAL {{ ?m pr:ciHigh ?high }}
}}
"""
    )
    return [
        MetricValueIn(
            metric=str(r["name"]),
            value=float(r["mean"]),
            query_count=int(r["n"]),
            ci_low=None if r.get("low") is None else float(r["low"]),
            ci_high=None if r.get("high") is None else float(r["high"]),
            slice_name=str(r["slice"]),
            slice_value=str(r["value"]),
        )
        for r in rows
    ]


_RUNS_QUERY = """
SELECT ?run ?title ?gsv ?kind ?k ?start ?ndcg WHERE {
  ?run a pr:EvaluationRun ; pr:goldenSet ?gs ; pr:goldenSetVersion ?gsv ;
       pr:retrieverKind ?kind ; pr:cutoff ?k .
  OPTIONAL { ?gs dcterms:title ?title }
  OPTIONAL { ?run prov:startedAtTime ?start }
  OPTIONAL {
    ?run pr:metric ?m . ?m pr:sliceName "overall" ; pr:metricName ?mn ; pr:metricValue ?ndcg .
    FILTER(?mn = CONCAT("ndcg@", STR(?k)))
  }
}
ORDER BY ?start ?run
"""


def evaluation_runs(kg: KnowledgeGraph) -> list[RunSummary]:
    """Every recorded run, oldest first: golden set, retriever kind, k, start time and
    overall nDCG@k."""
    prefix = ids.eval_run_iri("")
    out = []
    for r in kg.select(_RUNS_QUERY):
        run_iri = str(r["run"])
        out.append(
            RunSummary(
                run_id=run_iri[len(prefix) :] if run_iri.startswith(prefix) else run_iri,
                golden_name=r.get("title"),
                golden_version=r.get("gsv"),
                retriever_kind=r.get("kind"),
                k=r.get("k"),
                started=r.get("start"),
                ndcg=r.get("ndcg"),
            )
        )
    return out
