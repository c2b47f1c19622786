from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import ids
from kg.mapping import deletion_triples, invalidation_triples
from kg.model import SampleRecord
from provrag.cli import app
from tests.provrag.stores import graph

pytestmark = pytest.mark.model

TEXTS = [
    "The Eiffel Tower in Paris was completed in 1889.",
    "Insulin is a hormone that regulates blood sugar.",
    "Mount Everest is the highest mountain above sea level.",
]


def run(home: Path, *args: str) -> tuple[int, str]:
    gc.collect()  # release any store handle the test itself opened
    result = CliRunner().invoke(app, ["--home", str(home), "index", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 2), result.stderr
    return result.exit_code, result.stdout


@pytest.fixture
def home(tmp_path: Path, write_samples: Callable[..., list[str]]) -> Path:
    with graph(tmp_path) as kg:
        write_samples(
            kg,
            [
                SampleRecord(id=f"p{i}", text=t, origin="real", dataset="d")
                for i, t in enumerate(TEXTS)
            ],
        )
    return tmp_path


def test_index_then_check_passes(home: Path) -> None:
    code, out = run(home, "--json")
    assert code == 0
    sync = json.loads(out)["sync"]
    assert (sync["embedded"], sync["total"], sync["index_type"]) == (3, 3, "flat")
    assert run(home, "--check")[0] == 0


def test_reindexing_says_nothing_was_embedded(home: Path) -> None:
    run(home)
    code, out = run(home)
    assert code == 0 and "nothing to embed" in out


def invalidate_first_sample(home: Path) -> str:
    """Invalidate one sample as `provrag delete` does; returns its IRI."""
    with graph(home) as kg:
        victim = sorted(r["s"] for r in kg.select("SELECT ?s WHERE { ?s a pr:Sample }"))[0]
        activity = ids.deletion_iri("d1")
        at = datetime(2026, 11, 3, tzinfo=UTC)
        with kg.write_graph(activity) as writer:
            writer.add_statements(
                deletion_triples(activity, {"id": victim}, None, at)
                + invalidation_triples(victim, activity, at)
            )
    return str(victim)


def test_check_exits_2_and_lists_stale_samples_until_synced(home: Path) -> None:
    run(home)
    victim = invalidate_first_sample(home)
    code, out = run(home, "--check", "--json")
    assert code == 2
    check = json.loads(out)["check"]
    assert check["stale"] == [victim] and check["missing"] == [] and not check["ok"]
    code, out = run(home, "--check")
    assert code == 2 and victim in out
    code, out = run(home, "--json")
    assert json.loads(out)["sync"]["removed"] == 1
    assert run(home, "--check")[0] == 0


def test_check_before_any_index_lists_missing_samples(home: Path) -> None:
    code, out = run(home, "--check", "--json")
    assert code == 2 and len(json.loads(out)["check"]["missing"]) == 3


def test_rebuild_with_check_rebuilds_then_checks(home: Path) -> None:
    run(home)
    code, out = run(home, "--rebuild", "--check", "--json")
    data = json.loads(out)
    assert code == 0 and data["sync"]["rebuilt"] and data["sync"]["embedded"] == 0
    assert data["check"]["ok"]


def test_help_documents_the_exit_code() -> None:
    result = CliRunner().invoke(app, ["index", "--help"])
    assert result.exit_code == 0 and "2 --check found" in result.stdout
