"""Answerable units: a hit on a derived sample counts for the sample it was made from.

A synthetic question or a paraphrase ``prov:wasDerivedFrom`` its source revision
(:func:`kg.queries.derivation.current_derivations`: both ends current). A search
returns the samples a user can cite (the *answerable* kinds, passages by default);
a channel's hit on a sample that is not answerable is moved to its source, which
must itself be answerable and allowed, keeping the best rank the source gets in that
channel (best score wins). A derived sample that is itself answerable (a paraphrase
ingested as a passage) stays a hit of its own. Chains (a paraphrase of a synthetic
question) are followed to the first answerable source.

:class:`Derivations` keeps the map of the current graph state (one query per change
of :func:`kg.queries.state.graph_state`), as index-id arrays, so mapping a channel
list is a few vector operations.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from kg.graph import KnowledgeGraph
from kg.queries.derivation import Derivation, current_derivations, release_derivations
from retrieval.filters import AllowedSet
from retrieval.fusion import ChannelList
from retrieval.index import iri_to_id

#: longest derivation chain followed (a paraphrase of a question of a passage: 2)
MAX_CHAIN = 4


@dataclass(frozen=True)
class MatchedVia:
    """The derived sample a source was found through."""

    sample_iri: str
    sample_id: str
    kind: str | None
    generator: str | None
    prompt_version: str | None
    #: the source's external id, as the explanation names it
    source_id: str = ""

    def describe(self) -> str:
        """e.g. ``matched synthetic question kb-0225, nw-question-gen prompt v2,
        derived from kb-0005``."""
        what = f"synthetic {self.kind}" if self.generator else (self.kind or "sample")
        parts = [f"matched {what} {self.sample_id}"]
        if self.generator:
            parts.append(
                self.generator + (f" prompt v{self.prompt_version}" if self.prompt_version else "")
            )
        if self.source_id:
            parts.append(f"derived from {self.source_id}")
        return ", ".join(parts)


@dataclass
class DerivationMap:
    """Derived sample -> its source(s), by index id, for one graph state."""

    #: sorted index ids of the derived samples; ``sources[i]`` the ids of their sources
    derived: np.ndarray
    sources: list[np.ndarray]
    info: dict[int, Derivation] = field(default_factory=dict)
    source_iris: dict[int, str] = field(default_factory=dict)
    state: str = ""

    @classmethod
    def build(cls, rows: list[Derivation], state: str = "") -> DerivationMap:
        by: dict[int, list[int]] = {}
        info: dict[int, Derivation] = {}
        source_iris: dict[int, str] = {}
        for d in rows:
            did, sid = iri_to_id(d.sample), iri_to_id(d.source)
            by.setdefault(did, []).append(sid)
            info.setdefault(did, d)
            source_iris[sid] = d.source
        derived = np.asarray(sorted(by), dtype=np.int64)
        return cls(
            derived,
            [np.asarray(sorted(set(by[int(i)])), dtype=np.int64) for i in derived],
            info,
            source_iris,
            state,
        )

    def __len__(self) -> int:
        return len(self.derived)

    def sources_of(self, sample_id: int) -> np.ndarray:
        pos = int(np.searchsorted(self.derived, sample_id))
        if pos < len(self.derived) and int(self.derived[pos]) == sample_id:
            return self.sources[pos]
        return np.zeros(0, dtype=np.int64)

    def answerable_source(self, sample_id: int, answerable: AllowedSet) -> int | None:
        """The first answerable source reached from ``sample_id`` (breadth first), or None."""
        frontier = [sample_id]
        seen = {sample_id}
        for _ in range(MAX_CHAIN):
            nxt: list[int] = []
            for s in frontier:
                for src in self.sources_of(s):
                    src = int(src)
                    if src in seen:
                        continue
                    seen.add(src)
                    if answerable.mask([src])[0]:
                        return src
                    nxt.append(src)
            if not nxt:
                return None
            frontier = nxt
        return None

    def answerable_sources(self, ids: np.ndarray, answerable: AllowedSet) -> np.ndarray:
        """:meth:`answerable_source` of many ids at once (-1: none), vectorised over each
        sample's first source (the rare sample with several sources takes the loop)."""
        out = np.full(len(ids), -1, dtype=np.int64)
        if len(ids) == 0 or len(self.derived) == 0:
            return out
        first = np.asarray([int(s[0]) for s in self.sources], dtype=np.int64)
        many = np.asarray([len(s) > 1 for s in self.sources])
        cur = np.asarray(ids, dtype=np.int64)
        todo = np.ones(len(ids), bool)
        for _ in range(MAX_CHAIN):
            pos = np.searchsorted(self.derived, cur)
            pos[pos >= len(self.derived)] = 0
            derived = todo & (self.derived[pos] == cur)
            if not derived.any():
                break
            slow = derived & many[pos]
            for j in np.flatnonzero(slow):
                src = self.answerable_source(int(ids[j]), answerable)
                out[j] = -1 if src is None else src
            todo &= ~slow
            derived &= ~slow
            nxt = np.where(derived, first[pos], cur)
            found = derived & answerable.mask(nxt)
            out[found] = nxt[found]
            todo &= derived & ~found
            cur = nxt
        return out

    def via(self, sample_id: int, source_external_id: str = "") -> MatchedVia | None:
        d = self.info.get(sample_id)
        if d is None:
            return None
        ext = d.external_id if d.external_id is not None else d.sample.rsplit("/", 2)[-2]
        return MatchedVia(d.sample, ext, d.kind, d.generator, d.prompt_version, source_external_id)


def map_to_answerable(
    lst: ChannelList,
    answerable: AllowedSet,
    derivations: DerivationMap | None,
    matched: dict[int, int],
    *,
    own_first: bool = True,
) -> ChannelList:
    """``lst`` with each hit on a non-answerable sample moved to its answerable source
    and the rest dropped.

    ``own_first`` (default): the answerable samples the channel found keep their order,
    and derived hits bring in, below them, the sources the channel did not find (a
    synthetic question is
    phrased like a query, so it outranks passages by form, not content: letting it lift
    its source above the passage that answers the query costs nDCG@10 on the bank
    golden set). Otherwise each source takes the best rank of itself and its derived
    samples.

    ``matched`` (source id -> derived id) records the sources a derived hit brought
    or lifted; a source already present above keeps its own entry.
    """
    if len(lst.ids) == 0:
        return lst
    ok = answerable.mask(lst.ids)
    if ok.all() or derivations is None or len(derivations) == 0:
        return ChannelList(lst.name, lst.ids[ok], lst.scores[ok], rank_offset=lst.rank_offset)
    ids: list[int] = lst.ids[ok].tolist() if own_first else []
    scores: list[float] = lst.scores[ok].tolist() if own_first else []
    seen: set[int] = set(ids)
    for i, s, good in zip(lst.ids.tolist(), lst.scores.tolist(), ok.tolist(), strict=True):
        if own_first and good:
            continue
        target = i if good else derivations.answerable_source(i, answerable)
        if target is None or target in seen:
            continue
        seen.add(target)
        ids.append(target)
        scores.append(s)
        if target != i:
            matched.setdefault(target, i)
    return ChannelList(lst.name, ids, scores, rank_offset=lst.rank_offset)


class Derivations:
    """The :class:`DerivationMap` of the current graph state, reloaded when it changes."""

    def __init__(self, kg: KnowledgeGraph, release: str | None = None) -> None:
        self.kg = kg
        #: a served release: the edges between its sample revisions, not the current ones
        self.release = release
        self._lock = threading.Lock()
        self._map: DerivationMap | None = None
        #: how many times the map was (re)loaded
        self.loads = 0

    def get(self, state: str) -> DerivationMap:
        with self._lock:
            m = self._map
            if m is None or m.state != state:
                edges = (
                    current_derivations(self.kg)
                    if self.release is None
                    else release_derivations(self.kg, self.release)
                )
                m = self._map = DerivationMap.build(edges, state)
                self.loads += 1
            return m
