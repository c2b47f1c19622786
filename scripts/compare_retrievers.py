"""Compare dense, lexical, hybrid and graph-enriched retrieval on public data.

Datasets (read from ``<repo>/../shared/data``, never copied):

- ``pubmedqa``: PubMedQA PQA-L, 1,000 abstracts (each abstract's CONTEXTS joined
  into one passage); query = the QUESTION, relevant = its own abstract.
- ``clapnq``: CLAPNQ dev; the 300 answerable questions over their gold passages,
  with the passages of the 300 unanswerable questions as distractors (title and
  text joined, duplicate passages once); relevant = the gold passage(s) named in
  ``retrieval/dev/question_dev_answerable.tsv``.

Each dataset is ingested into a temporary provrag home through the real ingest
path (NER on, so the graph has entities to enrich with), indexed, and every
question is run through each retriever with the default settings. Reported:
recall@10 and nDCG@10 (``evaluation.metrics.evaluate_run``, trec_eval
conventions), plus diagnostic rows: dense + graph (lexical weight 0), two-hop
enrichment, hybrid with lexical weight 1.0, the graph channel as a re-ranker
(``graph_role="rerank"``, at weight 1 and 0.25), and the graph channel alone,
and how many queries linked at least one entity.

    .venv/bin/python scripts/compare_retrievers.py [--dataset pubmedqa|clapnq|both]
        [--limit N] [--output bench_results/compare_retrievers.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
sys.path.insert(0, str(ROOT))

from kg.typing import RetrieverMode  # noqa: E402

METRICS = ["ndcg@10", "recall@10"]
DEPTH = 10


def pubmedqa(
    limit: int | None,
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, int]]]:
    path = DATA / "pubmedqa_pqal" / "ori_pqal.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    records, queries, qrels = [], {}, {}
    for pmid, item in data.items():
        text = " ".join(item["CONTEXTS"])
        records.append({"id": pmid, "text": text, "origin": "real", "dataset": "pubmedqa"})
        queries[pmid] = item["QUESTION"]
        qrels[pmid] = {pmid: 1}
    keep = sorted(queries)[:limit] if limit else sorted(queries)
    return records, {q: queries[q] for q in keep}, {q: qrels[q] for q in keep}


def clapnq(
    limit: int | None,
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, int]]]:
    base = DATA / "clapnq_dev"
    gold_ids: dict[str, list[str]] = {}
    with open(base / "retrieval" / "dev" / "question_dev_answerable.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gold_ids[row["id"]] = [d for d in row["doc-id-list"].split(",") if d]
    records: dict[str, dict[str, Any]] = {}
    by_text: dict[str, str] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for name, answerable in (("answerable", True), ("unanswerable", False)):
        path = base / "annotated_data" / "dev" / f"clapnq_dev_{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            passage = item["passages"][0]
            text = f"{passage['title']}\n{passage['text'].strip()}"
            pid = by_text.get(text)
            if pid is None:
                ids = gold_ids.get(item["id"]) if answerable else None
                pid = ids[0] if ids else f"u-{item['id']}"
                by_text[text] = pid
                records[pid] = {"id": pid, "text": text, "origin": "real", "dataset": "clapnq"}
            if answerable:
                queries[item["id"]] = item["input"]
                qrels[item["id"]] = {pid: 1}
    keep = sorted(queries)[:limit] if limit else sorted(queries)
    return list(records.values()), {q: queries[q] for q in keep}, {q: qrels[q] for q in keep}


def variants(settings: Any) -> dict[str, tuple[RetrieverMode, Any]]:
    """name -> (mode, settings) of every retriever compared."""

    def with_retrieval(**update: Any) -> Any:
        return settings.model_copy(
            update={"retrieval": settings.retrieval.model_copy(update=update)}
        )

    weights = dict(settings.retrieval.weights)
    return {
        "dense": ("dense", settings),
        "lexical": ("lexical", settings),
        "hybrid": ("hybrid", settings),
        "enriched": ("enriched", settings),
        "dense+graph": ("enriched", with_retrieval(weights={**weights, "lexical": 0.0})),
        "enriched 2-hop": ("enriched", with_retrieval(graph_hops=2)),
        "hybrid, lexical 1.0": ("hybrid", with_retrieval(weights={**weights, "lexical": 1.0})),
        "enriched, rerank": ("enriched", with_retrieval(graph_role="rerank")),
        "enriched, rerank, graph 0.25": (
            "enriched",
            with_retrieval(graph_role="rerank", weights={**weights, "graph": 0.25}),
        ),
        "dense+graph, rerank": (
            "enriched",
            with_retrieval(graph_role="rerank", weights={**weights, "lexical": 0.0}),
        ),
        "graph alone": (
            "enriched",
            with_retrieval(weights={**weights, "dense": 0.0, "lexical": 0.0}),
        ),
    }


def run_dataset(name: str, limit: int | None, log: Any) -> dict[str, Any]:
    from evaluation.metrics import evaluate_run
    from ingest.ner import load_extractor
    from ingest.pipeline import ingest_files
    from kg.queries.graph_info import mention_counts
    from provrag.services.indexing import sync
    from provrag.settings import load_settings
    from provrag.wiring import LazyNerLinker, build_embedder, build_retriever, open_kg

    records, queries, qrels = (pubmedqa if name == "pubmedqa" else clapnq)(limit)
    with tempfile.TemporaryDirectory(prefix=f"provrag-compare-{name}-") as tmp:
        home = Path(tmp)
        corpus = home / "corpus.jsonl"
        corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        settings = load_settings(home)
        kg = open_kg(settings)
        t0 = time.perf_counter()
        extractor = load_extractor(settings.ner_model, settings.gazetteer)
        report = ingest_files(kg, [corpus], extractor=extractor, quarantine_dir=home / "q")
        ingest_s = time.perf_counter() - t0
        embedder = build_embedder(settings, lazy=False)
        t0 = time.perf_counter()
        sync(settings, kg, embedder=embedder)
        index_s = time.perf_counter() - t0
        mentions = mention_counts(kg)
        log(
            f"{name}: {len(records)} passages ingested in {ingest_s:.1f}s "
            f"({report.new} new), indexed in {index_s:.1f}s; "
            f"{mentions.entities} entities, {mentions.links} sample-entity links; "
            f"{len(queries)} queries"
        )
        linker = LazyNerLinker(settings)
        rows: dict[str, Any] = {}
        linked_queries = 0
        for label, (mode, s) in variants(settings).items():
            retriever = build_retriever(
                s,
                kg,
                mode=mode,
                embedder=embedder,
                linker=linker,
            )
            run: dict[str, dict[str, float]] = {}
            t0 = time.perf_counter()
            for qid, text in queries.items():
                hits = retriever.search(text, DEPTH)
                # rank-derived scores: the order is the retriever's, whatever its ties
                run[qid] = {h.sample_id: float(DEPTH - r) for r, h in enumerate(hits)}
            seconds = time.perf_counter() - t0
            if label == "enriched":
                linked_queries = sum(1 for t in queries.values() if retriever.linked_entities(t))
            metrics = evaluate_run(qrels, run, METRICS)
            rows[label] = {
                "mode": mode,
                "weights": {c: s.retrieval.weights.get(c, 1.0) for c in retriever.channels},
                "graph_hops": s.retrieval.graph_hops if "graph" in retriever.channels else None,
                **{m: round(metrics[m].mean, 4) for m in METRICS},
                "ms_per_query": round(1000 * seconds / max(len(queries), 1), 1),
            }
            log(f"  {label:15s} " + "  ".join(f"{m} {rows[label][m]:.4f}" for m in METRICS))
        kg.store.close()
    return {
        "dataset": name,
        "passages": len(records),
        "queries": len(queries),
        "queries_with_linked_entities": linked_queries,
        "entities": mentions.entities,
        "entity_links": mentions.links,
        "results": rows,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="recall@10 / nDCG@10 by retriever")
    table.add_column("retriever")
    for r in results:
        table.add_column(f"{r['dataset']} R@10", justify="right")
        table.add_column(f"{r['dataset']} nDCG@10", justify="right")
    for label in results[0]["results"]:
        cells = []
        for r in results:
            row = r["results"][label]
            cells += [f"{row['recall@10']:.4f}", f"{row['ndcg@10']:.4f}"]
        table.add_row(label, *cells)
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["pubmedqa", "clapnq", "both"], default="both")
    parser.add_argument("--limit", type=int, default=None, help="first N queries only")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench_results" / "compare_retrievers.json"
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no public data at {DATA.resolve()}; nothing to compare")
    names = ["pubmedqa", "clapnq"] if args.dataset == "both" else [args.dataset]
    results = [run_dataset(n, args.limit, lambda m: print(m, file=sys.stderr)) for n in names]
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "metrics": METRICS,
        "datasets": results,
    }
    args.output.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
