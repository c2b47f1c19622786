"""``kill -9`` during an ingest: no half batch is ever visible, and running the same
ingest again ends with the graph one clean ingest gives.

The kill comes from the pipeline's test hook ``PROVRAG_TEST_CRASH_AFTER_CHUNKS``
(SIGKILL right after the N-th chunk is in the store), so the test does not
depend on timing.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.crash_hook import CRASH_ENV
from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from tests.ingest.ingest_helpers import normalised_quads, real, record, write_jsonl

RECORDS = 20_000
CHUNK = 500
CRASH_AFTER = 3


def run_ingest(
    home: Path,
    data: Path,
    *,
    crash_after: int | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_after is not None:
        env[CRASH_ENV] = str(crash_after)
    cmd = [
        sys.executable,
        "-m",
        "provrag.cli",
        "--home",
        str(home),
        "ingest",
        str(data),
        "--dataset",
        "support-kb",
        "--version",
        "1",
        "--chunk-size",
        str(CHUNK),
        "--no-ner",
        "--no-index",
        "--json",
    ]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def open_graph(home: Path) -> tuple[KnowledgeGraph, OxigraphStore]:
    store = OxigraphStore(home / "store")
    return KnowledgeGraph(store), store


def sample_count(kg: KnowledgeGraph) -> int:
    return int(kg.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample }")[0]["n"])


def recover_after_crash(home: Path) -> str:
    """Open the crashed store: half a batch on disk, invisible; recovery drops it."""
    kg, _ = open_graph(home)  # no recovery yet
    try:
        (batch,) = kg.open_graphs()
        assert kg.store.quad_count(batch) > CRASH_AFTER * CHUNK  # half a batch is on disk...
        assert sample_count(kg) == 0  # ...and invisible
        assert kg.recover() == [batch]
        assert kg.store.quad_count(batch) == 0 and sample_count(kg) == 0
        return batch
    finally:
        kg.store.close()


def final_state(home: Path) -> tuple[int, list[str], list[str], set[str]]:
    """Samples, open graphs, named graphs and normalised quads of a store."""
    kg, store = open_graph(home)
    try:
        return (
            sample_count(kg),
            kg.open_graphs(),
            store.named_graphs(),
            normalised_quads(store.raw),
        )
    finally:
        kg.store.close()


@pytest.mark.slow
def test_kill_9_then_rerun_equals_one_clean_ingest(tmp_path: Path) -> None:
    # mostly plain passages (fast); every 10th is synthetic and labelled (shared nodes)
    records = [record(i) if i % 10 == 0 else real(i) for i in range(RECORDS)]
    data = write_jsonl(tmp_path / "big.jsonl", records)
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"

    killed = run_ingest(crashed, data, crash_after=CRASH_AFTER)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    batch = recover_after_crash(crashed)
    gc.collect()  # release the store's lock before the next process opens it

    rerun = run_ingest(crashed, data)
    assert rerun.returncode == 0, rerun.stderr
    first = run_ingest(clean, data)
    assert first.returncode == 0, first.stderr

    samples, still_open, graphs, quads = final_state(crashed)
    assert samples == RECORDS
    assert still_open == [] and batch in graphs  # the re-run reused the batch id
    assert quads == final_state(clean)[3]
