"""An evaluation run as the use case reports it: the result, its run directory, the
KPI gates checked on it and, for a BEIR dataset, what was ingested; and its JSON
(``provrag eval --json``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.results import EvalResult
from kg.graph import KnowledgeGraph
from provrag.settings import Settings

if TYPE_CHECKING:
    from evaluation.gates import Gate, GateOutcome
    from provrag.services.beir import BeirIngest


def gates_for(settings: Settings, extra: Sequence[str] = ()) -> list[Gate]:
    """The KPI gates of the settings (``[evaluation.gates]``) and of ``extra`` texts
    (``'ndcg@10[origin=real]>=0.6'``); raises :class:`~evaluation.errors.EvaluationError`
    for a malformed one."""
    from evaluation.gates import gates_from_settings, parse_gate

    return gates_from_settings(settings.evaluation.gates) + [parse_gate(g) for g in extra]


@dataclass
class EvalOutcome:
    """A finished evaluation and the gates checked on it."""

    result: EvalResult
    run_dir: Path
    gates: list[GateOutcome] = field(default_factory=list)
    beir: BeirIngest | None = None
    #: ids of the alerts recorded for the gates this run missed
    alerts: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        settings: Settings,
        result: EvalResult,
        gates: Sequence[Gate] = (),
        beir: BeirIngest | None = None,
        kg: KnowledgeGraph | None = None,
    ) -> EvalOutcome:
        """Check ``gates`` on ``result``; its run directory is under ``settings.runs_dir``.

        With ``kg``, each missed gate is recorded as an alert (monitor ``gate``,
        informed by the run): :func:`record_gate_alerts`."""
        from evaluation.gates import check_gates

        outcome = cls(
            result, settings.runs_dir / str(result.run_id), check_gates(result, gates), beir
        )
        if kg is not None:
            outcome.alerts = record_gate_alerts(kg, result, outcome.gates)
        return outcome

    @property
    def passed(self) -> bool:
        """Every gate met."""
        return all(o.passed for o in self.gates)

    def to_dict(self) -> dict[str, Any]:
        payload = result_json(self.result, self.run_dir)
        payload["gates"] = [gate_json(o) for o in self.gates]
        payload["alerts"] = list(self.alerts)
        if self.beir is not None:
            payload["beir"] = self.beir.to_dict()
        return payload


def result_json(result: EvalResult, run_dir: Path) -> dict[str, Any]:
    """A run's numbers, overall and per slice, and where its files are."""
    return {
        "run_id": result.run_id,
        "golden": {
            "name": result.golden_name,
            "version": result.golden_version,
            "dataset": result.dataset,
        },
        "retriever": result.retriever_kind,
        "k": result.k,
        "depth": result.depth,
        "seed": result.seed,
        "queries": len(result.qrels),
        "run_dir": str(run_dir),
        "run_file": str(run_dir / "run.trec"),
        "overall": {m: s.to_dict() for m, s in result.overall.items()},
        "slices": [
            {
                "name": s.name,
                "value": s.value,
                "query_count": s.query_count,
                "small": s.small,
                "metrics": {m: v.to_dict() for m, v in s.metrics.items()},
            }
            for s in result.slices
        ],
    }


def gate_json(o: GateOutcome) -> dict[str, Any]:
    return {
        "gate": str(o.gate),
        "metric": o.gate.metric,
        "slice": o.gate.where,
        "op": o.gate.op,
        "threshold": o.gate.threshold,
        "value": o.value,
        "passed": o.passed,
        "message": o.message(),
    }


def record_gate_alerts(
    kg: KnowledgeGraph, result: EvalResult, outcomes: Sequence[GateOutcome]
) -> list[str]:
    """An alert for each missed gate of ``result`` (informed by its evaluation run); their ids."""
    from kg import ids
    from provrag.services.alerts import raise_alert

    out = []
    for o in outcomes:
        if o.passed:
            continue
        aid = raise_alert(
            kg,
            monitor="gate",
            measure=f"{o.gate.metric}[{o.gate.where}]",
            value=o.value,
            threshold=o.gate.threshold,
            comparator=o.gate.op,
            message=f"evaluation run {result.run_id}: {o.message()}",
            dataset=result.dataset,
            scope=f"run {result.run_id}: {o.gate}",
            informed_by=ids.eval_run_iri(str(result.run_id)),
        )
        if aid is not None:
            out.append(aid)
    return out
