"""``provrag ingest`` / ``provrag delete``: reports, exit codes, --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provrag.cli import app
from provrag.exit_codes import ExitCode
from tests.ingest.ingest_helpers import real, record, write_jsonl

runner = CliRunner()
MIXED = [
    json.dumps(real(1)),
    '{"id": "kb-0002", "text": "broken',
    json.dumps(real(3, text=None)),
    json.dumps(real(4, origin="alien")),
    json.dumps(record(5, generation=None)),
    json.dumps(record(6, generation={"generator": "g", "generated_at": "not a date"})),
    json.dumps(record(8)),
]


def cli(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    # error messages are wrapped to the terminal width: compare them with spaces normalised
    return result.exit_code, result.stdout, result.stderr


def ingest_json(home: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = cli(
        home,
        "ingest",
        *args,
        "--dataset",
        "support-kb",
        "--version",
        "1",
        "--no-ner",
        "--no-index",
        "--json",
    )
    return code, json.loads(out)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "good.jsonl", [record(1), real(2)])


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(MIXED) + "\n")
    return path


def test_json_report_has_the_documented_keys(tmp_path: Path, good: Path) -> None:
    code, report = ingest_json(tmp_path / "home", str(good))
    assert code == 0
    for key in (
        "read",
        "valid",
        "new",
        "unchanged",
        "revised",
        "quarantined",
        "skipped",
        "triples_added",
        "seconds",
        "batch",
        "files",
        "exit_code",
    ):
        assert key in report
    assert (report["read"], report["new"], report["exit_code"]) == (2, 2, 0)


def test_second_ingest_reports_nothing_new(tmp_path: Path, good: Path) -> None:
    home = tmp_path / "home"
    ingest_json(home, str(good))
    code, report = ingest_json(home, str(good))
    assert (code, report["new"], report["unchanged"], report["triples_added"]) == (0, 0, 2, 0)
    assert report["batch"] is None


def test_mixed_file_exits_3_and_lists_the_bad_lines(tmp_path: Path, mixed: Path) -> None:
    code, out, err = cli(
        tmp_path / "home", "ingest", str(mixed), "--dataset", "support-kb", "--no-ner", "--no-index"
    )
    assert code == 3
    assert "5 bad record(s)" in err
    for line in (2, 3, 4, 5, 6):
        assert f"{mixed}:{line}" in err
    assert "origin must be 'real' or 'synthetic', got 'alien'" in err
    quarantine = list((tmp_path / "home" / "quarantine").glob("*.jsonl"))
    assert len(quarantine) == 1 and len(quarantine[0].read_text().splitlines()) == 5


def test_on_invalid_fail_exits_1_and_changes_nothing(
    tmp_path: Path, good: Path, mixed: Path
) -> None:
    home = tmp_path / "home"
    ingest_json(home, str(good))
    code, out, err = cli(
        home,
        "ingest",
        str(mixed),
        "--on-invalid",
        "fail",
        "--dataset",
        "support-kb",
        "--no-ner",
        "--no-index",
        "--json",
    )
    assert code == 1
    assert json.loads(out)["exit_code"] == 1
    assert f"{mixed}:2" in "".join(err.split())
    code, report = ingest_json(home, str(good))  # the graph still holds exactly good.jsonl
    assert (report["new"], report["unchanged"]) == (0, 2)


def test_missing_input_exits_1(tmp_path: Path) -> None:
    code, _, err = cli(
        tmp_path / "home",
        "ingest",
        str(tmp_path / "nope.jsonl"),
        "--dataset",
        "d",
        "--no-ner",
        "--no-index",
    )
    assert code == 1 and "no such file" in " ".join(err.split())


def test_delete_then_nothing_matched(tmp_path: Path, good: Path) -> None:
    home = tmp_path / "home"
    ingest_json(home, str(good))
    code, out, _ = cli(
        home, "delete", "--id", "kb-0001", "--reason", "test", "--no-index", "--json"
    )
    assert code == 0 and json.loads(out)["invalidated"] == 1
    code, _, err = cli(home, "delete", "--id", "kb-0001", "--no-index")
    assert code == 1 and "nothing matched" in " ".join(err.split())


def test_delete_without_a_selector_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = cli(tmp_path / "home", "delete", "--no-index")
    assert code == ExitCode.USAGE and "nothing to select" in " ".join(err.split())


@pytest.mark.slow
@pytest.mark.model
def test_ingest_updates_the_index_and_unchanged_content_embeds_nothing(
    tmp_path: Path, good: Path
) -> None:
    home = tmp_path / "home"
    args = ["ingest", str(good), "--dataset", "support-kb", "--no-ner", "--json"]
    code, out, _ = cli(home, *args)
    first = json.loads(out)
    assert code == 0 and first["embedded"] == 2 and first["index"]["total"] == 2
    code, out, _ = cli(home, *args)
    second = json.loads(out)
    assert code == 0 and second["embedded"] == 0 and second["index"]["total"] == 2
    code, out, _ = cli(home, "delete", "--id", "kb-0001", "--json")
    assert code == 0 and json.loads(out)["index"]["total"] == 1
