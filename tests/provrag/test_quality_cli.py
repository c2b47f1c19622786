"""``provrag agreement`` and ``provrag drift`` on the bundled example data (both versions
ingested through the CLI), checked against numbers computed from the JSONL files."""

from __future__ import annotations

import gc
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from evaluation.agreement import LabelMatrix, krippendorff_alpha
from provrag.cli import app
from provrag.exit_codes import ExitCode

DATA = Path(__file__).resolve().parents[2] / "provrag" / "example_data"
DATASET = "northwind-support"


def _jsonl(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _human_intents(records: list[dict[str, Any]]) -> LabelMatrix:
    """The label matrix computed straight from the records (not through the graph)."""
    out: LabelMatrix = {}
    for rec in records:
        for lb in rec["labels"]:
            if lb["field"] == "intent" and lb["annotator_kind"] == "human":
                out.setdefault(rec["id"], {})[lb["annotator"]] = lb["value"]
    return {k: v for k, v in out.items() if len(v) >= 2}


def _disagreeing(matrix: LabelMatrix) -> int:
    return sum(1 for row in matrix.values() if len(set(row.values())) > 1)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["counts"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quality-home")
    for name in ("kb_v1.jsonl", "kb_v2.jsonl"):
        result = CliRunner().invoke(
            app, ["--home", str(path), "ingest", str(DATA / name), "--no-ner", "--no-index"]
        )
        assert result.exit_code == 0, result.output
        # ingest ends by raising typer.Exit: the traceback kept in the result holds the
        # embedded store (and its lock) until the result is gone
        del result
        gc.collect()
    return path


def run(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    return result


def run_json(home: Path, *args: str) -> dict[str, Any]:
    result = run(home, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# ------------------------------------------------------------------ agreement


def test_agreement_on_version_1_matches_the_readme(home: Path, manifest) -> None:
    r = run_json(home, "agreement", "--field", "intent", "--dataset", DATASET,
                 "--version", "2026.10")  # fmt: skip
    assert r["annotators"] == ["ann-1", "ann-2", "ann-3"]
    assert r["items"] == manifest["v1_human_labelled_samples"]
    assert len(r["disagreements"]) == manifest["v1_disagreements"]
    expected = _human_intents(_jsonl("kb_v1.jsonl"))
    assert _disagreeing(expected) == manifest["v1_disagreements"]
    assert r["alpha"] == pytest.approx(krippendorff_alpha(expected))


def test_agreement_on_current_samples(home: Path, manifest) -> None:
    """v2 holds every id of v1, so the current samples are exactly v2's records."""
    r = run_json(home, "agreement", "--field", "intent")
    assert r["annotators"] == ["ann-1", "ann-2", "ann-3"]
    expected = _human_intents(_jsonl("kb_v2.jsonl"))
    assert r["items"] == len(expected)
    assert len(r["disagreements"]) == _disagreeing(expected)
    assert r["alpha"] == pytest.approx(krippendorff_alpha(expected))
    # README: disagreement on about 17% of the labelled samples, 3 more among the new ones
    readme_rate = manifest["v1_disagreements"] / manifest["v1_human_labelled_samples"]
    assert r["disagreement_rate"] == pytest.approx(readme_rate, abs=0.02)
    assert set(r["by_origin"]) == {"real", "synthetic"}
    assert set(r["by_guideline_version"]) == {"1.1", "1.2"}
    assert len(r["pairs"]) == 3


def test_agreement_tables_list_the_first_disagreements(home: Path) -> None:
    total = len(run_json(home, "agreement", "--field", "intent")["disagreements"])
    result = run(home, "agreement", "--field", "intent")
    assert result.exit_code == 0, result.output
    assert "Krippendorff" in result.stdout and "Cohen" in result.stdout
    assert f"and {total - 20} more" in result.stdout


def test_agreement_on_an_unknown_field_names_the_fields(home: Path) -> None:
    result = run(home, "agreement", "--field", "mood")
    assert result.exit_code == 1
    assert "intent" in result.stderr and "topic" in result.stderr


def test_agreement_version_needs_a_dataset(home: Path) -> None:
    result = run(home, "agreement", "--field", "intent", "--version", "2026.10")
    assert result.exit_code == ExitCode.USAGE
    assert "--dataset" in result.stderr


# ------------------------------------------------------------------ drift


def test_drift_counts_match_the_readme(home: Path, manifest) -> None:
    r = run_json(home, "drift", "--dataset", DATASET, "--from", "2026.10", "--to", "2026.11")
    s = r["samples"]
    assert s["changed"] == manifest["v2_changed"]
    assert s["new"] == manifest["v2_new"]
    assert s["removed"] == 0
    assert s["unchanged"] == manifest["v1_samples"] - manifest["v2_changed"]
    assert (s["size_a"], s["size_b"]) == (manifest["v1_samples"], manifest["v2_samples"])
    v1 = {rec["id"]: rec for rec in _jsonl("kb_v1.jsonl")}
    v2 = {rec["id"]: rec for rec in _jsonl("kb_v2.jsonl")}
    changed = sorted(
        k for k in v1.keys() & v2.keys() if {**v1[k], "version": ""} != {**v2[k], "version": ""}
    )
    assert s["changed_ids"] == changed
    assert s["new_ids"] == sorted(v2.keys() - v1.keys())


def test_drift_distributions_match_the_files(home: Path, manifest) -> None:
    r = run_json(home, "drift", "--dataset", DATASET, "--from", "2026.10", "--to", "2026.11")
    for key, name in (("counts_a", "kb_v1.jsonl"), ("counts_b", "kb_v2.jsonl")):
        records = _jsonl(name)
        intents = Counter(
            lb["value"] for rec in records for lb in rec["labels"] if lb["field"] == "intent"
        )
        assert r["labels"]["intent"][key] == dict(intents)
        assert r["origin"][key] == dict(Counter(rec["origin"] for rec in records))
        prompts = Counter(
            f"{rec['generation']['generator']}/{rec['generation']['prompt_version']}"
            for rec in records
            if rec["origin"] == "synthetic"
        )
        assert r["prompt_versions"][key] == dict(prompts)
    assert r["origin"]["counts_a"]["real"] == manifest["v1_real_passages"]
    # revised paraphrases were regenerated with prompt version 3: the mix moved
    assert r["prompt_versions"]["js_divergence"] > 0
    assert 0 < r["labels"]["intent"]["js_divergence"] < 1
    assert r["centroid_distance"] is None


def test_drift_tables(home: Path) -> None:
    result = run(home, "drift", "--dataset", DATASET, "--from", "2026.10", "--to", "2026.11")
    assert result.exit_code == 0, result.output
    assert "JS divergence" in result.stdout and "prompt version" in result.stdout


def test_drift_unknown_version(home: Path) -> None:
    result = run(home, "drift", "--dataset", DATASET, "--from", "2026.10", "--to", "2027.01")
    assert result.exit_code == 1
    assert "2027.01" in result.stderr and "2026.11" in result.stderr


class _FakeEmbedder:
    """Two features per text (length, and the count of 'a'): no model needed."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[len(t), t.count("a") + 1.0] for t in texts], dtype=float)


def test_drift_embed_passes_the_app_embedder(home: Path, monkeypatch) -> None:
    import provrag.wiring

    fake = _FakeEmbedder()
    monkeypatch.setattr(provrag.wiring, "build_embedder", lambda settings, **kw: fake)
    r = run_json(home, "drift", "--dataset", DATASET, "--from", "2026.10", "--to", "2026.11",
                 "--embed")  # fmt: skip
    assert fake.calls == 1
    assert r["centroid_distance"] is not None and r["centroid_distance"] > 0
