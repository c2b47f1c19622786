"""The sample <-> entity adjacency of the current samples, in CSR form.

:class:`EntityGraph` holds, for the *current* samples (``?s pr:mentions ?e``,
invalidated samples left out, read by :mod:`kg.queries.mentions`), two CSR arrays
(entity -> samples, sample -> entities), the entities' names and types, and the
mention rows they were built from, so :mod:`retrieval.entity_refresh` can apply the
delta of a commit. Graph expansion (:mod:`retrieval.enrich`) and entity PageRank
(:mod:`retrieval.entity_pagerank`) both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kg.graph import KnowledgeGraph
from kg.queries.mentions import current_mentions, entity_names
from retrieval.index import iri_to_id
from retrieval.linking import LinkedEntity


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((cols, rows))
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
    return ptr, cols[order].astype(np.int32)


def _type_and_tail(entity_iri: str) -> tuple[str, str]:
    """``(type, encoded normalised name)`` of ``prid:entity/<type>/<name>``."""
    head, _, tail = entity_iri.rstrip("/").rpartition("/")
    return head.rpartition("/")[2], tail


@dataclass
class EntityGraph:
    """Sample <-> entity adjacency of the current samples, in CSR form."""

    entity_iris: list[str]
    labels: list[str]
    types: list[str]
    norms: list[str]
    sample_iris: list[str]
    external_ids: list[str]
    sample_ids: np.ndarray  # index id (iri_to_id) of each sample position
    ent_ptr: np.ndarray
    ent_samples: np.ndarray  # sample positions, per entity
    smp_ptr: np.ndarray
    smp_entities: np.ndarray  # entity positions, per sample
    df: np.ndarray
    idf: np.ndarray
    state: str = ""
    #: the mention rows (sample position, entity position) the CSR arrays were built from
    rows_s: np.ndarray | None = None
    rows_e: np.ndarray | None = None
    #: the committed graphs (:func:`kg.queries.state.sample_state_graphs`) it reflects
    graphs: tuple[str, ...] = ()
    entity_index: dict[str, int] = field(default_factory=dict)
    by_tail: dict[str, list[int]] = field(default_factory=dict)
    sample_index: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entity_index = {iri: i for i, iri in enumerate(self.entity_iris)}
        for i, iri in enumerate(self.entity_iris):
            self.by_tail.setdefault(_type_and_tail(iri)[1], []).append(i)
        self.sample_index = {int(s): i for i, s in enumerate(self.sample_ids)}

    @property
    def n_samples(self) -> int:
        return len(self.sample_iris)

    @property
    def n_entities(self) -> int:
        return len(self.entity_iris)

    def samples_of(self, entity: int) -> np.ndarray:
        return self.ent_samples[self.ent_ptr[entity] : self.ent_ptr[entity + 1]]

    def entities_of(self, sample: int) -> np.ndarray:
        return self.smp_entities[self.smp_ptr[sample] : self.smp_ptr[sample + 1]]

    def entity_text(self, entity: int) -> str:
        return f"{self.labels[entity]} ({self.types[entity]})"

    def resolve(self, linked: list[LinkedEntity]) -> list[int]:
        """Positions of the linked entities in this graph, each once.

        An IRI not in the graph falls back to entities with the same normalised
        name under another type (the query's NER may type "Paris" differently).
        """
        out: dict[int, None] = {}
        for e in linked:
            pos = self.entity_index.get(e.iri)
            if pos is not None:
                out[pos] = None
                continue
            for p in self.same_name(e.iri):
                out[p] = None
        return [p for p in out if self.df[p] > 0]

    def same_name(self, entity_iri: str) -> list[int]:
        """Positions of the entities sharing ``entity_iri``'s normalised name (any type)."""
        return self.by_tail.get(_type_and_tail(entity_iri)[1], [])

    def names(self) -> dict[str, list[tuple[str, str]]]:
        """Normalised name -> ``(iri, type)`` of the entities mentioned by current samples."""
        out: dict[str, list[tuple[str, str]]] = {}
        for i, norm in enumerate(self.norms):
            if norm and self.df[i] > 0:
                out.setdefault(norm, []).append((self.entity_iris[i], self.types[i]))
        return out


def load_entity_graph(
    kg: KnowledgeGraph, state: str = "", graphs: tuple[str, ...] = ()
) -> EntityGraph:
    """The adjacency of the graph's current samples and the entities they mention
    (``graphs``: the committed graphs it reflects, for :mod:`retrieval.entity_refresh`)."""
    mentions = current_mentions(kg)
    ent_iris: list[str] = []
    labels: list[str] = []
    types: list[str] = []
    norms: list[str] = []
    ent_pos: dict[str, int] = {}
    for name in entity_names(kg):
        etype, tail = _type_and_tail(name.iri)
        ent_pos[name.iri] = len(ent_iris)
        ent_iris.append(name.iri)
        labels.append(name.label if name.label is not None else tail)
        types.append(name.type if name.type is not None else etype)
        norms.append(name.normalized_name if name.normalized_name is not None else "")
    smp_pos: dict[str, int] = {}
    sample_iris: list[str] = []
    external: list[str] = []
    rows_s: list[int] = []
    rows_e: list[int] = []
    for s, ext, e in mentions:
        sp = smp_pos.get(s)
        if sp is None:
            sp = smp_pos[s] = len(sample_iris)
            sample_iris.append(s)
            external.append(ext if ext is not None else s.rsplit("/", 2)[-2])
        ep = ent_pos.get(e)
        if ep is None:  # mentioned but not typed pr:Entity: keep it, named by its IRI
            etype, tail = _type_and_tail(e)
            ep = ent_pos[e] = len(ent_iris)
            ent_iris.append(e)
            labels.append(tail)
            types.append(etype)
            norms.append("")
        rows_s.append(sp)
        rows_e.append(ep)
    return graph_from_rows(
        ent_iris, labels, types, norms, sample_iris, external,
        np.asarray(rows_s, dtype=np.int64), np.asarray(rows_e, dtype=np.int64),
        state=state, graphs=graphs,
    )  # fmt: skip


def graph_from_rows(
    ent_iris: list[str],
    labels: list[str],
    types: list[str],
    norms: list[str],
    sample_iris: list[str],
    external: list[str],
    s_arr: np.ndarray,
    e_arr: np.ndarray,
    *,
    state: str = "",
    graphs: tuple[str, ...] = (),
    sample_ids: np.ndarray | None = None,
) -> EntityGraph:
    """The :class:`EntityGraph` of mention rows ``(s_arr[i], e_arr[i])`` (positions in
    ``sample_iris`` and ``ent_iris``); ``sample_ids``: their index ids when known."""
    n_s, n_e = len(sample_iris), len(ent_iris)
    ent_ptr, ent_samples = _csr(e_arr, s_arr, n_e)
    smp_ptr, smp_entities = _csr(s_arr, e_arr, n_s)
    df = np.diff(ent_ptr).astype(np.float64)
    with np.errstate(divide="ignore"):
        idf = np.where(df > 0, np.log1p(max(n_s, 1) / np.maximum(df, 1)), 0.0)
    if sample_ids is None or len(sample_ids) != n_s:
        known = 0 if sample_ids is None else len(sample_ids)
        fresh = np.fromiter((iri_to_id(s) for s in sample_iris[known:]), np.int64)
        sample_ids = fresh if sample_ids is None else np.concatenate([sample_ids, fresh])
    return EntityGraph(
        entity_iris=ent_iris,
        labels=labels,
        types=types,
        norms=norms,
        sample_iris=sample_iris,
        external_ids=external,
        sample_ids=sample_ids,
        ent_ptr=ent_ptr,
        ent_samples=ent_samples,
        smp_ptr=smp_ptr,
        smp_entities=smp_entities,
        df=df,
        idf=idf,
        state=state,
        rows_s=s_arr,
        rows_e=e_arr,
        graphs=graphs,
    )
