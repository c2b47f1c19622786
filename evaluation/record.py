"""Recorded runs: the run directory and the run's activity in the graph.

Run directory ``<runs dir>/<run id>/``:

``run.trec``
    the TREC run file (``qid Q0 docid rank score tag``, tag = the run id);
``qrels.trec``
    the judgements scored against (TREC qrels), so that trec_eval, ranx or
    ir_measures can re-score ``run.trec`` without provrag;
``metrics.json``
    :meth:`evaluation.runner.EvalResult.to_dict`: the means, intervals and slices,
    the per-query values, the queries, the answers given and the settings.

Graph: the run is a ``pr:EvaluationRun`` in its own named graph
``prid:run/<run id>`` (shape in :mod:`kg.mapping.evaluation`), written atomically;
it holds what a re-run needs (the run's :class:`~evaluation.spec.RunSpec`, plus
golden set version, retriever kind and settings, k, seed, embedding model,
index manifest) and every overall and per-slice mean as a ``pr:MetricValue``.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from evaluation.errors import EvaluationError, GoldenSetError
from evaluation.golden import GoldenSet
from evaluation.results import EvalResult
from evaluation.slices import slice_label
from evaluation.spec import RunSpec
from evaluation.trecio import read_trec_qrels, read_trec_run, write_trec_qrels, write_trec_run
from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.mapping.evaluation import (
    OVERALL,
    OVERALL_VALUE,
    EvaluationRunIn,
    MetricValueIn,
    evaluation_run_triples,
)
from kg.model import GoldenItem

RUN_FILE = "run.trec"
QRELS_FILE = "qrels.trec"
METRICS_FILE = "metrics.json"


class RunNotFoundError(EvaluationError):
    """No recorded run has the id asked for."""


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYmmddTHHMMSSZ-xxxxxx``: sortable by time, unique by a random suffix."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run_dir(runs_dir: Path, run_id: str) -> Path:
    if not run_id or "/" in run_id or run_id in (".", ".."):
        raise RunNotFoundError(f"{run_id!r} is not a run id (e.g. 20261101T120000Z-1a2b3c)")
    return Path(runs_dir) / run_id


# ----------------------------------------------------------------- run directory


def save_run(result: EvalResult, runs_dir: Path) -> Path:
    """Write the run directory of a result that has a ``run_id``; returns the directory."""
    if not result.run_id:
        raise EvaluationError("the result has no run id; set result.run_id = new_run_id()")
    directory = run_dir(runs_dir, result.run_id)
    directory.mkdir(parents=True, exist_ok=True)
    write_trec_run(result.run, directory / RUN_FILE, tag=result.run_id)
    write_trec_qrels(result.qrels, directory / QRELS_FILE)
    data = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{METRICS_FILE}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, directory / METRICS_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return directory


def load_run(runs_dir: Path, run_id: str) -> EvalResult:
    """The result saved in a run directory (with its run file and qrels)."""
    directory = run_dir(runs_dir, run_id)
    path = directory / METRICS_FILE
    if not path.is_file():
        raise RunNotFoundError(
            f"no run {run_id!r} under {runs_dir} ({path} is missing); list the runs with "
            "`provrag eval list`, or give --home of the project that made it"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvaluationError(f"{path} is unreadable ({exc}); the run cannot be loaded") from exc
    run = read_trec_run(directory / RUN_FILE) if (directory / RUN_FILE).is_file() else {}
    qrels = read_trec_qrels(directory / QRELS_FILE) if (directory / QRELS_FILE).is_file() else {}
    result = EvalResult.from_dict(data, run=run, qrels=qrels)
    result.run_id = result.run_id or run_id
    return result


# ------------------------------------------------------------------------- graph


def metric_values(result: EvalResult) -> list[MetricValueIn]:
    """The overall and per-slice means of a result as graph records."""
    out = [
        MetricValueIn(m, s.mean, s.query_count, s.ci_low, s.ci_high, OVERALL, OVERALL_VALUE)
        for m, s in result.overall.items()
    ]
    for sl in result.slices:
        out += [
            MetricValueIn(m, s.mean, s.query_count, s.ci_low, s.ci_high, sl.name, sl.value)
            for m, s in sl.metrics.items()
        ]
    return out


def record_run(
    kg: KnowledgeGraph,
    result: EvalResult,
    *,
    retriever_settings: Mapping[str, Any],
    provrag_version: str,
    embedding_model: str | None = None,
    index_manifest: Mapping[str, Any] | None = None,
    run_file: str | None = None,
) -> str:
    """Write the run's activity graph ``prid:run/<run id>`` (atomically); its IRI.

    ``retriever_settings`` is what the retriever says of itself (its channels,
    weights, index, ...); the result's :class:`~evaluation.spec.RunSpec` is recorded
    too (``pr:runSpec``): everything a re-run needs.
    """
    if not result.run_id:
        raise EvaluationError("the result has no run id; set result.run_id = new_run_id()")
    graph = ids.eval_run_iri(result.run_id)
    if kg.graph_status(graph) is not None:
        raise EvaluationError(
            f"run {result.run_id!r} is already recorded; give a new run id (new_run_id())"
        )
    record = EvaluationRunIn(
        run_id=result.run_id,
        golden_set_iri=result.golden_iri,
        golden_set_version=result.golden_version,
        retriever_kind=result.retriever_kind,
        retriever_settings=dict(retriever_settings),
        k=result.k,
        seed=result.seed,
        query_count=len(result.qrels),
        provrag_version=provrag_version,
        started=result.started,
        ended=result.ended,
        embedding_model=embedding_model,
        index_manifest=index_manifest,
        run_file=run_file,
        run_spec=None if result.spec is None else result.spec.to_dict(),
        metrics=metric_values(result),
    )
    with kg.write_graph(graph) as writer:
        writer.add_statements(evaluation_run_triples(record))
    return graph


@dataclass(frozen=True)
class RunRecord:
    """What the graph says of one run: enough to re-run it."""

    run_id: str
    iri: str
    golden_iri: str
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
    #: the recorded ``pr:runSpec`` JSON (None: recorded before run specs were)
    run_spec: dict[str, Any] | None = None

    @property
    def spec(self) -> RunSpec:
        """What the run did; a run recorded before specs gets one from its settings."""
        if self.run_spec is not None:
            return RunSpec.from_dict(self.run_spec)
        return RunSpec.from_legacy(
            self.retriever_settings,
            golden=self.golden_name or self.golden_iri,
            golden_version=self.golden_version,
            retriever_kind=self.retriever_kind,
            k=self.k,
            seed=self.seed,
        )


_RUN_QUERY = """
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


def _json(value: Any) -> Any:
    return None if value is None else json.loads(str(value))


def read_run_record(kg: KnowledgeGraph, run_id: str) -> RunRecord:
    """The recorded run ``run_id``; raises :class:`RunNotFoundError`."""
    iri = ids.eval_run_iri(run_id)
    rows = kg.select(_RUN_QUERY.format(run=iri))
    if not rows:
        raise RunNotFoundError(
            f"the graph holds no evaluation run {run_id!r}; list the runs with `provrag eval list`"
        )
    r = rows[0]
    return RunRecord(
        run_id=run_id,
        iri=iri,
        golden_iri=str(r["gs"]),
        golden_name=None if r.get("title") is None else str(r["title"]),
        golden_version=str(r["gsv"]),
        retriever_kind=str(r["kind"]),
        retriever_settings=_json(r["settings"]) or {},
        k=int(r["k"]),
        seed=int(r["seed"]),
        embedding_model=None if r.get("model") is None else str(r["model"]),
        index_manifest=_json(r.get("manifest")),
        provrag_version=None if r.get("version") is None else str(r["version"]),
        run_file=None if r.get("file") is None else str(r["file"]),
        started=r.get("start"),
        ended=r.get("end"),
        run_spec=_json(r.get("spec")),
    )


_METRICS_QUERY = """
SELECT ?name ?slice ?value ?mean ?low ?high ?n WHERE {{
  <{run}> pr:metric ?m .
  ?m pr:metricName ?name ; pr:metricValue ?mean ; pr:sliceName ?slice ;
     pr:sliceValue ?value ; pr:queryCount ?n .
  OPTIONAL {{ ?m pr:ciLow ?low }}
  OPTIONAL {{ ?m pr:ciHigh ?high }}
}}
"""


def recorded_numbers(kg: KnowledgeGraph, run_id: str) -> dict[str, float]:
    """Every mean and interval bound the graph records for a run, keyed like
    :meth:`evaluation.runner.EvalResult.numbers` (``<slice> <metric> <what>``)."""
    out: dict[str, float] = {}
    for r in kg.select(_METRICS_QUERY.format(run=ids.eval_run_iri(run_id))):
        label = slice_label(str(r["slice"]), str(r["value"]))
        out[f"{label} {r['name']} mean"] = float(r["mean"])
        if r.get("low") is not None:
            out[f"{label} {r['name']} ci_low"] = float(r["low"])
        if r.get("high") is not None:
            out[f"{label} {r['name']} ci_high"] = float(r["high"])
    return out


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


def list_runs(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every recorded run: id, golden set, retriever kind, k, start time, overall nDCG@k."""
    prefix = ids.eval_run_iri("")
    out = []
    for r in kg.select(_RUNS_QUERY):
        run_iri = str(r["run"])
        out.append(
            {
                "run_id": run_iri[len(prefix) :] if run_iri.startswith(prefix) else run_iri,
                "golden": r.get("title"),
                "golden_version": r.get("gsv"),
                "retriever": r.get("kind"),
                "k": r.get("k"),
                "started": r["start"].isoformat() if r.get("start") else None,
                "ndcg": r.get("ndcg"),
            }
        )
    return out


# ----------------------------------------------------------- golden set, read back

_GOLDEN_QUERY = """
SELECT ?gs ?name ?version ?dataset ?author ?guideline ?description WHERE {{
  ?gs a pr:GoldenSet ; dcterms:title ?name ; pr:goldenSetVersion ?version .
  {where}
  OPTIONAL {{ ?gs pr:datasetName ?dataset }}
  OPTIONAL {{ ?gs prov:wasAttributedTo/rdfs:label ?author }}
  OPTIONAL {{ ?gs pr:guideline/pr:guidelineVersion ?guideline }}
  OPTIONAL {{ ?gs dcterms:description ?description }}
}}
"""

_ITEMS_QUERY = """
SELECT ?item ?qid ?text ?author ?guideline WHERE {{
  <{gs}> pr:goldenItem ?item . ?item pr:queryId ?qid ; pr:queryText ?text .
  OPTIONAL {{ ?item prov:wasAttributedTo/rdfs:label ?author }}
  OPTIONAL {{ ?item pr:guideline/pr:guidelineVersion ?guideline }}
}}
"""

_ITEM_VALUES_QUERY = """
SELECT ?item ?what ?v1 ?v2 WHERE {{
  <{gs}> pr:goldenItem ?item .
  {{ ?item pr:judgement ?j . ?j pr:judgedSample ?v1 ; pr:grade ?v2 .
     BIND("judged" AS ?what) }}
  UNION {{ ?item pr:goldAnswer ?v1 . BIND("answer" AS ?what) }}
  UNION {{ ?item pr:tag ?v1 . BIND("tag" AS ?what) }}
}}
"""


def golden_versions(kg: KnowledgeGraph, name: str) -> list[str]:
    """Versions of the golden set ``name`` stored in the graph."""
    rows = kg.select(_GOLDEN_QUERY.format(where=f"FILTER(STR(?name) = {lit(name)})"))
    return sorted({str(r["version"]) for r in rows})


def load_golden(kg: KnowledgeGraph, name: str, version: str) -> GoldenSet:
    """Read a golden set version back from the graph (as ``ingest_golden`` wrote it)."""
    gs = ids.golden_set_iri(name, version)
    rows = kg.select(_GOLDEN_QUERY.format(where=f"FILTER(?gs = <{gs}>)"))
    if not rows:
        raise GoldenSetError(
            f"the graph holds no golden set {name!r} version {version!r}; ingest it with "
            "`provrag eval --golden PATH` (or evaluation.golden.ingest_golden)"
        )
    head = rows[0]
    dataset = None if head.get("dataset") is None else str(head["dataset"])
    fields: dict[str, dict[str, Any]] = {}
    for r in kg.select(_ITEMS_QUERY.format(gs=gs)):
        fields[str(r["item"])] = {
            "query_id": str(r["qid"]),
            "query": str(r["text"]),
            "relevant": {},
            "gold_answers": set(),
            "tags": set(),
            "author": None if r.get("author") is None else str(r["author"]),
            "guideline_version": None if r.get("guideline") is None else str(r["guideline"]),
        }
    judged_prefix = ids.logical_sample_iri(dataset, "") if dataset else None
    for r in kg.select(_ITEM_VALUES_QUERY.format(gs=gs)):
        item = fields.get(str(r["item"]))
        if item is None:
            continue
        what = r["what"]
        if what == "judged" and judged_prefix and str(r["v1"]).startswith(judged_prefix):
            # the id from the judged IRI: right even when no revision of the sample is stored
            sid = _unseg(str(r["v1"])[len(judged_prefix) :])
            item["relevant"][sid] = int(r["v2"])
        elif what == "answer":
            item["gold_answers"].add(str(r["v1"]))
        elif what == "tag":
            item["tags"].add(str(r["v1"]))
    items = [
        GoldenItem(
            query_id=f["query_id"],
            query=f["query"],
            relevant=dict(sorted(f["relevant"].items())),
            gold_answers=sorted(f["gold_answers"]),
            tags=sorted(f["tags"]),
            author=f["author"],
            guideline_version=f["guideline_version"],
        )
        for f in sorted(fields.values(), key=lambda f: f["query_id"])
    ]
    return GoldenSet(
        name=str(head["name"]),
        version=str(head["version"]),
        dataset=dataset,
        author=None if head.get("author") is None else str(head["author"]),
        guideline_version=None if head.get("guideline") is None else str(head["guideline"]),
        items=items,
        description=None if head.get("description") is None else str(head["description"]),
        source=gs,
    )


def _unseg(value: str) -> str:
    return unquote(value)
