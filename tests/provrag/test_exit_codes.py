"""The exit codes: one enum, the same table in the README, in ``provrag --help`` and in ingest."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from ingest import report as ingest_report
from provrag.cli import app
from provrag.exit_codes import MEANINGS, ExitCode

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _readme_table() -> dict[int, str]:
    """``{code: NAME}`` from the table under the README's **Exit codes** paragraph."""
    section = README.split("**Exit codes**", 1)[1]
    table = section[section.index("\n|") :].split("\n\n", 1)[0]
    return {int(c): n for c, n in re.findall(r"^\| `(\d+)` \| `(\w+)` \|", table, re.MULTILINE)}


def test_the_readme_table_and_the_enum_agree() -> None:
    assert _readme_table() == {int(code): code.name for code in ExitCode}


def test_help_lists_every_exit_code_with_its_meaning() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == ExitCode.OK, result.output
    text = " ".join(result.stdout.split())
    assert set(MEANINGS) == set(ExitCode)
    for code in ExitCode:
        assert f"{int(code)} {code.name}: {MEANINGS[code]}" in text


def test_ingest_reports_use_the_cli_codes() -> None:
    assert ingest_report.EXIT_OK == ExitCode.OK
    assert ingest_report.EXIT_FAILURE == ExitCode.ERROR
    assert ingest_report.EXIT_PARTIAL == ExitCode.INGEST_PARTIAL
