"""networkx views of the graph: the entity graph, and the lineage graph users export.

:func:`lineage_graph` is what ``provrag export --format graphml|gexf`` writes: every
sample revision with its provenance as node attributes, and the entities, generator
configurations, annotators and dataset versions it is tied to (see its docstring).

:func:`entity_graph` is the view of current samples and the named entities they
mention. It is bipartite: an edge joins a sample and an entity when ``?s pr:mentions ?e``;
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
from datetime import datetime
from typing import Any

import networkx as nx

from kg.errors import NetViewError
from kg.graph import KnowledgeGraph
from kg.queries.netview import (
    all_mentions,
    current_mentions,
    generator_configs,
    label_attributions,
    memberships,
    mentioned_entities,
    sample_derivations,
    sample_nodes,
)

SAMPLE = "sample"
ENTITY = "entity"


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def entity_graph(kg: KnowledgeGraph) -> nx.Graph:
    """The bipartite sample—entity graph of the current (not invalidated) samples."""
    g = nx.Graph(kind="sample-entity")
    for row in mentioned_entities(kg):
        e = str(row["e"])
        g.add_node(
            e,
            kind=ENTITY,
            bipartite=1,
            label=str(row.get("label") or row.get("norm") or _tail(e)),
            type=row.get("type"),
        )
    for row in current_mentions(kg):
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


# ------------------------------------------------------------------ lineage graph

GENERATOR_CONFIG = "generator_config"
ANNOTATOR = "annotator"
DATASET_VERSION = "dataset_version"
#: how several values of one attribute (annotators, versions...) are joined
JOIN = " | "


def _put(attrs: dict[str, Any], **values: Any) -> dict[str, Any]:
    """``attrs`` plus the values that are set: GraphML and GEXF have no null, nor dates."""
    for key, value in values.items():
        if value is None or value == "":
            continue
        attrs[key] = value.isoformat() if isinstance(value, datetime) else value
    return attrs


def _joined(values: Iterable[Any]) -> str:
    return JOIN.join(sorted({str(v) for v in values if v is not None}))


def lineage_graph(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Samples and their provenance as a directed multigraph (nodes are IRIs).

    Every node has ``node_type`` and ``label``. Nodes by type, with their attributes:

    - ``sample`` (every revision, current or not): ``external_id``, ``origin``,
      ``kind``, ``sensitivity``, ``current`` (bool), ``invalidated_at``, ``dataset``,
      ``version`` (the dataset version label(s) it is a member of), ``generator``,
      ``model``, ``prompt_template``, ``prompt_version``, ``seed`` (synthetic ones),
      ``annotators``, ``label_fields``, ``guideline_versions``;
    - ``entity``: ``entity_type``, ``normalized``;
    - ``generator_config``: ``generator``, ``model``, ``prompt_template``,
      ``prompt_version``, ``seed``;
    - ``annotator``: ``agent`` (``"person"`` or ``"software"``);
    - ``dataset_version``: ``dataset``, ``version``.

    Several values of one attribute are joined with :data:`JOIN`. Edges run from a
    sample, keyed (and attributed, ``relation``) by what they mean: ``mentions``
    (entity), ``generated_by_config``, ``labelled_by`` (annotator; ``fields``: the
    label fields), ``in_version`` (dataset version), ``derived_from`` and
    ``revision_of`` (another sample).
    """
    g = nx.MultiDiGraph(name="provrag lineage")
    configs = {str(r["config"]): r for r in generator_configs(kg)}
    for iri, row in configs.items():
        generator, version = row.get("generator"), row.get("prompt_version")
        g.add_node(
            iri,
            **_put(
                {
                    "node_type": GENERATOR_CONFIG,
                    "label": f"{generator or _tail(iri)}{f' v{version}' if version else ''}",
                },
                generator=generator,
                model=row.get("model"),
                prompt_template=row.get("template"),
                prompt_version=version,
                seed=row.get("seed"),
            ),
        )
    for row in sample_nodes(kg):
        s = str(row["s"])
        config = configs.get(str(row.get("config")), {})
        g.add_node(
            s,
            **_put(
                {"node_type": SAMPLE, "label": str(row.get("ext") or _tail(s))},
                external_id=row.get("ext"),
                origin=row.get("origin"),
                kind=row.get("kind"),
                sensitivity=row.get("sensitivity"),
                current=bool(row.get("current")),
                invalidated_at=row.get("invalidated"),
                generator=config.get("generator"),
                model=config.get("model"),
                prompt_template=config.get("template"),
                prompt_version=config.get("prompt_version"),
                seed=config.get("seed"),
            ),
        )
        if row.get("config") is not None:
            if str(row["config"]) not in g:  # a config without its own triples
                g.add_node(
                    str(row["config"]), node_type=GENERATOR_CONFIG, label=_tail(str(row["config"]))
                )
            g.add_edge(
                s, str(row["config"]), key="generated_by_config", relation="generated_by_config"
            )
    _add_versions(g, memberships(kg))
    _add_annotators(g, label_attributions(kg))
    for row in mentioned_entities(kg, current_only=False):
        e = str(row["e"])
        g.add_node(
            e,
            **_put(
                {
                    "node_type": ENTITY,
                    "label": str(row.get("label") or row.get("norm") or _tail(e)),
                },
                entity_type=row.get("type"),
                normalized=row.get("norm"),
            ),
        )
    for row in all_mentions(kg):
        g.add_edge(str(row["s"]), str(row["e"]), key="mentions", relation="mentions")
    for row in sample_derivations(kg):
        relation = str(row["relation"])
        g.add_edge(str(row["s"]), str(row["source"]), key=relation, relation=relation)
    return g


def _add_versions(g: nx.MultiDiGraph, rows: list[dict[str, Any]]) -> None:
    by_sample: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        dv = str(row["dv"])
        if dv not in g:
            dataset, version = row.get("dataset"), row.get("version")
            label = f"{dataset} {version}" if dataset and version else _tail(dv)
            g.add_node(
                dv,
                **_put(
                    {"node_type": DATASET_VERSION, "label": label}, dataset=dataset, version=version
                ),
            )
        by_sample.setdefault(str(row["s"]), []).append(row)
        g.add_edge(str(row["s"]), dv, key="in_version", relation="in_version")
    for s, found in by_sample.items():
        _put(
            g.nodes[s],
            dataset=_joined(r.get("dataset") for r in found),
            version=_joined(r.get("version") for r in found),
        )


def _add_annotators(g: nx.MultiDiGraph, rows: list[dict[str, Any]]) -> None:
    by_pair: dict[tuple[str, str], set[str]] = {}
    by_sample: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        s, agent = str(row["s"]), str(row["agent"])
        if agent not in g:
            g.add_node(
                agent,
                node_type=ANNOTATOR,
                label=str(row.get("name") or _tail(agent)),
                agent="person" if row.get("person") else "software",
            )
        by_pair.setdefault((s, agent), set()).add(str(row.get("field") or ""))
        by_sample.setdefault(s, []).append(row)
    for (s, agent), fields in sorted(by_pair.items()):
        g.add_edge(
            s, agent, key="labelled_by", relation="labelled_by", fields=_joined(fields - {""})
        )
    for s, found in by_sample.items():
        _put(
            g.nodes[s],
            annotators=_joined(g.nodes[str(r["agent"])]["label"] for r in found),
            label_fields=_joined(r.get("field") for r in found),
            guideline_versions=_joined(r.get("guideline_version") for r in found),
        )
