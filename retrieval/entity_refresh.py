"""Refreshing the entity adjacency by the delta of an ingest or a delete.

Loading the whole adjacency (:func:`retrieval.enrich.load_entity_graph`) reads every
mention of the graph (about 10 s at 100k samples). After a commit the graph differs
from the one loaded by the committed graphs added since
(:func:`kg.queries.state.sample_state_graphs`), so :func:`refresh` reads only those:
the mentions they state of current samples, the entities they describe, and the
samples they invalidate. Mention rows of invalidated samples are dropped; new
entities and samples are appended (positions of the old ones never move, which
keeps the PageRank graph's name vectors and synonym edges valid); the CSR arrays are
rebuilt from the rows (vector operations, no SPARQL). The result equals a full
reload up to the order of positions (tests/retrieval/test_entity_refresh.py).
"""

from __future__ import annotations

import numpy as np

from kg.graph import KnowledgeGraph
from kg.queries.mentions import entity_names_in_graphs, invalidated_in_graphs, mentions_in_graphs
from kg.queries.state import sample_state_graphs
from retrieval.entity_graph import EntityGraph, _type_and_tail, graph_from_rows


def current_graphs(kg: KnowledgeGraph) -> tuple[str, ...]:
    """The committed graphs that can change samples, sorted."""
    return tuple(sample_state_graphs(kg))


def refresh(
    kg: KnowledgeGraph, old: EntityGraph, graphs: tuple[str, ...], state: str
) -> EntityGraph:
    """``old`` brought up to ``graphs`` (a superset of ``old.graphs``) by their delta."""
    added = sorted(set(graphs) - set(old.graphs))
    if not added or old.rows_s is None or old.rows_e is None:
        return _restate(old, graphs, state)
    ent_iris, labels = list(old.entity_iris), list(old.labels)
    types, norms = list(old.types), list(old.norms)
    ent_pos = dict(old.entity_index)
    for name in entity_names_in_graphs(kg, added):
        if name.iri in ent_pos:
            continue
        etype, tail = _type_and_tail(name.iri)
        ent_pos[name.iri] = len(ent_iris)
        ent_iris.append(name.iri)
        labels.append(name.label if name.label is not None else tail)
        types.append(name.type if name.type is not None else etype)
        norms.append(name.normalized_name if name.normalized_name is not None else "")
    sample_iris, external = list(old.sample_iris), list(old.external_ids)
    smp_pos = {iri: i for i, iri in enumerate(sample_iris)}
    gone = [smp_pos[s] for s in invalidated_in_graphs(kg, added) if s in smp_pos]
    new_s: list[int] = []
    new_e: list[int] = []
    for s, ext, e in mentions_in_graphs(kg, added):
        sp = smp_pos.get(s)
        if sp is None:
            sp = smp_pos[s] = len(sample_iris)
            sample_iris.append(s)
            external.append(ext if ext is not None else s.rsplit("/", 2)[-2])
        ep = ent_pos.get(e)
        if ep is None:
            etype, tail = _type_and_tail(e)
            ep = ent_pos[e] = len(ent_iris)
            ent_iris.append(e)
            labels.append(tail)
            types.append(etype)
            norms.append("")
        new_s.append(sp)
        new_e.append(ep)
    s_arr, e_arr = old.rows_s, old.rows_e
    if gone:
        keep = ~np.isin(s_arr, np.asarray(gone, dtype=np.int64))
        s_arr, e_arr = s_arr[keep], e_arr[keep]
    if new_s:
        ns, ne = np.asarray(new_s, np.int64), np.asarray(new_e, np.int64)
        fresh = ~_pairs_in(ns, ne, s_arr, e_arr, len(ent_iris))
        s_arr, e_arr = np.concatenate([s_arr, ns[fresh]]), np.concatenate([e_arr, ne[fresh]])
    return graph_from_rows(
        ent_iris, labels, types, norms, sample_iris, external, s_arr, e_arr,
        state=state, graphs=graphs, sample_ids=old.sample_ids,
    )  # fmt: skip


def _pairs_in(
    s: np.ndarray, e: np.ndarray, s_all: np.ndarray, e_all: np.ndarray, n_e: int
) -> np.ndarray:
    """Which ``(s[i], e[i])`` already are rows of ``(s_all, e_all)``."""
    key = s * max(n_e, 1) + e
    known = np.unique(s_all * max(n_e, 1) + e_all)
    pos = np.searchsorted(known, key)
    pos[pos >= len(known)] = 0
    return (known[pos] == key) if len(known) else np.zeros(len(key), bool)


def _restate(old: EntityGraph, graphs: tuple[str, ...], state: str) -> EntityGraph:
    old.state, old.graphs = state, graphs
    return old
