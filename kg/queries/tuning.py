"""Recorded tuning runs and the retriever profiles they wrote (shape in
:mod:`kg.mapping.tuning`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg.graph import KnowledgeGraph
from kg.mapping import lit


class TuningRecord(BaseModel):
    """What the graph says of one tuning run and the profile it wrote."""

    model_config = ConfigDict(frozen=True)

    iri: str
    golden_iri: str
    golden_version: str
    split: str
    objective: str
    strategy: str
    budget: int
    seed: int
    query_count: int
    baseline_score: float
    best_score: float
    search_space: dict[str, list[Any]]
    trials: list[dict[str, Any]]
    started: datetime
    ended: datetime
    profile_iri: str
    profile_name: str
    profile_settings: dict[str, Any]
    profile_file: str | None = None


TUNING_RUNS_QUERY = """
SELECT ?run ?golden ?version ?split ?objective ?strategy ?budget ?seed ?queries
       ?baseline ?best ?space ?trials ?started ?ended
       ?profile ?name ?settings ?file
WHERE {{
  ?run a pr:TuningRun ;
       pr:tunedOn ?golden ;
       pr:goldenSetVersion ?version ;
       pr:split ?split ;
       pr:objective ?objective ;
       pr:tuneStrategy ?strategy ;
       pr:budget ?budget ;
       pr:seed ?seed ;
       pr:queryCount ?queries ;
       pr:baselineScore ?baseline ;
       pr:bestScore ?best ;
       pr:searchSpace ?space ;
       pr:trials ?trials ;
       prov:startedAtTime ?started ;
       prov:endedAtTime ?ended .
  ?profile a pr:RetrieverProfile ;
           prov:wasGeneratedBy ?run ;
           pr:profileName ?name ;
           pr:retrieverSettings ?settings .
  OPTIONAL {{ ?profile pr:profileFile ?file }}
  {where}
}}
ORDER BY ?ended ?run
"""


def _json(value: Any) -> Any:
    return value if isinstance(value, dict | list) else json.loads(str(value))


def tuning_runs(kg: KnowledgeGraph, profile: str | None = None) -> list[TuningRecord]:
    """Every recorded tuning run (oldest first); with ``profile``, those that wrote it."""
    where = "" if profile is None else f"FILTER(STR(?name) = {lit(profile)})"
    out = []
    for r in kg.select(TUNING_RUNS_QUERY.format(where=where)):
        out.append(
            TuningRecord(
                iri=str(r["run"]),
                golden_iri=str(r["golden"]),
                golden_version=str(r["version"]),
                split=str(r["split"]),
                objective=str(r["objective"]),
                strategy=str(r["strategy"]),
                budget=int(r["budget"]),
                seed=int(r["seed"]),
                query_count=int(r["queries"]),
                baseline_score=float(r["baseline"]),
                best_score=float(r["best"]),
                search_space=_json(r["space"]),
                trials=_json(r["trials"]),
                started=r["started"],
                ended=r["ended"],
                profile_iri=str(r["profile"]),
                profile_name=str(r["name"]),
                profile_settings=_json(r["settings"]),
                profile_file=None if r.get("file") is None else str(r["file"]),
            )
        )
    return out
