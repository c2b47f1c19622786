"""scripts/bench_abstention.py on a small subset of CLAPNQ dev: the threshold and the
confidence map are chosen on the dev half, abstention and ECE measured on the test half."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_abstention.py"

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_abstention", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module


def test_the_loader_keeps_each_question_with_its_passage(script: ModuleType) -> None:
    if not script.DATA.is_dir():
        pytest.skip(f"no CLAPNQ data at {script.DATA}")
    questions, corpus = script.load(script.DATA, 5)
    assert sum(q.answerable for q in questions) == 5 == sum(not q.answerable for q in questions)
    assert all(q.passage in corpus for q in questions)
    assert all(q.gold for q in questions if q.answerable)
    assert not any(q.gold for q in questions if not q.answerable)


def test_a_small_run_reports_abstention_and_ece(script: ModuleType, tmp_path: Path) -> None:
    if not script.DATA.is_dir():
        pytest.skip(f"no CLAPNQ data at {script.DATA}")
    out = tmp_path / "bench.json"
    assert script.main(["--limit", "8", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    q = result["questions"]
    assert q["dev"] + q["test"] == 16 and q["test_unanswerable"] >= 1
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= result["test_abstention"][key] <= 1.0
    assert 0.0 <= result["test_ece"] <= 1.0
    assert isinstance(result["threshold"], float)
