"""Provenance and governance filters for search, evaluated in the graph.

A :class:`Filters` value says which samples a caller may get back: origin,
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
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import Origin
from kg.queries.filters import allowed_sample_iris
from kg.queries.filters import visible_sensitivities as kg_visible_sensitivities
from retrieval.errors import FilterError
from retrieval.index import iris_to_ids

Clearance = Literal["public", "internal", "restricted"]
CLEARANCES: tuple[str, ...] = get_args(Clearance)
DEFAULT_CLEARANCE: Clearance = "internal"


def parse_label(text: str) -> tuple[str, str]:
    """``"FIELD=VALUE"`` -> ``(FIELD, VALUE)``; both parts non-empty."""
    field, sep, value = text.partition("=")
    if not sep or not field.strip() or not value.strip():
        raise FilterError(
            f"label filter {text!r} is not FIELD=VALUE; write e.g. --label intent=refund"
        )
    return field.strip(), value.strip()


class Filters(BaseModel):
    """What a search may return. Every field set must hold (AND); ``None`` = any.

    ``labels``: ``(field, value)`` pairs; a sample matches a pair when one of its
    labels has that field and a value whose lexical form is ``value`` (``true``,
    ``3``, ``refund``). ``clearance``: the caller's clearance; ``None`` takes the
    retriever's default (settings ``retrieval.default_clearance``, "internal").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    origin: Origin | None = None
    dataset: str | None = None
    version: str | None = None
    generator: str | None = None
    prompt_version: str | None = None
    annotator: str | None = None
    labels: tuple[tuple[str, str], ...] = Field(default_factory=tuple)
    clearance: Clearance | None = None

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return (parse_label(value),)
        if isinstance(value, dict):
            return tuple((str(k), str(v)) for k, v in value.items())
        if isinstance(value, list | tuple):
            out = []
            for item in value:
                if isinstance(item, str):
                    out.append(parse_label(item))
                elif isinstance(item, list | tuple) and len(item) == 2:
                    out.append((str(item[0]), str(item[1])))
                else:
                    raise FilterError(
                        f"a label filter is FIELD=VALUE or a (field, value) pair, got {item!r}"
                    )
            return tuple(out)
        return value

    def with_clearance(self, default: Clearance) -> Filters:
        """These filters with ``clearance`` filled in from ``default`` when unset."""
        if self.clearance is not None:
            return self
        return self.model_copy(update={"clearance": default})

    def key(self) -> str:
        """A canonical text of the filters (cache key, recorded with answers)."""
        return ids.canonical_json(self.model_dump(mode="json"))

    def describe(self) -> dict[str, object]:
        """The filters that are set, JSON-able."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        if "labels" in data:
            data["labels"] = [f"{f}={v}" for f, v in self.labels]
        return data


def check_clearance(value: str) -> Clearance:
    if value not in CLEARANCES:
        raise FilterError(f"clearance {value!r} is unknown; use one of {', '.join(CLEARANCES)}")
    return value  # type: ignore[return-value]


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
