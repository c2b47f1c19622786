"""``provrag tune`` and ``provrag eval --profile / --split`` through the CLI, with the real
retriever over the small dataset of the eval CLI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provrag.exit_codes import ExitCode
from tests.provrag.test_eval_cli import GOLDEN, _records, _write_jsonl, cli

pytestmark = pytest.mark.model

DEV = {"g1", "g2", "g4", "g6"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tunecli")
    data = _write_jsonl(root / "kb.jsonl", _records())
    result = cli(root / "home", "ingest", str(data), "--no-ner")
    assert result.exit_code == 0, result.stderr
    return root / "home"


def _golden(directory: Path, rows: list[dict[str, Any]], name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.meta.json").write_text(
        json.dumps({"name": name, "version": "1", "dataset": "mini"}), encoding="utf-8"
    )
    return _write_jsonl(directory / f"{name}.jsonl", rows)


def _split_rows() -> list[dict[str, Any]]:
    return [{**g, "split": "dev" if g["query_id"] in DEV else "holdout"} for g in GOLDEN]


@pytest.fixture(scope="module")
def booby_trapped(home: Path) -> Path:
    """Dev items that are fine; holdout items that fail the moment they are read: a sample
    id the dataset does not hold, a grade that is not one, a query without text."""
    rows = [r for r in _split_rows() if r["split"] == "dev"] + [
        {"query_id": "h1", "query": "x", "relevant": {"no-such-sample": 1}, "split": "holdout"},
        {"query_id": "h2", "query": "y", "relevant": {"card-lost": "two"}, "split": "holdout"},
        {"query_id": "h3", "split": "holdout"},
    ]
    return _golden(home.parent / "trap", rows, "trap")


@pytest.fixture(scope="module")
def tuned(home: Path, booby_trapped: Path) -> dict[str, Any]:
    result = cli(
        home, "tune", "--golden", str(booby_trapped), "--split", "dev", "--budget", "3",
        "--seed", "4", "--retriever", "hybrid", "--profile", "mini-dev", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_tune_reads_only_the_dev_split(tuned: dict[str, Any]) -> None:
    assert tuned["golden"]["split"] == "dev"
    assert tuned["queries"] == len(DEV)
    assert len(tuned["trials"]) == 3 and tuned["strategy"] == "random"
    assert tuned["best"]["score"] >= tuned["baseline"]["score"]


def test_the_holdout_of_the_trap_would_crash_if_read(booby_trapped: Path) -> None:
    from evaluation.errors import GoldenSetError
    from evaluation.golden import load_golden_jsonl

    with pytest.raises(GoldenSetError):
        load_golden_jsonl(booby_trapped)


def test_tune_writes_the_profile_and_records_the_run(home: Path, tuned: dict[str, Any]) -> None:
    path = Path(tuned["profile"]["path"])
    assert path == home / "profiles" / "mini-dev.toml"
    assert "[retrieval]" in path.read_text(encoding="utf-8")
    query = (
        "SELECT ?run ?best ?name WHERE { ?run a pr:TuningRun ; pr:bestScore ?best ; "
        "pr:split 'dev' . ?p prov:wasGeneratedBy ?run ; pr:profileName ?name }"
    )
    result = cli(home, "sparql", query, "--format", "json")
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == ["mini-dev"]
    assert rows[0]["run"]["value"] == tuned["iri"]
    assert float(rows[0]["best"]["value"]) == pytest.approx(tuned["best"]["score"])


def test_eval_with_the_profile_reports_the_holdout(home: Path, tuned: dict[str, Any]) -> None:
    golden = _golden(home.parent / "full", _split_rows(), "mini-split")
    result = cli(
        home, "eval", "--golden", str(golden), "--profile", "mini-dev", "-r", "hybrid", "--json"
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["split"] == "holdout"
    assert payload["queries"] == len(GOLDEN) - len(DEV)
    best = tuned["profile"]["retrieval"]
    spec = json.loads((Path(payload["run_dir"]) / "metrics.json").read_text())["spec"]
    assert all(spec["retrieval"][k] == v for k, v in best.items())
    dev = cli(home, "eval", "--golden", "mini-split", "--split", "dev", "-r", "hybrid", "--json")
    assert json.loads(dev.stdout)["queries"] == len(DEV)


def test_tune_refuses_the_holdout(home: Path, booby_trapped: Path) -> None:
    result = cli(home, "tune", "--golden", str(booby_trapped), "--split", "holdout")
    assert result.exit_code == ExitCode.USAGE


def test_an_unknown_split_or_profile_is_a_usage_error(home: Path) -> None:
    bad = cli(home, "eval", "--golden", "mini-split", "--split", "test")
    assert bad.exit_code == ExitCode.USAGE
    missing = cli(home, "eval", "--golden", "mini-split", "--profile", "nope")
    assert missing.exit_code == ExitCode.USAGE
    assert "no retriever profile 'nope'" in missing.stderr
