"""``provrag coverage`` and ``provrag alerts`` on the bundled example data: coverage
names the one topic with no synthetic samples, a missed KPI gate lands in the risk log."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.queries.monitors import LATEST_COVERAGE_QUERY
from provrag.cli import app
from provrag.exit_codes import ExitCode

DATA = Path(__file__).resolve().parents[2] / "provrag" / "example_data"
DATASET = "northwind-support"


def _jsonl(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _uncovered_topic() -> tuple[str, set[str]]:
    """The one topic of real passages no synthetic sample is derived from (from the files)."""
    records = _jsonl("kb_v1.jsonl")
    sources = {s for r in records if r["origin"] == "synthetic" for s in r["derived_from"]}
    topics: dict[str, set[str]] = {}
    for r in records:
        if r["origin"] == "real":
            topics.setdefault(r["metadata"]["topic"], set()).add(r["id"])
    [(topic, members)] = [(t, ids) for t, ids in topics.items() if not ids & sources]
    return topic, members


def _cli(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("monitor-home")
    result = _cli(path, "ingest", str(DATA / "kb_v1.jsonl"), "--no-ner")
    assert result.exit_code == 0, result.output
    del result
    gc.collect()
    return path


def test_the_example_data_has_exactly_one_uncovered_topic() -> None:
    topic, members = _uncovered_topic()
    assert topic == "home_insurance" and len(members) == 6


@pytest.mark.model
@pytest.mark.slow
def test_coverage_names_the_uncovered_topic_and_is_recorded(home: Path) -> None:
    topic, members = _uncovered_topic()
    result = _cli(home, "coverage", "--dataset", DATASET, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    largest = report["uncovered_clusters"][0]
    assert f"topic={topic}" in largest["name"]
    assert set(largest["sample_ids"]) <= members and largest["size"] >= 3
    assert all(c["size"] < largest["size"] for c in report["uncovered_clusters"][1:])
    uncovered = {s for c in report["uncovered_clusters"] for s in c["sample_ids"]}
    assert members <= uncovered
    assert report["real"] == len([r for r in _jsonl("kb_v1.jsonl") if r["origin"] == "real"])
    rows = json.loads(_cli(home, "sparql", LATEST_COVERAGE_QUERY, "--format", "json").stdout)
    runs = [r for r in rows["results"]["bindings"] if r["dataset"]["value"] == DATASET]
    assert [r["run"]["value"].rsplit("/", 1)[1] for r in runs] == [report["run_id"]]


@pytest.mark.model
@pytest.mark.slow
def test_a_missed_gate_is_an_alert_that_takes_notes(home: Path) -> None:
    result = _cli(
        home,
        "eval",
        "--golden",
        str(DATA / "golden.jsonl"),
        "-r",
        "dense",
        "--gate",
        "ndcg@10>=0.999",
        "--json",
    )
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    outcome = json.loads(result.stdout)
    [alert_id] = outcome["alerts"]
    listed = json.loads(_cli(home, "alerts", "--json").stdout)
    [gate] = [a for a in listed if a["alert_id"] == alert_id]
    assert gate["monitor"] == "gate" and gate["threshold"] == 0.999 and gate["note"] is None
    assert gate["informed_by"].endswith("/run/" + outcome["run_id"])
    assert gate["value"] == pytest.approx(outcome["overall"]["ndcg@10"]["mean"])
    noted = _cli(home, "alerts", "note", alert_id, "regenerated the index", "--by", "lead")
    assert noted.exit_code == 0, noted.output
    listed = json.loads(_cli(home, "alerts", "--json").stdout)
    [gate] = [a for a in listed if a["alert_id"] == alert_id]
    assert gate["note"] == "regenerated the index" and gate["notes"][0]["author"] == "lead"


def test_a_note_on_an_unknown_alert_exits_1(tmp_path: Path) -> None:
    result = _cli(tmp_path, "alerts", "note", "no-such-alert", "text")
    assert result.exit_code == ExitCode.ERROR
    assert "no alert 'no-such-alert'" in result.output


@pytest.mark.model
@pytest.mark.slow
def test_testset_generate_is_deterministic_provenanced_and_validates(home: Path) -> None:
    result = _cli(
        home, "testset", "generate", "-d", DATASET, "--size", "12", "--seed", "3", "--json"
    )
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["questions"] == 12 and made["ingested_new"] == 12
    questions = _jsonl_path(Path(made["questions_file"]))
    golden = _jsonl_path(Path(made["golden_file"]))
    first = Path(made["questions_file"]).read_bytes(), Path(made["golden_file"]).read_bytes()
    # each question's passage is its one relevant sample, and the one it is derived from
    for q, g in zip(questions, golden, strict=True):
        assert q["origin"] == "synthetic" and q["generation"]["seed"] == 3
        assert q["derived_from"] == [f"{DATASET}:{next(iter(g['relevant']))}"]
    again = json.loads(
        _cli(home, "testset", "generate", "-d", DATASET, "-n", "12", "--seed", "3", "--json").stdout
    )
    assert again["ingested_new"] == 0
    assert (
        Path(made["questions_file"]).read_bytes(),
        Path(made["golden_file"]).read_bytes(),
    ) == first
    trace = json.loads(_cli(home, "trace", questions[0]["id"], "--format", "json").stdout)
    assert "provrag-testset" in json.dumps(trace)

    result = _cli(
        home, "testset", "validate", "--golden", str(DATA / "golden.jsonl"),
        "-r", "dense", "-r", "lexical", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    v = json.loads(result.stdout)
    assert (
        v["variants"] == ["dense", "lexical"] and v["testset"] == made["golden"]["name"] + "@s3-n12"
    )
    assert v["kendall_tau"] in (-1.0, 1.0)
    assert v["gaps"]["dense"] == pytest.approx(v["synthetic"]["dense"] - v["expert"]["dense"])
    assert len(v["expert_runs"]) == len(v["synthetic_runs"]) == 2


def _jsonl_path(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.model
@pytest.mark.slow
def test_the_python_api_gives_the_same_coverage(home: Path) -> None:
    import provrag

    topic, _ = _uncovered_topic()
    with provrag.open(home) as pr:
        report = pr.coverage(DATASET, record=False)
    assert f"topic={topic}" in report["uncovered_clusters"][0]["name"]
    assert report["run_id"] is None and report["alerts"] == []
