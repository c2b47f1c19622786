"""``provrag quickstart`` runs the whole tour on the bundled data, every step as expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provrag.cli import app


@pytest.mark.slow
@pytest.mark.model
def test_quickstart_runs_every_step_as_expected(tmp_path: Path) -> None:
    home = tmp_path / "qs"
    result = CliRunner().invoke(app, ["--home", str(home), "quickstart"])
    assert result.exit_code == 0, result.output[-3000:]
    assert "Every step went as expected" in result.output
    assert "origin=real" in result.output  # the eval slices are shown
    # the lost-card search of step 9 returns the lost-card passage first
    step9 = result.output.split("9. Graph-enriched search, explained", 1)[1]
    first = re.search(r"kb-\d{4}", step9)
    assert first is not None and first.group() == "kb-0001", step9[:2000]
    assert list((home / "reports").rglob("report.html"))
    assert "31. Coverage" in result.output and "dashboard:" in result.output
    dashboard = home / "reports" / "dashboard.html"
    assert 'id="releases-table"' in dashboard.read_text(encoding="utf-8")
    # a second run starts afresh and goes as well
    again = CliRunner().invoke(app, ["--home", str(home), "quickstart", "--no-eval"])
    assert again.exit_code == 0, again.output[-3000:]


def test_quickstart_refuses_a_home_with_other_data(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("precious")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "quickstart"])
    assert result.exit_code == 1
    assert (tmp_path / "mine.txt").read_text() == "precious"
