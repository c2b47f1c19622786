"""Section 4: the whole GraphRetriever's search latency, dense, graph-enriched, filtered."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from kg import ids as kg_ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    BatchInfo,
    SharedNodes,
    batch_triples,
    dataset_version_triples,
    sample_context,
    sample_triples,
)
from kg.model import SampleRecord
from kg.store.embedded import OxigraphStore
from kg.typing import IndexType
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.index_sync import sync_index
from searchbench.common import console, percentiles, table, tile, timed


def sentence_mentions(sentences: list[str], used: set[int]) -> dict[int, list[Any]]:
    """spaCy mentions (ingest's extractor) of each used sentence, run once per sentence."""
    from ingest.ner import load_extractor

    extractor = load_extractor()
    order = sorted(used)
    found = extractor.extract([sentences[j] for j in order])
    return dict(zip(order, found, strict=True))


def write_entity_graph(
    kg: KnowledgeGraph,
    texts: Sequence[str],
    parts: Sequence[Sequence[int]],
    sentences: Sequence[str],
    mentions: dict[int, list[Any]],
    rare_every: int = 100,
    *,
    batch_id: str = "bench-graph",
    prefix: str = "b",
) -> int:
    """Passages with their sentences' mentions as one batch; every ``rare_every``-th
    passage is in dataset ``rare`` (the 1% filter), the others in ``bench``. Returns
    the number of sample-entity mentions written."""
    from dataclasses import replace

    from kg.mapping import extraction_triples, mention_triples

    batch = kg_ids.batch_iri(batch_id)
    shared = SharedNodes()
    when = datetime.now(UTC)
    written = 0
    with kg.write_graph(batch) as writer:
        chunk: list[str] = dataset_version_triples("bench", "1") + dataset_version_triples(
            "rare", "1"
        )
        for i, (text, part) in enumerate(zip(texts, parts, strict=True)):
            dataset = "rare" if i % rare_every == 0 else "bench"
            rec = SampleRecord(id=f"{prefix}{i}", text=text, origin="real", dataset=dataset)
            ctx = sample_context(rec, f"{prefix}{i}", batch)
            iri = ctx.iri
            chunk += sample_triples(rec, ctx, shared)
            spans, offset = [], 0
            for j in part:
                spans += [replace(m, start=m.start + offset, end=m.end + offset)
                          for m in mentions[j]]  # fmt: skip
                offset += len(sentences[j]) + 1
            if spans:
                extraction = kg_ids.extraction_iri(iri)
                chunk += mention_triples(iri, spans, extraction, shared)
                chunk += extraction_triples(extraction, batch, "bench-ner", "1", False)
                written += len({(m.entity_type, m.normalized) for m in spans})
            if len(chunk) > 200_000:
                writer.add_statements(chunk)
                chunk = []
        chunk += batch_triples(
            BatchInfo(batch, when, when, "bench", [], {"read": len(texts)}, "fail", "skip")
        )
        writer.add_statements(chunk)
    return written


def bench_refresh(
    kg: KnowledgeGraph,
    retriever: Any,
    texts: Sequence[str],
    parts: Sequence[Sequence[int]],
    sentences: Sequence[str],
    mentions: dict[int, list[Any]],
    n: int,
    query: str,
    delta: int = 1000,
) -> dict[str, Any]:
    """Seconds to bring the entity adjacency and the PageRank graph up to date after
    an ingest of ``delta`` samples (incremental refresh), against a full reload."""
    from kg.queries.state import graph_state
    from retrieval.enrich import load_entity_graph

    retriever.search(query, 10)  # the adjacency and PageRank graph of the current state
    take = [i % len(texts) for i in range(delta)]
    write_entity_graph(
        kg, [texts[i] for i in take], [parts[i] for i in take], sentences, mentions,
        batch_id="bench-delta", prefix="d",
    )  # fmt: skip
    state = graph_state(kg)
    adj_s, entities = timed(partial(retriever.enricher.graph, state))
    ppr_s, _ = timed(partial(retriever.pagerank.graph, entities))
    full_s, _ = timed(partial(load_entity_graph, kg, state))
    return {
        f"refresh_after_{delta}_ingest_s": round(adj_s + ppr_s, 3),
        "refresh_adjacency_s": round(adj_s, 3),
        "refresh_pagerank_graph_s": round(ppr_s, 3),
        "full_adjacency_reload_s": round(full_s, 3),
        "refreshed_incrementally": retriever.enricher.refreshes > 0,
        "n_after_refresh": n + delta,
    }


def bench_retriever(
    embedder: SentenceTransformerEmbedder,
    sizes: Sequence[int],
    base_vectors: np.ndarray,
    corpus: tuple[list[str], list[str], str, list[str], list[list[int]]],
    n_queries: int,
    index_types: Sequence[IndexType] = ("flat",),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from kg.model import Filters
    from kg.typing import RetrieverMode
    from provrag.wiring import NerQueryLinker
    from retrieval.config import RetrieverConfig
    from retrieval.embedder import EmbeddingCache as Cache
    from retrieval.index_sync import CACHE_FILE
    from retrieval.retriever import GraphRetriever

    texts, queries, _, sentences, parts = corpus
    queries = queries[:n_queries]
    used = {j for p in parts[: max(sizes)] for j in p}
    t0 = time.perf_counter()
    mentions = sentence_mentions(sentences, used)
    ner_s = time.perf_counter() - t0
    console.print(f"  NER over {len(used):,} distinct sentences: {ner_s:.1f}s")
    from ingest.ner import load_extractor

    linker = NerQueryLinker(load_extractor())
    setups: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    rare = Filters(dataset="rare")
    for n in sizes:
        vectors = base_vectors[:n] if n <= len(base_vectors) else tile(base_vectors, n)
        how = "embedded" if n <= len(base_vectors) else "tiled"
        with tempfile.TemporaryDirectory() as tmp:
            kg = KnowledgeGraph(OxigraphStore(None))
            graph_s, links = timed(
                partial(write_entity_graph, kg, texts[:n], parts[:n], sentences, mentions)
            )
            directory = Path(tmp)
            with Cache(directory / CACHE_FILE, embedder.model_name, embedder.dimension) as c:
                c.put([kg_ids.text_hash(t) for t in texts[:n]], vectors)
            sync_s, report = timed(partial(sync_index, kg, directory, embedder))
            if report.embedded:
                raise RuntimeError(f"sync embedded {report.embedded} texts; expected none")
            variants: list[tuple[str, RetrieverMode, RetrieverConfig, Filters | None]] = [
                ("dense", "dense", RetrieverConfig(), None),
                ("dense + graph", "enriched",
                 RetrieverConfig(weights={"dense": 1.0, "lexical": 0.0, "graph": 1.0}), None),
                ("dense + lexical + graph (PPR)", "enriched", RetrieverConfig(), None),
                # the bench passages have no titles, so the subject gate keeps PageRank
                # from running; these rows run it for every query that links an entity
                ("dense + graph, PPR ungated", "enriched",
                 RetrieverConfig(weights={"dense": 1.0, "lexical": 0.0, "graph": 1.0},
                                 ppr_gate_subject=False), None),
                ("dense + lexical + graph (PPR ungated)", "enriched",
                 RetrieverConfig(ppr_gate_subject=False), None),
                ("dense + lexical + graph (expand)", "enriched",
                 RetrieverConfig(graph_ranking="expand"), None),
                ("dense, 1% filter", "dense", RetrieverConfig(), rare),
                ("dense + graph, 1% filter", "enriched",
                 RetrieverConfig(weights={"dense": 1.0, "lexical": 0.0, "graph": 1.0}), rare),
            ]  # fmt: skip
            setup = {"n": n, "vectors": how, "graph_write_s": round(graph_s, 2),
                     "entity_links": links, "sync_s": round(sync_s, 2),
                     "graph_triples": kg.triple_count(), "ner_s": round(ner_s, 2),
                     "loadavg_before": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
            for index_type, (label, mode, config, filters) in (
                (t, v) for t in index_types for v in variants
            ):
                if index_type != report.index_type:
                    convert_s, report = timed(
                        partial(sync_index, kg, directory, embedder, index_type=index_type)
                    )
                    setup[f"convert_to_{index_type}_s"] = round(convert_s, 2)
                retriever = GraphRetriever(kg, directory, embedder, linker, config, mode)
                first_s, _ = timed(partial(retriever.search, queries[0], 10, filters))
                setup[f"first_query_s[{label}, {index_type}]"] = round(first_s, 3)
                for q in queries[1:6]:  # warm-up
                    retriever.search(q, 10, filters)
                times: list[float] = []
                short = wrong = graph_hits = 0
                for q in queries:
                    t_start = time.perf_counter()
                    hits = retriever.search(q, 10, filters)
                    times.append(time.perf_counter() - t_start)
                    short += int(len(hits) < 10)
                    wrong += sum(1 for h in hits if filters and h.dataset != "rare")
                    graph_hits += sum(1 for h in hits if h.graph_path)
                embed_t = []
                for q in queries[:50]:
                    t_start = time.perf_counter()
                    retriever.embed_query(q)
                    embed_t.append(time.perf_counter() - t_start)
                rows.append({
                    "n": n, "retriever": label, "index": index_type, "vectors": how,
                    **percentiles(times),
                    "embed_p50_ms": percentiles(embed_t)["p50_ms"], "short_lists": short,
                    "hits_failing_filter": wrong,
                    "graph_hits_per_query": round(graph_hits / len(queries), 2),
                })  # fmt: skip
                console.print(f"  n={n:,} {label} [{index_type}]: {rows[-1]}")
            setup.update(
                bench_refresh(kg, retriever, texts, parts, sentences, mentions, n, queries[0])
            )
            setup["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
            setups.append(setup)
            kg.store.close()
    table(
        "Retriever search latency, k=10, incl. query embedding + NER + hydration (ms)",
        ["n", "index", "retriever", "p50", "p95", "embed p50", "short", "off-filter", "graph/q"],
        [
            [
                f"{r['n']:,}",
                r["index"],
                r["retriever"],
                r["p50_ms"],
                r["p95_ms"],
                r["embed_p50_ms"],
                r["short_lists"],
                r["hits_failing_filter"],
                r["graph_hits_per_query"],
            ]
            for r in rows
        ],
    )
    return setups, rows
