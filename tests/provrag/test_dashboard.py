"""``provrag report --dashboard``: the page renders in headless Chromium (screenshot path
printed), the agreement and drift monitors run and alert on a breached threshold once,
and every monitor's table exports."""

from __future__ import annotations

import gc
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kg.mapping.monitors import MonitorRunIn
from kg.monitors import record_monitor_run
from kg.queries.monitors import LATEST_AGREEMENT_QUERY, LATEST_DRIFT_QUERY, monitor_runs
from provrag.cli import app
from provrag.services.dashboard import export_format
from provrag.services.monitoring import TABLES
from provrag.settings import load_settings
from provrag.wiring import open_kg

DATA = Path(__file__).resolve().parents[2] / "provrag" / "example_data"
DATASET = "northwind-support"


def _cli(home: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--home", str(home), *args], env=env)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-home")
    for name in ("kb_v1.jsonl", "kb_v2.jsonl"):
        result = _cli(path, "ingest", str(DATA / name), "--no-ner", "--no-index")
        assert result.exit_code == 0, result.output
        del result
        gc.collect()
    with open_kg(load_settings(path)) as kg:
        now = datetime.now(UTC)
        record_monitor_run(
            kg,
            MonitorRunIn(
                "cov-1",
                "coverage",
                now,
                now,
                {"uncovered_clusters": [{"name": "Harbourline Insurance, topic=home_insurance"}]},
                {"real_covered_share": 0.93, "golden_covered_share": 0.52, "uncovered_clusters": 5},
                DATASET,
            ),
        )
    return path


def _agreement_runs(home: Path) -> int:
    with open_kg(load_settings(home)) as kg:
        return len(monitor_runs(kg, "agreement"))


@pytest.fixture(scope="module")
def built(home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    out = tmp_path_factory.mktemp("dash")
    env = {"PROVRAG_MONITORS__MIN_ALPHA": "0.95"}  # the example data's alpha is ~0.87
    result = _cli(
        home, "report", "--dashboard", "--out", str(out / "d.html"), "--export", str(out / "x"),
        "--json", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import json

    payload = json.loads(result.stdout)
    return Path(payload["html"]), out / "x", payload["new_alerts"]


def test_a_breached_agreement_threshold_alerts_once(
    home: Path, built: tuple[Path, Path, list[str]]
) -> None:
    _, _, new_alerts = built
    assert len(new_alerts) == 2 and all(a.startswith("agreement-") for a in new_alerts)
    runs_before = _agreement_runs(home)
    again = _cli(home, "report", "--dashboard", "--json",
                 env={"PROVRAG_MONITORS__MIN_ALPHA": "0.95"})  # fmt: skip
    assert again.exit_code == 0, again.output
    assert _agreement_runs(home) == runs_before == 2  # same numbers: no new run recorded
    assert '"new_alerts": []' in again.stdout
    listed = _cli(home, "alerts", "--json").stdout
    assert sum(a in listed for a in new_alerts) == 2


def test_agreement_and_drift_latest_results_are_in_the_graph(
    home: Path, built: tuple[Path, Path, list[str]]
) -> None:
    with open_kg(load_settings(home)) as kg:
        [agreement] = kg.select(LATEST_AGREEMENT_QUERY)
        [drift] = kg.select(LATEST_DRIFT_QUERY)
    assert agreement["dataset"] == DATASET and agreement["version"] == "2026.11"
    assert 0.5 < agreement["alpha"] < 0.95
    assert drift["version"] == "2026.10..2026.11"
    assert 0 < drift["changed_share"] < 0.2 and drift["label_js_divergence"] >= 0


def test_every_monitor_table_is_exported(built: tuple[Path, Path, list[str]]) -> None:
    _, export, _ = built
    fmt = export_format()
    assert fmt == "parquet"  # pyarrow is a dependency
    files = sorted(p.name for p in export.iterdir())
    assert files == sorted(f"{t}.{fmt}" for t in TABLES)
    share = pd.read_parquet(export / "synthetic_share.parquet")
    assert list(share["version"]) == ["2026.10", "2026.11"]
    assert (share["synthetic"] / share["samples"]).round(9).tolist() == share[
        "synthetic_share"
    ].round(9).tolist()
    coverage = pd.read_parquet(export / "coverage.parquet")
    assert coverage.loc[0, "largest_uncovered"].startswith("Harbourline Insurance")
    alerts = pd.read_parquet(export / "alerts.parquet")
    assert set(alerts["monitor"]) == {"agreement"} and "note" in alerts.columns


@pytest.mark.slow
def test_the_dashboard_renders_in_headless_chromium(
    built: tuple[Path, Path, list[str]],
    tmp_path: Path,
    chromium: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    html, _, _ = built
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text and "https://" not in text
    flags = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    shot = Path(os.environ.get("PROVRAG_SCREENSHOT_DIR", tmp_path)) / "dashboard.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1400,2400", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with capsys.disabled():  # in the test output, captured or not
        print(f"\ndashboard screenshot: {shot}")
    assert shot.is_file() and shot.stat().st_size > 0
    from matplotlib.image import imread

    pixels = np.asarray(imread(str(shot)))
    assert pixels.shape[0] >= 2000 and float(pixels[..., :3].std()) > 0.05, "blank page"
    dom = subprocess.run(
        [*flags, "--dump-dom", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    for table in ("alerts-table", "versions-table", "coverage-table", "testset-table"):
        assert f'id="{table}"' in dom
    assert "Krippendorff" in dom and "drift between versions" in dom and "<svg" in dom
    assert "Harbourline Insurance, topic=home_insurance" in dom
