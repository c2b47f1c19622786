"""The reads behind a caller's view of the graph (:mod:`kg.view`): every sample
revision with its sensitivity and dataset, and a key of the committed graphs."""

from __future__ import annotations

from typing import Any, NamedTuple

from kg import ids
from kg.errors import QueryError
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph
from kg.store.base import SelectResult
from kg.terms import PR

_SAMPLES = """SELECT ?s ?sensitivity ?dataset WHERE {
  ?s a pr:Sample .
  OPTIONAL { ?s pr:sensitivity ?sensitivity }
  OPTIONAL { ?s pr:inDatasetVersion ?_dv . ?_dv pr:datasetName ?dataset }
}"""

_COMMITTED = (
    f'SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{PR.batchStatus}> "committed" }} }}'
)


class SampleAccess(NamedTuple):
    """What decides whether a caller sees one sample revision (current or not)."""

    iri: str
    #: None when the graph states none (it then counts as ``restricted``)
    sensitivity: str | None
    #: the dataset names of its dataset versions (a revision has one)
    datasets: frozenset[str]


def sample_access(kg: KnowledgeGraph) -> list[SampleAccess]:
    """Every sample revision of the graph, invalidated ones included."""
    result = kg.query(_SAMPLES)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the sample access query did not return rows")
    sensitivity: dict[str, str | None] = {}
    datasets: dict[str, set[str]] = {}
    rows: list[dict[str, Any]] = result.rows
    for r in rows:
        s = r.get("s")
        if s is None:
            continue
        key = str(s.value)
        sens = r.get("sensitivity")
        old = sensitivity.get(key)
        sensitivity[key] = old if sens is None else str(sens.value)
        ds = r.get("dataset")
        names = datasets.setdefault(key, set())
        if ds is not None:
            names.add(str(ds.value))
    return [SampleAccess(k, v, frozenset(datasets.get(k, ()))) for k, v in sensitivity.items()]


def committed_graphs_key(kg: KnowledgeGraph) -> str:
    """A key (sha256 hex) of every committed activity graph: it changes with each
    ingest, deletion, golden set, evaluation run and recorded answer."""
    result = kg.store.query(_COMMITTED)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the graph registry query did not return rows")
    rows: list[dict[str, Any]] = result.rows
    names = sorted(str(r["g"].value) for r in rows if r.get("g") is not None)
    return ids.sha256_hex("\n".join(names))
