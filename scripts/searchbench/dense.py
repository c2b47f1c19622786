"""Sections 1-3: embedding throughput, index builds and dense latency, exact vs HNSW."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from kg import ids as kg_ids
from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from retrieval.embedder import EmbeddingCache, SentenceTransformerEmbedder, embed_cached
from retrieval.index import VectorIndex, iris_to_ids
from retrieval.index_sync import sync_index
from retrieval.lexical import LexicalIndex
from searchbench.common import (
    console,
    percentiles,
    recall_at,
    table,
    tile,
    timed,
    unit_rows,
    write_graph,
)


def bench_embedding(
    embedder: SentenceTransformerEmbedder, texts: list[str], chunks: int
) -> dict[str, Any]:
    """Bare encode vs the ingest path, interleaved chunk by chunk.

    The texts are cut into ``chunks`` slices; each slice goes through the three
    paths back to back, in an order that rotates from slice to slice, so that a
    machine whose load changes during the run slows every path alike. The
    ``sync_index`` path ingests slice after slice like successive ingest
    batches: each sync embeds the new slice, adds it, rebuilds BM25 over all
    samples so far and writes a new index generation.
    """
    model = embedder.model
    model.encode(texts[:256], batch_size=embedder.batch_size, show_progress_bar=False)  # warm-up
    n = len(texts)
    size = -(-n // chunks)
    slices = [slice(i, min(i + size, n)) for i in range(0, n, size)]
    hashes = [kg_ids.text_hash(t) for t in texts]
    ids = iris_to_ids(f"urn:bench:{i}" for i in range(n))
    seconds = {"bare": 0.0, "sync": 0.0, "part": 0.0}
    bare_vectors: list[np.ndarray] = []
    with tempfile.TemporaryDirectory() as tmp:
        kg = KnowledgeGraph(OxigraphStore(None))
        sync_dir = Path(tmp) / "sync"
        cache = EmbeddingCache(Path(tmp) / "part.sqlite", embedder.model_name, embedder.dimension)
        index = VectorIndex(embedder.dimension)
        embedded = 0

        def bare(sl: slice) -> None:
            t, out = timed(
                lambda: model.encode(
                    texts[sl],
                    batch_size=embedder.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            seconds["bare"] += t
            bare_vectors.append(np.asarray(out, dtype=np.float32))

        def sync(sl: slice) -> None:
            nonlocal embedded
            write_graph(kg, texts[sl], batch_id=f"bench-{sl.start}", offset=sl.start or 0)
            t, report = timed(lambda: sync_index(kg, sync_dir, embedder))
            seconds["sync"] += t
            embedded += report.embedded

        def part(sl: slice) -> None:
            def run() -> None:
                vecs, _, _ = embed_cached(embedder, cache, texts[sl], hashes[sl])
                index.add(ids[sl], vecs)

            seconds["part"] += timed(run)[0]

        steps = [bare, sync, part]
        for i, sl in enumerate(slices):
            order = steps[i % 3 :] + steps[: i % 3]
            for step in order if i % 2 == 0 else order[::-1]:
                step(sl)
            done = sl.stop
            console.print(
                f"  {done:,}/{n:,}: "
                + ", ".join(f"{k} {done / v:,.1f}/s" for k, v in seconds.items() if v)
            )
        cache.close()
    if embedded != n:
        raise RuntimeError(f"sync embedded {embedded} texts, expected {n}")

    bare_rate = n / seconds["bare"]
    sync_rate = n / seconds["sync"]
    part_rate = n / seconds["part"]
    result = {
        "texts": n,
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "chunks": len(slices),
        "order": "interleaved per chunk, rotating",
        "bare_texts_per_s": round(bare_rate, 2),
        "sync_texts_per_s": round(sync_rate, 2),
        "embed_cache_add_texts_per_s": round(part_rate, 2),
        "ratio_sync_vs_bare": round(sync_rate / bare_rate, 3),
        "ratio_embed_cache_add_vs_bare": round(part_rate / bare_rate, 3),
        "target_ratio": 0.8,
    }
    table(
        f"Embedding throughput ({n:,} passages, same run, {len(slices)} interleaved chunks)",
        ["path", "texts/s", "ratio vs bare"],
        [
            ["bare model.encode", bare_rate, 1.0],
            ["Embedder + EmbeddingCache + VectorIndex.add", part_rate, part_rate / bare_rate],
            ["ingest path: sync_index per batch from the graph", sync_rate, sync_rate / bare_rate],
        ],
    )
    return {"result": result, "vectors": np.concatenate(bare_vectors)}


def bench_build_and_latency(
    embedder: SentenceTransformerEmbedder,
    sizes: Sequence[int],
    base_vectors: np.ndarray,
    texts_for: Callable[[int], list[str]],
    queries: list[str],
    embed_large: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    builds: list[dict[str, Any]] = []
    latencies: list[dict[str, Any]] = []
    rng = np.random.default_rng(3)
    for n in sizes:
        texts = texts_for(n)
        if n <= len(base_vectors):
            vectors, how = base_vectors[:n], "embedded"
        elif embed_large:
            vectors = embedder.embed(texts)
            how = "embedded"
        else:
            vectors = tile(base_vectors, n)
            how = f"tiled from {len(base_vectors):,} embedded vectors + noise"
        ids = iris_to_ids(f"urn:bench:{i}" for i in range(n))
        flat = VectorIndex(embedder.dimension, "flat")
        flat_s, _ = timed(partial(flat.add, ids, vectors))
        hnsw = VectorIndex(embedder.dimension, "hnsw")
        hnsw_s, _ = timed(partial(hnsw.add, ids, vectors))
        lexical = LexicalIndex()
        bm25_s, _ = timed(partial(lexical.build, ids, texts))
        with tempfile.TemporaryDirectory() as tmp:
            save_s, _ = timed(partial(flat.save, Path(tmp)))
        builds.append(
            {
                "n": n,
                "vectors": how,
                "flat_add_s": round(flat_s, 3),
                "hnsw_build_s": round(hnsw_s, 3),
                "bm25_build_s": round(bm25_s, 3),
                "flat_save_s": round(save_s, 3),
            }
        )
        allowed = np.sort(rng.choice(ids, size=max(n // 100, 1), replace=False))
        for r in queries[:10]:  # warm-up
            flat.search(embedder.embed([r]), 10)
        query_vectors = embedder.embed(queries)
        _, truth = flat.search(query_vectors, 10)
        _, truth_allowed = flat.search(query_vectors, 10, allowed=allowed)
        recall = {
            "flat": 1.0,
            "flat, 1% allowed": 1.0,
            "hnsw": recall_at(hnsw.search(query_vectors, 10)[1], truth),
            "hnsw, 1% allowed": recall_at(
                hnsw.search(query_vectors, 10, allowed=allowed)[1], truth_allowed
            ),
        }
        for label, index, allow in (
            ("flat", flat, None),
            ("flat, 1% allowed", flat, allowed),
            ("hnsw", hnsw, None),
            ("hnsw, 1% allowed", hnsw, allowed),
        ):
            embed_t: list[float] = []
            total_t: list[float] = []
            short = 0
            for q in queries:
                t0 = time.perf_counter()
                qv = embedder.embed([q])
                t1 = time.perf_counter()
                _, found = index.search(qv, 10, allowed=allow)
                t2 = time.perf_counter()
                embed_t.append(t1 - t0)
                total_t.append(t2 - t0)
                short += int(found.shape[1] < 10)
            latencies.append(
                {
                    "n": n,
                    "index": label,
                    "vectors": how,
                    **percentiles(total_t),
                    "embed_p50_ms": percentiles(embed_t)["p50_ms"],
                    "short_lists": short,
                    "recall10_vs_exact": round(recall[label], 4),
                }
            )
        del flat, hnsw, lexical
    table(
        "Index build (seconds)",
        ["n", "flat add", "HNSW build", "BM25 build", "flat save", "vectors"],
        [
            [
                f"{b['n']:,}",
                b["flat_add_s"],
                b["hnsw_build_s"],
                b["bm25_build_s"],
                b["flat_save_s"],
                b["vectors"],
            ]
            for b in builds
        ],
    )
    table(
        "Dense search latency incl. query embedding, k=10 (ms)",
        ["n", "index", "p50", "p95", "embed p50", "short lists", "R@10 vs exact"],
        [
            [
                f"{r['n']:,}",
                r["index"],
                r["p50_ms"],
                r["p95_ms"],
                r["embed_p50_ms"],
                r["short_lists"],
                r["recall10_vs_exact"],
            ]
            for r in latencies
        ],
    )
    return builds, latencies


def bench_crossover(
    sizes: Sequence[int], n_queries: int, real: np.ndarray | None, dim: int = 384
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(11)
    cases: list[tuple[str, np.ndarray]] = []
    if real is not None:
        cases.append(("real MiniLM", real))
    for n in sizes:
        cases.append(("random", unit_rows(rng.standard_normal((n, dim), dtype=np.float32))))
    for kind, data in cases:
        n = len(data)
        ids = np.arange(n, dtype=np.int64)
        random_q = unit_rows(rng.standard_normal((n_queries, dim), dtype=np.float32))
        near_q = unit_rows(data[rng.choice(n, n_queries)] + 0.6 * random_q)
        flat = VectorIndex(dim, "flat")
        flat_s, _ = timed(partial(flat.add, ids, data))
        hnsw = VectorIndex(dim, "hnsw")
        hnsw_s, _ = timed(partial(hnsw.add, ids, data))
        row: dict[str, Any] = {
            "data": kind,
            "n": n,
            "flat_build_s": round(flat_s, 3),
            "hnsw_build_s": round(hnsw_s, 3),
            "hnsw_ef_search": hnsw.ef_search,
        }
        for label, index in (("flat", flat), ("hnsw", hnsw)):
            times = []
            for q in near_q:
                t0 = time.perf_counter()
                index.search(q[None, :], 10)
                times.append(time.perf_counter() - t0)
            lat = percentiles(times)
            row[f"{label}_p50_ms"], row[f"{label}_p95_ms"] = lat["p50_ms"], lat["p95_ms"]
        for qname, qs in (("near", near_q), ("random", random_q)):
            _, truth = flat.search(qs, 10)
            _, got = hnsw.search(qs, 10)
            row[f"hnsw_recall10_{qname}_queries"] = round(recall_at(got, truth), 4)
        rows.append(row)
        console.print(f"  crossover {kind} n={n:,}: {row}")
        del flat, hnsw
    table(
        "Exact (flat) vs HNSW, 384-d unit vectors, k=10, single-query latency (ms)",
        [
            "data",
            "n",
            "flat build s",
            "HNSW build s",
            "flat p50",
            "flat p95",
            "HNSW p50",
            "HNSW p95",
            "HNSW R@10 near q",
            "HNSW R@10 random q",
        ],
        [
            [
                r["data"],
                f"{r['n']:,}",
                r["flat_build_s"],
                r["hnsw_build_s"],
                r["flat_p50_ms"],
                r["flat_p95_ms"],
                r["hnsw_p50_ms"],
                r["hnsw_p95_ms"],
                r["hnsw_recall10_near_queries"],
                r["hnsw_recall10_random_queries"],
            ]
            for r in rows
        ],
    )
    return rows
