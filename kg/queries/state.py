"""A key of the graph's *sample state*: it changes whenever a committed write may have
added, changed or invalidated a sample, so a cache of anything read about samples
(allowed sets, entity adjacency, hit details) can key on it."""

from __future__ import annotations

from typing import Any

from kg import ids
from kg.errors import QueryError
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph
from kg.store.base import SelectResult
from kg.terms import PR

#: committed graphs under these prefixes never change samples (answers, evaluation
#: runs, golden sets, releases and their approvals, promotions and rollbacks), so
#: writing one leaves the state as it was
_INERT_GRAPHS = (
    ids.answer_iri(""),
    ids.eval_run_iri(""),
    ids.golden_set_iri("", "")[:-1],
    ids.release_iri(""),
    ids.serving_change_iri(""),
)

_COMMITTED = (
    f'SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{PR.batchStatus}> "committed" }} }}'
)


def sample_state_graphs(kg: KnowledgeGraph) -> list[str]:
    """The committed activity graphs that can change samples (ingest batches,
    deletions, ...), sorted. A graph still open is not listed."""
    result = kg.store.query(_COMMITTED)
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the graph registry query did not return rows")
    rows: list[dict[str, Any]] = result.rows
    return sorted(
        name
        for name in (str(r["g"].value) for r in rows if r.get("g") is not None)
        if not name.startswith(_INERT_GRAPHS)
    )


def graph_state(kg: KnowledgeGraph) -> str:
    """A key (sha256 hex) of :func:`sample_state_graphs`: equal keys, same samples."""
    return ids.sha256_hex("\n".join(sample_state_graphs(kg)))
