"""scripts/compare_retrievers.py: a row is a name and [retrieval] overrides; a row naming
a setting RetrieverConfig lacks is skipped, not run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from provrag.settings import load_settings

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_retrievers.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_retrievers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module


def test_a_row_naming_an_unknown_setting_is_skipped(script: ModuleType) -> None:
    known = script.retriever_fields()
    assert "graph_role" in known
    row = script.Row("x", "enriched", {"graph_role": "rerank", "no_such_knob": False})
    assert script.missing_settings(row, known) == ["no_such_knob"]
    assert script.missing_settings(script.Row("dense", "dense"), known) == []


def test_overrides_merge_into_dict_settings(script: ModuleType, tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    out = script.with_overrides(settings, {"weights": {"lexical": 0.0}, "graph_hops": 2})
    assert out.retrieval.weights == {**settings.retrieval.weights, "lexical": 0.0}
    assert out.retrieval.graph_hops == 2 and settings.retrieval.graph_hops == 1


def test_every_dataset_names_what_it_reads(script: ModuleType) -> None:
    names = {d.key: d for d in script.DATASETS.values()}
    assert set(names) == {"scifact-test", "scifact-train", "musique", "pubmedqa", "clapnq", "bank"}
    assert names["scifact-train"].dev and not names["scifact-test"].dev
    assert names["bank"].source().is_file()  # bundled: always there
