"""scripts/bench_serve.py runs, bounded in time and count, against a real server."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_serve.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_serve", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.model  # the servers it starts embed the queries
def test_a_short_run_reports_both_modes_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = ["--duration", "2", "--clients", "4", "--max-requests", "40", "--out", str(out)]
    assert _script().main([*args, "--home", str(tmp_path / "home")]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    on, off = report["runs"]
    assert (on["mode"], off["mode"]) == ("on", "off")
    assert on["errors"] == off["errors"] == 0 and 0 < on["requests"] <= 40
    assert on["audited"] == on["ok"]  # every search with auth on was audited
    assert set(report["ratio_on_off"]) == {"requests_per_s", "p50_ms", "p95_ms"}
    assert len(on["load_before"]) == 3


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(SystemExit):
        _script().main(["--modes", "sideways"])
