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
What is read back comes through :mod:`kg.queries.runs` and :mod:`kg.queries.golden`;
:meth:`evaluation.spec.RunSpec.from_record` turns a run's record back into its spec.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.errors import EvaluationError, GoldenSetError, RunNotFoundError
from evaluation.golden import GoldenSet
from evaluation.results import EvalResult
from evaluation.slices import slice_label
from evaluation.trecio import read_trec_qrels, read_trec_run, write_trec_qrels, write_trec_run
from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import (
    OVERALL,
    OVERALL_VALUE,
    EvaluationRunIn,
    MetricValueIn,
    evaluation_run_triples,
)
from kg.queries.golden import golden_set_record, golden_set_versions
from kg.queries.runs import RunRecord, evaluation_runs, run_metric_values, run_record
from kg.typing import GoldenSplit

__all__ = [
    "METRICS_FILE",
    "QRELS_FILE",
    "RUN_FILE",
    "RunNotFoundError",
    "RunRecord",
    "golden_versions",
    "list_runs",
    "load_golden",
    "load_run",
    "metric_values",
    "new_run_id",
    "read_run_record",
    "record_run",
    "recorded_numbers",
    "run_dir",
    "save_run",
]

RUN_FILE = "run.trec"
QRELS_FILE = "qrels.trec"
METRICS_FILE = "metrics.json"


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


def read_run_record(kg: KnowledgeGraph, run_id: str) -> RunRecord:
    """The recorded run ``run_id``; raises :class:`RunNotFoundError`."""
    record = run_record(kg, run_id)
    if record is None:
        raise RunNotFoundError(
            f"the graph holds no evaluation run {run_id!r}; list the runs with `provrag eval list`"
        )
    return record


def recorded_numbers(kg: KnowledgeGraph, run_id: str) -> dict[str, float]:
    """Every mean and interval bound the graph records for a run, keyed like
    :meth:`evaluation.runner.EvalResult.numbers` (``<slice> <metric> <what>``)."""
    out: dict[str, float] = {}
    for m in run_metric_values(kg, run_id):
        label = slice_label(m.slice_name, m.slice_value)
        out[f"{label} {m.metric} mean"] = m.value
        if m.ci_low is not None:
            out[f"{label} {m.metric} ci_low"] = m.ci_low
        if m.ci_high is not None:
            out[f"{label} {m.metric} ci_high"] = m.ci_high
    return out


def list_runs(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every recorded run: id, golden set, retriever kind, k, start time, overall nDCG@k."""
    return [
        {
            "run_id": r.run_id,
            "golden": r.golden_name,
            "golden_version": r.golden_version,
            "retriever": r.retriever_kind,
            "k": r.k,
            "started": r.started.isoformat() if r.started else None,
            "ndcg": r.ndcg,
        }
        for r in evaluation_runs(kg)
    ]


# ----------------------------------------------------------- golden set, read back


def golden_versions(kg: KnowledgeGraph, name: str) -> list[str]:
    """Versions of the golden set ``name`` stored in the graph."""
    return golden_set_versions(kg, name)


def load_golden(
    kg: KnowledgeGraph, name: str, version: str, split: GoldenSplit | None = None
) -> GoldenSet:
    """Read a golden set version back from the graph (as ``ingest_golden`` wrote it);
    with ``split``, only the items of that split are read."""
    stored = golden_set_record(kg, name, version, split)
    if stored is None:
        raise GoldenSetError(
            f"the graph holds no golden set {name!r} version {version!r}; ingest it with "
            "`provrag eval --golden PATH` (or evaluation.golden.ingest_golden)"
        )
    return GoldenSet(
        name=stored.name,
        version=stored.version,
        dataset=stored.dataset,
        author=stored.author,
        guideline_version=stored.guideline_version,
        items=list(stored.items),
        description=stored.description,
        source=stored.iri,
        split_rule=stored.split_rule,
        selected=split,
    )
