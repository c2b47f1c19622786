"""Benchmark of the search stack: embedding path, index builds, search latency, crossover.

Sections (each printed as a table and written to ``bench_results/bench_search.json``;
sections other scripts or helpers add to that file are kept):

- ``embedding``: bare ``SentenceTransformer.encode`` against the ingest path on
  the same texts in the same run: (a) ``sync_index`` from a graph holding the
  samples (SPARQL read, cache lookup, embedding, FAISS add, BM25 rebuild, files
  written), (b) its embedding part alone (Embedder + EmbeddingCache + index add).
  The three run interleaved over ``--chunks`` slices of the texts (the sync path
  ingests slice after slice, like successive batches), so a load that changes
  during the run slows each alike. Ratio = path throughput / bare throughput
  (acceptance: >= 0.8).
- ``build``: seconds to build the flat and HNSW vector indexes and the BM25 index.
- ``latency``: dense search p50/p95 including query embedding, unfiltered and
  with an allowed set of 1% of the ids, at each corpus size.
- ``crossover``: exact vs HNSW on random unit 384-d vectors (and real MiniLM
  vectors at 10k): build time, query latency, HNSW recall@10 against exact.
  This sets ``Settings.hnsw_threshold``.
- ``retriever_latency``: the whole :class:`retrieval.retriever.GraphRetriever`
  search, p50/p95 at each size, including query embedding, query NER (spaCy,
  NER pipe only), graph expansion, fusion and the one-query SPARQL hydration of
  the k hits: dense alone; dense + graph enrichment (lexical weight 0: the
  acceptance row, target p50 <= 25 ms and p95 <= 60 ms at 100k); dense + lexical
  + graph; and dense and dense + graph with a filter that 1% of the samples pass.
  The graph holds the same passages with the entities spaCy finds in their
  sentences (NER runs once per distinct sentence) and an index synced from it
  (``sync_index``; the vectors come from the embedding section through the
  embedding cache, so nothing is embedded twice).

Passages are built from sentences of the public datasets in ``../shared/data``
(PubMedQA contexts, CLAPNQ passages), 2-4 sentences each, or from word lists
when those are absent. Embedding 100k passages takes many minutes on 2 CPU
cores, so by default the 100k index is made of the real 10k vectors tiled
with small random perturbations (said so in the output); ``--embed-large``
embeds every passage instead.

Usage: ``python scripts/bench_search.py [--sizes 10000,100000] [--embed-large]
[--skip-crossover] [--skip-retriever] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import ids as kg_ids  # noqa: E402
from kg.graph import KnowledgeGraph  # noqa: E402
from kg.mapping import (  # noqa: E402
    BatchInfo,
    SharedNodes,
    batch_triples,
    dataset_version_triples,
    sample_context,
    sample_triples,
)
from kg.model import SampleRecord  # noqa: E402
from kg.store.embedded import OxigraphStore  # noqa: E402
from kg.typing import INDEX_TYPES, IndexType, literal_value  # noqa: E402
from retrieval.embedder import (  # noqa: E402
    EmbeddingCache,
    SentenceTransformerEmbedder,
    embed_cached,
    load_embedder,
)
from retrieval.index import VectorIndex, iris_to_ids  # noqa: E402
from retrieval.lexical import LexicalIndex  # noqa: E402
from retrieval.sync import sync_index  # noqa: E402

DATA = ROOT / ".." / "shared" / "data"
OUT = ROOT / "bench_results" / "bench_search.json"
console = Console()

WORDS = [
    "protein",
    "cell",
    "patient",
    "study",
    "river",
    "city",
    "market",
    "energy",
    "water",
    "signal",
    "model",
    "data",
    "trial",
    "treatment",
    "risk",
    "growth",
    "network",
    "policy",
    "climate",
    "language",
    "history",
    "theory",
    "effect",
    "sample",
    "enzyme",
    "gene",
    "tissue",
    "voltage",
    "circuit",
    "harbour",
    "bridge",
    "festival",
    "election",
    "museum",
    "orbit",
]


# ------------------------------------------------------------------------ corpus


def _sentences() -> tuple[list[str], list[str]]:
    """(sentences, questions) from the shared datasets; empty lists if absent."""
    sentences: list[str] = []
    questions: list[str] = []
    pubmed = DATA / "pubmedqa_pqal" / "ori_pqal.json"
    if pubmed.is_file():
        for item in json.loads(pubmed.read_text(encoding="utf-8")).values():
            questions.append(item["QUESTION"])
            for context in item["CONTEXTS"]:
                sentences += [s for s in re.split(r"(?<=\.)\s+", context) if len(s) > 30]
    clapnq = DATA / "clapnq_dev" / "annotated_data" / "dev"
    for path in sorted(clapnq.glob("*.jsonl")) if clapnq.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            questions.append(item["input"])
            for passage in item.get("passages", []):
                sentences += [s for s in passage.get("sentences", []) if len(s) > 30]
    return sentences, questions


def make_corpus(n: int, n_queries: int, seed: int = 13) -> tuple[list[str], list[str], str]:
    """``n`` passages of 2-4 sentences, ``n_queries`` questions, and the source used."""
    passages, questions, source, _, _ = make_corpus_parts(n, n_queries, seed)
    return passages, questions, source


def make_corpus_parts(
    n: int, n_queries: int, seed: int = 13
) -> tuple[list[str], list[str], str, list[str], list[list[int]]]:
    """:func:`make_corpus` plus the sentence pool and each passage's sentence indices."""
    rng = random.Random(seed)
    sentences, questions = _sentences()
    source = "shared datasets (PubMedQA + CLAPNQ sentences, recombined)"
    if len(sentences) < 100:
        source = "synthetic word lists"
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(5000)
        ]
        questions = [f"what is the {rng.choice(WORDS)} of {rng.choice(WORDS)}" for _ in range(500)]
    parts = [[rng.randrange(len(sentences)) for _ in range(rng.randint(2, 4))] for _ in range(n)]
    passages = [" ".join(sentences[j] for j in p) + f" [{i}]" for i, p in enumerate(parts)]
    rng.shuffle(questions)
    return passages, questions[:n_queries], source, sentences, parts


def write_graph(
    kg: KnowledgeGraph, texts: Sequence[str], *, batch_id: str = "bench", offset: int = 0
) -> None:
    """The passages as one committed ingest batch (through kg.mapping, as ingest does)."""
    batch = kg_ids.batch_iri(batch_id)
    shared = SharedNodes()
    when = datetime.now(UTC)
    with kg.write_graph(batch) as writer:
        chunk: list[str] = dataset_version_triples("bench", "1")
        for i, text in enumerate(texts, start=offset):
            rec = SampleRecord(id=f"b{i}", text=text, origin="real", dataset="bench")
            ctx = sample_context(rec, f"b{i}", batch)
            chunk += sample_triples(rec, ctx, shared)
            if len(chunk) > 50_000:
                writer.add_statements(chunk)
                chunk = []
        chunk += batch_triples(
            BatchInfo(batch, when, when, "bench", [], {"read": len(texts)}, "fail", "skip")
        )
        writer.add_statements(chunk)


# ------------------------------------------------------------------------ helpers


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "mean_ms": round(float(arr.mean()), 3),
    }


def unit_rows(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def tile(vectors: np.ndarray, n: int, seed: int = 5, noise: float = 0.02) -> np.ndarray:
    """``n`` vectors: copies of ``vectors`` with small Gaussian noise, re-normalised."""
    rng = np.random.default_rng(seed)
    reps = -(-n // len(vectors))
    out = np.concatenate([vectors] * reps)[:n].copy()
    out[len(vectors) :] += rng.normal(0, noise, out[len(vectors) :].shape).astype(np.float32)
    return unit_rows(out)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth, strict=True)]))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c != columns[0] else "left")
    for r in rows:
        t.add_row(*(f"{v:,.3f}" if isinstance(v, float) else str(v) for v in r))
    console.print(t)


# ------------------------------------------------------------------------ sections


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


# ------------------------------------------------------------------ retriever latency


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
) -> int:
    """Passages with their sentences' mentions as one batch; every ``rare_every``-th
    passage is in dataset ``rare`` (the 1% filter), the others in ``bench``. Returns
    the number of sample-entity mentions written."""
    from dataclasses import replace

    from kg.mapping import extraction_triples, mention_triples

    batch = kg_ids.batch_iri("bench-graph")
    shared = SharedNodes()
    when = datetime.now(UTC)
    written = 0
    with kg.write_graph(batch) as writer:
        chunk: list[str] = dataset_version_triples("bench", "1") + dataset_version_triples(
            "rare", "1"
        )
        for i, (text, part) in enumerate(zip(texts, parts, strict=True)):
            dataset = "rare" if i % rare_every == 0 else "bench"
            rec = SampleRecord(id=f"b{i}", text=text, origin="real", dataset=dataset)
            ctx = sample_context(rec, f"b{i}", batch)
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
    from retrieval.retriever import GraphRetriever
    from retrieval.sync import CACHE_FILE

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
                ("dense + lexical + graph", "enriched", RetrieverConfig(), None),
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


# ------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes for latency")
    parser.add_argument("--embed-texts", type=int, default=10_000, help="passages to embed")
    parser.add_argument("--embed-large", action="store_true", help="embed every passage")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=10, help="interleaved embedding chunks")
    parser.add_argument("--crossover-sizes", default="10000,50000,100000,200000")
    parser.add_argument("--skip-crossover", action="store_true")
    parser.add_argument("--skip-retriever", action="store_true", help="skip section 4")
    parser.add_argument(
        "--only-retriever", action="store_true", help="section 4 only (embeds --embed-texts)"
    )
    parser.add_argument("--retriever-sizes", default=None, help="default: --sizes")
    parser.add_argument("--retriever-index", default="flat,hnsw", help="index types for section 4")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.embed_texts, args.queries = "1000,5000", 1000, 30
        args.crossover_sizes = "2000,5000"
    if args.retriever_sizes is None:
        args.retriever_sizes = args.sizes
    sizes = [int(s) for s in args.sizes.split(",") if s]
    cross_sizes = [int(s) for s in args.crossover_sizes.split(",") if s]

    import faiss
    import torch

    embedder = load_embedder()
    if not isinstance(embedder, SentenceTransformerEmbedder):  # pragma: no cover
        raise SystemExit("the benchmark needs the sentence-transformers embedder")
    retriever_sizes = [int(s) for s in args.retriever_sizes.split(",") if s]
    corpus = make_corpus_parts(max([args.embed_texts, *sizes, *retriever_sizes]), args.queries)
    texts, queries, source = corpus[0], corpus[1], corpus[2]
    console.print(
        f"[bold]bench_search[/]: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"faiss {faiss.__version__}; model {embedder.model_name}; passages from {source}"
    )

    load_before = os.getloadavg()
    emb: dict[str, Any] = {}
    builds: list[dict[str, Any]] = []
    latencies: list[dict[str, Any]] = []
    if args.only_retriever:
        console.print(f"[bold]embedding[/] {args.embed_texts:,} passages for section 4")
        base_vectors = embedder.embed(texts[: args.embed_texts])
    else:
        console.print(f"[bold]1. embedding[/] {args.embed_texts:,} passages")
        emb = bench_embedding(embedder, texts[: args.embed_texts], args.chunks)
        base_vectors = np.ascontiguousarray(emb["vectors"], dtype=np.float32)

        console.print("[bold]2. builds and dense latency[/]")
        builds, latencies = bench_build_and_latency(
            embedder, sizes, base_vectors, lambda n: texts[:n], queries, args.embed_large
        )
    crossover: list[dict[str, Any]] = []
    if not args.skip_crossover and not args.only_retriever:
        console.print("[bold]3. exact vs HNSW crossover[/]")
        crossover = bench_crossover(cross_sizes, min(args.queries, 200), base_vectors)
    retriever_setup: list[dict[str, Any]] = []
    retriever_rows: list[dict[str, Any]] = []
    if not args.skip_retriever:
        console.print("[bold]4. retriever latency (dense, graph enrichment, filters)[/]")
        index_types = [literal_value(INDEX_TYPES, t) for t in args.retriever_index.split(",") if t]
        kinds = [t for t in index_types if t is not None]
        if len(kinds) < len(index_types):
            raise SystemExit(f"--retriever-index takes {', '.join(INDEX_TYPES)}, comma-separated")
        retriever_setup, retriever_rows = bench_retriever(
            embedder, retriever_sizes, base_vectors, corpus, args.queries, kinds
        )

    results: dict[str, Any] = {}
    if args.out.is_file():
        try:
            results = json.loads(args.out.read_text(encoding="utf-8"))
        except ValueError:
            results = {}
    results["environment"] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "faiss": faiss.__version__,
        "model": embedder.model_name,
        "batch_size": embedder.batch_size,
        "passages": source,
        "quick": args.quick,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    if emb:
        results["embedding"] = emb["result"]
        results["build"] = builds
        results["dense_latency"] = latencies
    if crossover:
        results["crossover"] = crossover
    if retriever_rows:
        results["retriever_setup"] = retriever_setup
        results["retriever_latency"] = retriever_rows
        results["retriever_targets_100k"] = {"dense + graph": {"p50_ms": 25, "p95_ms": 60}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    console.print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
