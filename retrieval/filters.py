"""Provenance and governance filters for search, evaluated in the graph.

A :class:`kg.model.Filters` value says which samples a caller may get back: origin,
dataset (and version), generator (and prompt version), annotator, label
``field=value`` pairs (all must hold) and a clearance. Whatever the filters,
invalidated samples are never allowed, and a sample is allowed only when its
sensitivity is at most the clearance (``public < internal < restricted``; a
sample without a sensitivity counts as ``restricted``: the filter fails closed).

:func:`allowed_iris` asks the graph (:mod:`kg.queries.filters`, one SPARQL query
over the current samples). :class:`AllowedSets` caches its answers per filters
and per *graph state* (:func:`kg.queries.state.graph_state`: the committed
activity graphs that can change samples), so a search pays the query once per
change of the graph, not once per call.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from kg.errors import FilterError
from kg.graph import KnowledgeGraph
from kg.model import Filters
from kg.queries.filters import allowed_sample_iris, allowed_sample_kinds
from kg.queries.filters import visible_sensitivities as kg_visible_sensitivities
from kg.typing import CLEARANCES, Clearance, SampleKind, literal_value
from retrieval.index import iris_to_ids

DEFAULT_CLEARANCE: Clearance = "internal"


def check_clearance(value: str) -> Clearance:
    clearance = literal_value(CLEARANCES, value)
    if clearance is not None:
        return clearance
    raise FilterError(f"clearance {value!r} is unknown; use one of {', '.join(CLEARANCES)}")


def visible_sensitivities(clearance: Clearance) -> list[str]:
    """Sensitivities a caller with ``clearance`` may see (public < internal < restricted)."""
    return kg_visible_sensitivities(check_clearance(clearance))


def allowed_iris(
    kg: KnowledgeGraph,
    filters: Filters | None = None,
    *,
    default_clearance: Clearance = DEFAULT_CLEARANCE,
) -> set[str]:
    """IRIs of the current (never invalidated) samples that pass ``filters``
    (:func:`kg.queries.filters.allowed_sample_iris`, the clearance filled in)."""
    f = filters or Filters()
    return allowed_sample_iris(kg, f, check_clearance(f.clearance or default_clearance))


def scoped(filters: Filters | None, release: str | None) -> Filters | None:
    """``filters`` restricted to the ``release`` a retriever serves (None: the current
    samples). Raises :class:`~kg.errors.FilterError` when they name another release:
    a release is searched in its own index, by a retriever built for it."""
    asked = None if filters is None else filters.release
    if asked == release:
        return filters
    if asked is not None:
        served = f"release {release!r}" if release else "the current samples"
        raise FilterError(
            f"this retriever serves {served}, not release {asked!r}; build a retriever for "
            "that release (its index is its own)"
        )
    return (filters or Filters()).model_copy(update={"release": release})


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
    """LRU cache of :class:`AllowedSet` per (graph state, filters, default clearance).

    :meth:`get` is what a search may *match* (every kind; ``filters.kinds`` is not
    part of it); :meth:`answerable` is the part of it a search may *return*: the
    samples of the answerable kinds.
    """

    def __init__(
        self, kg: KnowledgeGraph, default_clearance: Clearance = DEFAULT_CLEARANCE, size: int = 32
    ) -> None:
        self.kg = kg
        self.default_clearance = check_clearance(default_clearance)
        self.size = size
        self._cache: OrderedDict[tuple[str, str], tuple[AllowedSet, dict[str, str | None]]] = (
            OrderedDict()
        )
        self._answerable: OrderedDict[tuple[str, str, tuple[str, ...]], AllowedSet] = OrderedDict()
        #: how many SPARQL filter queries ran (the rest came from the cache)
        self.queries = 0

    def _entry(
        self, filters: Filters | None, state: str
    ) -> tuple[str, tuple[AllowedSet, dict[str, str | None]]]:
        f = (filters or Filters()).with_clearance(self.default_clearance)
        if f.kinds is not None:
            f = f.model_copy(update={"kinds": None})
        key = (state, f.key())
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return key[1], hit
        kinds = allowed_sample_kinds(self.kg, f, check_clearance(f.clearance or "internal"))
        entry = (AllowedSet.of(set(kinds)), kinds)
        self.queries += 1
        self._cache[key] = entry
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return key[1], entry

    def get(self, filters: Filters | None, state: str) -> AllowedSet:
        """The samples of every kind that pass ``filters`` in ``state``."""
        return self._entry(filters, state)[1][0]

    def answerable(
        self, filters: Filters | None, state: str, kinds: tuple[SampleKind, ...]
    ) -> AllowedSet:
        """The samples of :meth:`get` whose kind is one of ``kinds``."""
        fkey, (allowed, kind_of) = self._entry(filters, state)
        key = (state, fkey, tuple(sorted(kinds)))
        hit = self._answerable.get(key)
        if hit is not None:
            self._answerable.move_to_end(key)
            return hit
        wanted = set(kinds)
        out = (
            allowed
            if set(kind_of.values()) <= wanted
            else AllowedSet.of({iri for iri, k in kind_of.items() if k in wanted})
        )
        self._answerable[key] = out
        while len(self._answerable) > self.size:
            self._answerable.popitem(last=False)
        return out
