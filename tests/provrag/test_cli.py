"""The root command: usage errors exit 64, a provrag error exits 1 with its message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kg.errors import StoreError
from provrag.cli import ProvragGroup, app
from provrag.errors import UsageError
from provrag.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["eval", "--no-such-option"], "--no-such-option"),
        (["eval", "--golden", "g", "-k", "0"], "-k"),
        (["--store", "bogus", "stats"], "bogus"),
        (["search", "x", "--retriever", "magic"], "magic"),  # a kg.typing Literal option
        (["ingest", "f.jsonl", "--on-invalid", "ignore"], "ignore"),
        (["eval", "--golden", "g", "--clearance", "secret"], "secret"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_usage_errors_exit_64(tmp_path: Path, args: list[str], shown: str) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert shown in result.stderr
    assert not (tmp_path / "home").exists()  # nothing ran


def test_the_installed_entry_point_exits_64_on_a_typo() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "provrag.cli", "eval", "--no-such-option"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "No such option" in done.stderr and "Traceback" not in done.stderr


def _app_raising(error: Exception) -> typer.Typer:
    demo = typer.Typer(cls=ProvragGroup)

    @demo.command()
    def boom() -> None:
        raise error

    @demo.command()
    def fine() -> None:
        """A second command, so that ``demo`` stays a group."""

    return demo


def test_a_provrag_error_a_command_lets_through_exits_1_with_its_message() -> None:
    demo = _app_raising(StoreError("the store at /tmp/s is [locked]; close the other process"))
    result = CliRunner().invoke(demo, ["boom"])
    assert result.exit_code == ExitCode.ERROR
    assert "error: the store at /tmp/s is [locked]" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_an_app_usage_error_exits_64() -> None:
    result = CliRunner().invoke(
        _app_raising(UsageError("--a and --b do not go together")), ["boom"]
    )
    assert result.exit_code == ExitCode.USAGE
    assert "--a and --b do not go together" in result.stderr


def test_a_bad_settings_file_exits_1_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text('store = "nope"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "stats"])
    assert result.exit_code == ExitCode.ERROR
    text = " ".join(result.stderr.split())
    assert "provrag.toml" in text and "'nope'" in text
