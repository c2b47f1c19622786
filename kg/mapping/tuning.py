"""Triples of a tuning run and the retriever profile it wrote (see :mod:`evaluation.tuning`).

Shape of a tuning run ``T`` (written to its own named graph, ``prid:tuning/<id>``,
which is also its IRI) and of the profile ``P`` it generated::

    T a pr:TuningRun, prov:Activity ; rdfs:label "tuning run <id>" ;
      pr:tunedOn GS ; prov:used GS ; pr:goldenSetVersion ; pr:split "dev" ;
      pr:objective "ndcg@10" ; pr:searchSpace (rdf:JSON) ; pr:trials (rdf:JSON) ;
      pr:tuneStrategy "grid" | "random" ; pr:budget n ; pr:seed ; pr:queryCount ;
      pr:baselineScore ; pr:bestScore ; pr:provragVersion ;
      prov:startedAtTime ; prov:endedAtTime ; prov:wasAssociatedWith <agent/software/provrag>
    P a pr:RetrieverProfile, prov:Entity ; rdfs:label name ; pr:profileName name ;
      pr:retrieverSettings (rdf:JSON: the ``[retrieval]`` settings it sets) ;
      [pr:profileFile path] ; prov:wasGeneratedBy T

``P`` is ``prid:profile/<name>/<tuning id>``: each tuning that writes a profile of
the same name makes a new version of it; the newest (``prov:endedAtTime`` of its
run) is the one on disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kg import ids
from kg.mapping import RDFS, A, iri, json_lit, lit, pr, prov
from kg.mapping.activity import activity_triples


@dataclass(frozen=True)
class TuningRunIn:
    """What the graph records of one tuning run and the profile it wrote."""

    run_id: str
    golden_set_iri: str
    golden_set_version: str
    split: str
    objective: str
    search_space: Mapping[str, Sequence[Any]]
    trials: Sequence[Mapping[str, Any]]
    strategy: str
    budget: int
    seed: int
    query_count: int
    baseline_score: float
    best_score: float
    provrag_version: str
    started: datetime
    ended: datetime
    profile_name: str
    profile_settings: Mapping[str, Any]
    profile_file: str | None = None


def tuning_run_triples(run: TuningRunIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of ``run`` and its profile."""
    t = iri(ids.tuning_run_iri(run.run_id))
    gs = iri(run.golden_set_iri)
    p = iri(ids.retriever_profile_iri(run.profile_name, run.run_id))
    out = [
        *activity_triples(
            t, "TuningRun", label="tuning run " + run.run_id, started=run.started, ended=run.ended
        ),
        f"{t} {pr('tunedOn')} {gs}",
        f"{t} {prov('used')} {gs}",
        f"{t} {pr('goldenSetVersion')} {lit(run.golden_set_version)}",
        f"{t} {pr('split')} {lit(run.split)}",
        f"{t} {pr('objective')} {lit(run.objective)}",
        f"{t} {pr('searchSpace')} {json_lit({k: list(v) for k, v in run.search_space.items()})}",
        f"{t} {pr('trials')} {json_lit([dict(x) for x in run.trials])}",
        f"{t} {pr('tuneStrategy')} {lit(run.strategy)}",
        f"{t} {pr('budget')} {lit(int(run.budget))}",
        f"{t} {pr('seed')} {lit(int(run.seed))}",
        f"{t} {pr('queryCount')} {lit(int(run.query_count))}",
        f"{t} {pr('baselineScore')} {lit(float(run.baseline_score))}",
        f"{t} {pr('bestScore')} {lit(float(run.best_score))}",
        f"{t} {pr('provragVersion')} {lit(run.provrag_version)}",
        f"{p} {A} {pr('RetrieverProfile')}",
        f"{p} {A} {prov('Entity')}",
        f"{p} <{RDFS}label> {lit(run.profile_name)}",
        f"{p} {pr('profileName')} {lit(run.profile_name)}",
        f"{p} {pr('retrieverSettings')} {json_lit(dict(run.profile_settings))}",
        f"{p} {prov('wasGeneratedBy')} {t}",
    ]
    if run.profile_file is not None:
        out.append(f"{p} {pr('profileFile')} {lit(run.profile_file)}")
    return out
