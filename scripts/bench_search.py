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
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from searchbench.common import console, make_corpus, make_corpus_parts, write_graph  # noqa: E402
from searchbench.dense import (  # noqa: E402
    bench_build_and_latency,
    bench_crossover,
    bench_embedding,
)
from searchbench.retriever import bench_retriever  # noqa: E402

from kg.typing import INDEX_TYPES, literal_value  # noqa: E402
from retrieval.embedder import SentenceTransformerEmbedder, load_embedder  # noqa: E402

OUT = ROOT / "bench_results" / "bench_search.json"
#: importable from here as before the split
__all__ = ["OUT", "main", "make_corpus", "make_corpus_parts", "write_graph"]


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
