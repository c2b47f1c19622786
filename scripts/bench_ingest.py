"""Benchmark of the batch ingest (knowledge graph only: NER and embeddings off).

For each size N (default 10k and 100k records) and each store (default the
embedded on-disk store, and the in-memory one), it:

1. writes N synthetic records (text, generation with a config, one label,
   metadata) to a temporary JSONL file;
2. ingests it with :func:`ingest.pipeline.ingest_files` into a fresh store and
   reports samples/s and triples/s;
3. measures the bound in the same run: the batch's N-Quads exported and
   bulk-loaded in one call (``pyoxigraph.Store.bulk_load``, lenient like the
   ingest's own writes) into another fresh store of the same kind, and reports
   ingest time / bound time. The ingest loads ~1k-record chunks while it maps the
   next one, which on disk can beat one big load: a ratio below 1 is possible.

``--stream N`` (default 1,000,000; 0 skips it) streams an N-record file into an
embedded store in a child process and reports that process's peak RSS.

Targets (issue 2): >= 5,000 samples/s, within 3x of the bound, peak memory of
the 1M stream < 1.5 GB. Prints a table and writes ``bench_results/bench_ingest.json``.

    .venv/bin/python scripts/bench_ingest.py                       # everything
    .venv/bin/python scripts/bench_ingest.py --sizes 10000 --stream 0
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest.pipeline import ingest_files  # noqa: E402
from kg.graph import KnowledgeGraph  # noqa: E402
from kg.store.embedded import OxigraphStore  # noqa: E402

TARGET_SAMPLES_PER_S = 5000
TARGET_RATIO = 3.0
TARGET_PEAK_BYTES = 1.5 * 1024**3

_WORDS = [
    "card",
    "account",
    "transfer",
    "balance",
    "limit",
    "fee",
    "statement",
    "branch",
    "loan",
    "mortgage",
    "savings",
    "interest",
    "payment",
    "online",
    "mobile",
    "app",
    "password",
    "reset",
    "fraud",
    "dispute",
    "overdraft",
    "deposit",
    "withdrawal",
    "currency",
    "travel",
    "insurance",
    "pin",
    "contactless",
    "chip",
    "replacement",
    "address",
]
_INTENTS = ["card_lost", "balance", "transfer", "fees", "fraud", "loan_info"]
_GENERATORS = [
    ("faq-paraphraser", "paraphrase"),
    ("question-writer", "question"),
    ("dialogue-sim", "dialogue"),
]


def make_record(i: int, rnd: random.Random) -> dict[str, Any]:
    words = " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(12, 40)))
    rec: dict[str, Any] = {
        "id": f"bench-{i:08d}",
        "text": f"{words.capitalize()}?",
        "origin": "synthetic" if i % 5 else "real",
        "labels": [
            {
                "field": "intent",
                "value": rnd.choice(_INTENTS),
                "annotator": f"ann-{i % 3}",
                "annotator_kind": "human",
                "guideline_version": "1.2",
                "labeled_at": "2026-11-03T09:00:00Z",
            }
        ],
        "sensitivity": "internal",
        "metadata": {"product": rnd.choice(["cards", "loans", "accounts"])},
    }
    if i % 5:
        generator, template = _GENERATORS[i % 3]
        rec["generation"] = {
            "generator": generator,
            "model": "template-engine-1",
            "prompt_template": template,
            "prompt_version": str(i % 4),
            "seed": 7,
            "params": {"temperature": 0.7},
            "generated_at": "2026-11-02T10:00:00Z",
        }
    return rec


def write_records(path: Path, n: int, seed: int = 13) -> Path:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(make_record(i, rnd)) + "\n")
    return path


def _cpu() -> float:
    """CPU seconds of this process, all threads (less sensitive to other load than wall time)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fresh_store(kind: str, workdir: Path, name: str) -> OxigraphStore:
    return OxigraphStore(None if kind == "memory" else workdir / name)


def bench_size(n: int, kind: str, workdir: Path, chunk_size: int | None) -> dict[str, Any]:
    data = write_records(workdir / f"records-{n}.jsonl", n)
    store = fresh_store(kind, workdir, f"ingest-{kind}-{n}")
    kg = KnowledgeGraph(store)
    chunk_records = chunk_size or store.chunk_records
    cpu0 = _cpu()
    report = ingest_files(
        kg,
        [data],
        dataset="bench",
        version="1",
        chunk_size=chunk_size,
        quarantine_dir=workdir / "quarantine",
    )
    cpu = _cpu() - cpu0
    again = ingest_files(
        kg,
        [data],
        dataset="bench",
        version="1",
        chunk_size=chunk_size,
        quarantine_dir=workdir / "quarantine",
    )
    if again.new or again.batch is not None:
        raise RuntimeError("re-ingesting the same file wrote something")
    buf = io.BytesIO()
    store.dump(buf, "nquads")
    nquads = buf.getvalue()
    quads = len(store.raw)
    del kg, store
    bound_store = fresh_store(kind, workdir, f"bound-{kind}-{n}")
    start, cpu0 = time.perf_counter(), _cpu()
    # the same loader settings as the ingest's own writes (lenient: IRIs not re-checked)
    bound_store.raw.bulk_load(nquads, ox.RdfFormat.N_QUADS, lenient=True)
    bound = time.perf_counter() - start
    bound_cpu = _cpu() - cpu0
    if len(bound_store.raw) != quads:
        raise RuntimeError("the bound store does not hold the same quads")
    del bound_store
    seconds = report.seconds
    return {
        "store": kind,
        "records": n,
        "chunk_records": chunk_records,
        "new": report.new,
        "triples": report.triples_added,
        "seconds": round(seconds, 3),
        "samples_per_s": round(n / seconds, 1),
        "triples_per_s": round(report.triples_added / seconds, 1),
        "bound_seconds": round(bound, 3),
        "bound_triples_per_s": round(quads / bound, 1),
        "ratio_to_bound": round(seconds / bound, 2),
        "cpu_seconds": round(cpu, 3),
        "bound_cpu_seconds": round(bound_cpu, 3),
        "cpu_ratio_to_bound": round(cpu / bound_cpu, 2),
        "reingest_seconds": again.seconds,
        "reingest_samples_per_s": round(n / again.seconds, 1),
        "meets_rate": n / seconds >= TARGET_SAMPLES_PER_S,
        "meets_ratio": seconds / bound <= TARGET_RATIO,
    }


def peak_rss_bytes() -> int:
    """Peak resident memory of this process.

    ``VmHWM`` from ``/proc/self/status`` where there is one: ``ru_maxrss`` of a
    child also counts the parent's memory at fork time (Linux folds the old
    address space's high-water mark in at exec), which would charge this
    benchmark's earlier runs to the streaming run.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def stream_child(path: Path, home: Path, chunk_size: int | None) -> None:
    """Runs in the child process: ingest ``path`` and print peak RSS as JSON."""
    kg = KnowledgeGraph(OxigraphStore(home))
    report = ingest_files(
        kg,
        [path],
        dataset="bench",
        version="1",
        chunk_size=chunk_size,
        quarantine_dir=home.parent / "quarantine",
    )
    print(
        json.dumps(
            {
                "records": report.read,
                "new": report.new,
                "seconds": report.seconds,
                "triples": report.triples_added,
                "peak_rss_bytes": peak_rss_bytes(),
            }
        )
    )


def bench_stream(n: int, workdir: Path, chunk_size: int | None) -> dict[str, Any]:
    data = write_records(workdir / f"stream-{n}.jsonl", n)
    cmd = [
        sys.executable,
        __file__,
        "--child-stream",
        str(data),
        "--child-home",
        str(workdir / "stream-store"),
        *(["--chunk-size", str(chunk_size)] if chunk_size else []),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    peak = result["peak_rss_bytes"]
    return {
        "records": n,
        "file_bytes": data.stat().st_size,
        "seconds": result["seconds"],
        "samples_per_s": round(n / result["seconds"], 1),
        "triples": result["triples"],
        "peak_rss_bytes": peak,
        "peak_rss_gib": round(peak / 1024**3, 3),
        "meets_memory": peak < TARGET_PEAK_BYTES,
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "platform": platform.platform(),
    }


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    table = Table(title="provrag ingest benchmark (NER and embeddings off)")
    for col in (
        "store",
        "records",
        "chunk",
        "triples",
        "s",
        "samples/s",
        "triples/s",
        "bound s",
        "bound triples/s",
        "x bound",
        "cpu s",
        "bound cpu s",
        "re-ingest s",
        "targets",
    ):
        table.add_column(col, justify="right")
    for r in results["runs"]:
        ok = (
            "ok"
            if r["meets_rate"] and r["meets_ratio"]
            else (
                ("" if r["meets_rate"] else f"< {TARGET_SAMPLES_PER_S}/s ")
                + ("" if r["meets_ratio"] else f"> {TARGET_RATIO}x")
            )
        )
        table.add_row(
            r["store"],
            f"{r['records']:,}",
            f"{r['chunk_records']:,}",
            f"{r['triples']:,}",
            f"{r['seconds']:.2f}",
            f"{r['samples_per_s']:,.0f}",
            f"{r['triples_per_s']:,.0f}",
            f"{r['bound_seconds']:.2f}",
            f"{r['bound_triples_per_s']:,.0f}",
            f"{r['ratio_to_bound']:.2f}",
            f"{r['cpu_seconds']:.2f}",
            f"{r['bound_cpu_seconds']:.2f}",
            f"{r['reingest_seconds']:.2f}",
            ok,
        )
    console.print(table)
    s = results.get("stream")
    if s:
        console.print(
            f"stream {s['records']:,} records ({s['file_bytes'] / 1e6:,.0f} MB, embedded store): "
            f"{s['seconds']:.1f} s, {s['samples_per_s']:,.0f} samples/s, peak RSS "
            f"{s['peak_rss_gib']:.2f} GiB ({'ok' if s['meets_memory'] else 'over 1.5 GB'})"
        )
    console.print(f"machine: {results['machine']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument(
        "--stores", nargs="*", default=["embedded", "memory"], choices=["embedded", "memory"]
    )
    parser.add_argument(
        "--stream",
        type=int,
        default=1_000_000,
        help="records of the streaming memory run (0: skip)",
    )
    parser.add_argument(
        "--chunk-size", type=int, default=None, help="records per chunk (default: the store's own)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench_results" / "bench_ingest.json")
    parser.add_argument("--child-stream", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_stream is not None:
        stream_child(args.child_stream, args.child_home, args.chunk_size)
        return 0
    results: dict[str, Any] = {
        "machine": machine(),
        "chunk_size": args.chunk_size,
        "targets": {
            "samples_per_s": TARGET_SAMPLES_PER_S,
            "ratio_to_bound": TARGET_RATIO,
            "peak_rss_bytes": TARGET_PEAK_BYTES,
        },
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        workdir = Path(tmp)
        for n in args.sizes:
            for kind in args.stores:
                results["runs"].append(bench_size(n, kind, workdir, args.chunk_size))
        if args.stream:
            results["stream"] = bench_stream(args.stream, workdir, args.chunk_size)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
