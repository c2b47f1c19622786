"""The benchmark corpus, its ingest as one batch, and timing and table helpers."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

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

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data"
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
