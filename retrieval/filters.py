"""Provenance and governance filters for search, evaluated in the graph.

A :class:`kg.model.Filters` value says which samples a caller may get back: origin,
dataset (and version), generator (and prompt version), annotator, label
``field=value`` pairs (all must hold) and a clearance. Whatever the filters,
invalidated samples are never allowed, and a sample is allowed only when its
sensitivity is at most the clearance (``public < internal < restricted``; a
sample without a sensitivity counts as ``restricted``: the filter fails closed).

:func:`allowed_iris` runs one SPARQL query over the current samples.
:class:`AllowedSets` caches its answers per filters and per *graph state*
(:func:`graph_state`: the committed activity graphs that can change samples),
so a search pays the query once per change of the graph, not once per call.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kg import ids
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph
from kg.mapping import lit
from kg.model import Filters
from kg.store.base import SelectResult
from kg.terms import PR
from kg.typing import CLEARANCES, SENSITIVITY_ORDER, Clearance, literal_value
from retrieval.errors import FilterError
from retrieval.index import iris_to_ids

DEFAULT_CLEARANCE: Clearance = "internal"

#: committed graphs under these prefixes never change samples (answers, eval runs,
#: golden sets), so writing one does not invalidate the caches
_INERT_GRAPHS = (ids.answer_iri(""), ids.eval_run_iri(""), ids.golden_set_iri("", "")[:-1])


def check_clearance(value: str) -> Clearance:
    clearance = literal_value(CLEARANCES, value)
    if clearance is not None:
        return clearance
    raise FilterError(f"clearance {value!r} is unknown; use one of {', '.join(CLEARANCES)}")


def visible_sensitivities(clearance: Clearance) -> list[str]:
    """Sensitivities a caller with ``clearance`` may see (public < internal < restricted)."""
    level = SENSITIVITY_ORDER[check_clearance(clearance)]
    return [s for s, n in sorted(SENSITIVITY_ORDER.items(), key=lambda x: x[1]) if n <= level]


def filters_query(filters: Filters, default_clearance: Clearance = DEFAULT_CLEARANCE) -> str:
    """The SPARQL SELECT of the IRIs of current samples that pass ``filters``."""
    clearance = filters.clearance or default_clearance
    seen = ", ".join(lit(s) for s in visible_sensitivities(clearance))
    lines = [
        "SELECT DISTINCT ?s WHERE {",
        "  ?s a pr:Sample .",
        "  FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?_invalidated }",
        "  OPTIONAL { ?s pr:sensitivity ?_sensitivity }",
        f'  FILTER(COALESCE(STR(?_sensitivity), "restricted") IN ({seen}))',
    ]
    if filters.origin is not None:
        lines.append(f"  ?s pr:origin {lit(filters.origin)} .")
    if filters.dataset is not None or filters.version is not None:
        lines.append("  ?s pr:inDatasetVersion ?_dv .")
        if filters.dataset is not None:
            lines.append(f"  ?_dv pr:datasetName {lit(filters.dataset)} .")
        if filters.version is not None:
            lines.append(f"  ?_dv pr:versionLabel {lit(filters.version)} .")
    if filters.generator is not None or filters.prompt_version is not None:
        lines.append("  ?s prov:wasGeneratedBy ?_gen . ?_gen a pr:Generation ; prov:used ?_cfg .")
        if filters.generator is not None:
            lines.append(f"  ?_cfg pr:generatorName {lit(filters.generator)} .")
        if filters.prompt_version is not None:
            lines.append(f"  ?_cfg pr:promptVersion {lit(filters.prompt_version)} .")
    if filters.annotator is not None:
        lines.append(
            "  ?s pr:hasLabel ?_al . ?_al prov:wasAttributedTo ?_agent . "
            f"?_agent rdfs:label {lit(filters.annotator)} ."
        )
    for n, (field, value) in enumerate(filters.labels):
        lines.append(
            f"  ?s pr:hasLabel ?_l{n} . ?_l{n} pr:labelField {lit(field)} ; "
            f"pr:labelValue ?_v{n} . FILTER(STR(?_v{n}) = {lit(value)})"
        )
    lines.append("}")
    return "\n".join(lines)


def allowed_iris(
    kg: KnowledgeGraph,
    filters: Filters | None = None,
    *,
    default_clearance: Clearance = DEFAULT_CLEARANCE,
) -> set[str]:
    """IRIs of the current (never invalidated) samples that pass ``filters``."""
    result = kg.query(filters_query(filters or Filters(), default_clearance))
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT gives rows
        raise FilterError("the filter query did not return rows")
    rows: list[dict[str, Any]] = result.rows
    return {str(r["s"].value) for r in rows if r.get("s") is not None}


def graph_state(kg: KnowledgeGraph) -> str:
    """A key that changes whenever a committed graph that may change samples appears.

    The registry lists every committed activity graph (ingest batches, deletions,
    ...); graphs of answers, evaluation runs and golden sets are left out since
    they never add, change or invalidate a sample. A graph still open is not seen.
    """
    result = kg.store.query(
        f'SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{PR.batchStatus}> "committed" }} }}'
    )
    if not isinstance(result, SelectResult):  # pragma: no cover
        raise FilterError("the graph registry query did not return rows")
    rows: list[dict[str, Any]] = result.rows
    names = sorted(
        str(r["g"].value)
        for r in rows
        if r.get("g") is not None and not str(r["g"].value).startswith(_INERT_GRAPHS)
    )
    return ids.sha256_hex("\n".join(names))


@dataclass(frozen=True, eq=False)
class AllowedSet:
    """Samples a search may return: their IRIs and their index ids (sorted)."""

    iris: frozenset[str]
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.iris)

    def __contains__(self, iri: object) -> bool:
        return iri in self.iris

    def mask(self, candidate_ids: ArrayLike) -> np.ndarray:
        """Which of ``candidate_ids`` are allowed."""
        cand = np.asarray(candidate_ids, dtype=np.int64)
        if len(self.ids) == 0 or len(cand) == 0:
            return np.zeros(len(cand), dtype=bool)
        pos = np.searchsorted(self.ids, cand)
        pos[pos >= len(self.ids)] = 0
        return np.asarray(self.ids[pos] == cand)

    @classmethod
    def of(cls, iris: set[str] | frozenset[str]) -> AllowedSet:
        return cls(frozenset(iris), np.sort(iris_to_ids(iris)))


class AllowedSets:
    """LRU cache of :class:`AllowedSet` per (graph state, filters, default clearance)."""

    def __init__(
        self, kg: KnowledgeGraph, default_clearance: Clearance = DEFAULT_CLEARANCE, size: int = 32
    ) -> None:
        self.kg = kg
        self.default_clearance = check_clearance(default_clearance)
        self.size = size
        self._cache: OrderedDict[tuple[str, str], AllowedSet] = OrderedDict()
        #: how many SPARQL filter queries ran (the rest came from the cache)
        self.queries = 0

    def get(self, filters: Filters | None, state: str) -> AllowedSet:
        f = (filters or Filters()).with_clearance(self.default_clearance)
        key = (state, f.key())
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        allowed = AllowedSet.of(allowed_iris(self.kg, f, default_clearance=self.default_clearance))
        self.queries += 1
        self._cache[key] = allowed
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return allowed
