"""A networkx view of the entity graph: current samples and the named entities they mention.

The view is bipartite: an edge joins a sample and an entity when ``?s pr:mentions ?e``;
invalidated samples (``prov:invalidatedAtTime``) are left out, so no path runs through
them. Nodes are IRIs, with attributes

- ``kind``: ``"sample"`` or ``"entity"`` (and ``bipartite``: 0 or 1, networkx's convention);
- ``label``: the sample's external id, the entity's ``skos:prefLabel``;
- ``type``: the sample's ``pr:kind`` (passage, question...), the entity's ``pr:entityType``;
- ``origin`` (samples only): ``"real"`` or ``"synthetic"``.

``hops`` counts the samples a path passes through: with ``hops=1`` an entity reaches
the samples that mention it (``entity -> sample``) and its co-mentioned entities
(``entity -> sample -> entity``); ``hops=2`` goes one bridge further
(``entity -> sample -> entity -> sample``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import networkx as nx

from kg.errors import NetViewError
from kg.graph import KnowledgeGraph

SAMPLE = "sample"
ENTITY = "entity"

_MENTIONS = """
SELECT ?s ?ext ?kind ?origin ?e WHERE {
  ?s a pr:Sample ; pr:mentions ?e .
  FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?t }
  OPTIONAL { ?s pr:externalId ?ext }
  OPTIONAL { ?s pr:kind ?kind }
  OPTIONAL { ?s pr:origin ?origin }
}
"""

_ENTITIES = """
SELECT ?e (MIN(?l) AS ?label) (MIN(?t) AS ?type) (MIN(?n) AS ?norm) WHERE {
  ?s a pr:Sample ; pr:mentions ?e .
  FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?x }
  OPTIONAL { ?e skos:prefLabel ?l }
  OPTIONAL { ?e pr:entityType ?t }
  OPTIONAL { ?e pr:normalizedName ?n }
}
GROUP BY ?e
"""


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def entity_graph(kg: KnowledgeGraph) -> nx.Graph:
    """The bipartite sample—entity graph of the current (not invalidated) samples."""
    g = nx.Graph(kind="sample-entity")
    for row in kg.select(_ENTITIES):
        e = str(row["e"])
        g.add_node(
            e,
            kind=ENTITY,
            bipartite=1,
            label=str(row.get("label") or row.get("norm") or _tail(e)),
            type=row.get("type"),
        )
    for row in kg.select(_MENTIONS):
        s, e = str(row["s"]), str(row["e"])
        if s not in g:
            g.add_node(
                s,
                kind=SAMPLE,
                bipartite=0,
                label=str(row.get("ext") or _tail(s)),
                type=row.get("kind"),
                origin=row.get("origin"),
            )
        g.add_edge(s, e)
    return g


def _check_hops(hops: int) -> None:
    if not isinstance(hops, int) or hops < 1:
        raise NetViewError(f"hops must be an integer of at least 1, got {hops!r}; pass 1 or more")


def _is(g: nx.Graph, node: str, kind: str) -> bool:
    return bool(g.has_node(node) and g.nodes[node].get("kind") == kind)


def _bfs(g: nx.Graph, sources: list[str], max_edges: int) -> dict[str, str | None]:
    """Parents of a breadth-first search from ``sources`` (neighbours in sorted order)."""
    parent: dict[str, str | None] = {s: None for s in sources}
    depth = dict.fromkeys(sources, 0)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        if depth[node] == max_edges:
            continue
        for nb in sorted(g.adj[node]):
            if nb not in parent:
                parent[nb] = node
                depth[nb] = depth[node] + 1
                queue.append(nb)
    return parent


def _path(parent: dict[str, str | None], node: str) -> list[str]:
    out = [node]
    while (up := parent[out[-1]]) is not None:
        out.append(up)
    return out[::-1]


def entity_neighbours(g: nx.Graph, entity_iri: str, hops: int = 1) -> dict[str, int]:
    """Entities reachable from ``entity_iri`` through at most ``hops`` samples.

    Maps each (other) entity to the number of samples on its shortest path:
    1 for entities co-mentioned in a sample, 2 for their co-mentioned ones, ...
    Ordered by that distance, then by IRI. An entity not in ``g`` has none.
    """
    _check_hops(hops)
    if not _is(g, entity_iri, ENTITY):
        return {}
    lengths = nx.single_source_shortest_path_length(g, entity_iri, cutoff=2 * hops)
    found = [
        (d // 2, n)
        for n, d in lengths.items()
        if n != entity_iri and g.nodes[n].get("kind") == ENTITY
    ]
    return {n: d for d, n in sorted(found)}


def samples_for_entities(
    g: nx.Graph, entity_iris: Iterable[str], hops: int = 1
) -> dict[str, list[str]]:
    """For each sample within ``hops`` of the given entities, one shortest path to it.

    A path is a list of node IRIs starting at one of ``entity_iris`` and ending at the
    sample: ``[entity, sample]`` for a sample that mentions the entity, ``[entity,
    sample, entity, sample]`` through one bridge sample (``hops >= 2``), and so on.
    Ties are broken by IRI order, so the result is deterministic. Entities not in
    ``g`` are ignored. Ordered by path length, then sample IRI.
    """
    _check_hops(hops)
    sources = sorted({e for e in entity_iris if _is(g, e, ENTITY)})
    if not sources:
        return {}
    parent = _bfs(g, sources, max_edges=2 * hops - 1)
    paths = {n: _path(parent, n) for n in parent if g.nodes[n].get("kind") == SAMPLE}
    return dict(sorted(paths.items(), key=lambda kv: (len(kv[1]), kv[0])))
