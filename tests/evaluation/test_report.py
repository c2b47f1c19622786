"""The HTML/Markdown report: files, tables, plots, and that it renders in headless Chromium."""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from evaluation.report import write_report
from evaluation.results import EvalResult
from tests.evaluation.toy import RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def runs(write_samples: Callable[..., list[str]]) -> list[EvalResult]:
    kg, iris = make_kg(write_samples)
    worse = {q: list(reversed(r)) for q, r in RANKINGS.items()}
    out = []
    for run_id, rankings in (("run-a", RANKINGS), ("run-b", worse)):
        result = run_toy(
            toy_golden(),
            CannedRetriever(rankings, iris),
            kg=kg,
            min_slice_queries=2,
        )
        result.run_id = run_id
        out.append(result)
    return out


def test_report_files_and_tables(runs: list[EvalResult], tmp_path: Path) -> None:
    files = write_report(runs, tmp_path / "rep")
    assert {p.name for p in files.images} == {
        "overall.png",
        "slices.png",
        "per_query.png",
        "compare.png",
    }
    for png in files.images:
        assert png.read_bytes().startswith(PNG_MAGIC)
    html = files.html.read_text(encoding="utf-8")
    # plots embedded, so the page works offline and alone
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(embedded) == 4
    assert all(base64.b64decode(e).startswith(PNG_MAGIC) for e in embedded)
    a = runs[0].overall["ndcg@10"]
    assert f"{a.mean:.4f} [{a.ci_low:.4f}, {a.ci_high:.4f}]" in html
    assert "origin=synthetic (small)" in html and "gold_origin=real" in html
    md = files.markdown.read_text(encoding="utf-8")
    assert "![metrics over all queries](overall.png)" in md
    assert "| ndcg@10 |" in md and "## Run vs run: run-b against run-a" in md
    delta = runs[1].overall["ndcg@10"].mean - runs[0].overall["ndcg@10"].mean
    assert f"{delta:+.4f}" in md


def test_one_run_has_no_comparison(runs: list[EvalResult], tmp_path: Path) -> None:
    files = write_report(runs[:1], tmp_path)
    assert "compare.png" not in {p.name for p in files.images}
    assert "Run vs run" not in files.html.read_text(encoding="utf-8")


def test_text_is_escaped_in_html(runs: list[EvalResult], tmp_path: Path) -> None:
    runs[0].run_id = "<script>alert(1)</script>"
    html = write_report(runs, tmp_path).html.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.slow
def test_report_renders_in_headless_chromium(
    runs: list[EvalResult], tmp_path: Path, chromium: str
) -> None:
    html = write_report(runs, tmp_path / "rep").html
    flags = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,2000", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 0
    from matplotlib.image import imread

    pixels = np.asarray(imread(str(shot)))
    assert pixels.shape[0] >= 1000 and float(pixels[..., :3].std()) > 0.05, "blank page"
    dom = subprocess.run(
        [*flags, "--dump-dom", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    assert 'id="metric-table"' in dom and "ndcg@10" in dom and 'id="slice-table"' in dom
