"""Golden sets' dev/holdout split: declared per item or by a seeded hash rule in the meta
file, read without touching the other split, recorded in the graph with the set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.errors import GoldenSetError
from evaluation.golden import ingest_golden, load_golden_jsonl
from evaluation.record import load_golden
from kg.graph import KnowledgeGraph
from kg.model import GoldenItem, SplitRule
from kg.store.embedded import OxigraphStore


def _write(tmp_path: Path, rows: list[dict], meta: dict | None = None) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if meta is not None:
        (tmp_path / "gold.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def _row(qid: str, split: str | None = None, **extra: object) -> dict:
    row: dict = {"query_id": qid, "query": f"query {qid}", "relevant": {"a": 1}, **extra}
    if split is not None:
        row["split"] = split
    return row


def test_the_hash_rule_is_deterministic_and_near_its_ratio() -> None:
    rule = SplitRule(dev_ratio=0.3, seed=7)
    splits = [rule.split_of(f"q{i}") for i in range(2000)]
    assert splits == [SplitRule(dev_ratio=0.3, seed=7).split_of(f"q{i}") for i in range(2000)]
    assert 0.25 < splits.count("dev") / len(splits) < 0.35
    other = [SplitRule(dev_ratio=0.3, seed=8).split_of(f"q{i}") for i in range(2000)]
    assert other != splits


def test_an_item_split_wins_over_the_rule(tmp_path: Path) -> None:
    rule = SplitRule(dev_ratio=0.5, seed=1)
    qids = [f"q{i}" for i in range(20)]
    flipped = next(q for q in qids if rule.split_of(q) == "dev")
    rows = [_row(q, "holdout" if q == flipped else None) for q in qids]
    path = _write(tmp_path, rows, {"dataset": "kb", "split": {"dev_ratio": 0.5, "seed": 1}})
    golden = load_golden_jsonl(path)
    got = {it.query_id: it.split for it in golden.items}
    assert got[flipped] == "holdout"
    assert all(got[q] == rule.split_of(q) for q in qids if q != flipped)
    assert golden.split_rule == rule


def test_loading_one_split_never_checks_the_other(tmp_path: Path) -> None:
    rows = [
        _row("d1", "dev"),
        _row("h1", "holdout", relevant={"a": "not a grade"}, unknown_field=1),
        _row("d2", "dev"),
        {"query_id": "h2", "split": "holdout"},  # no query text: invalid if it were read
    ]
    path = _write(tmp_path, rows, {"dataset": "kb"})
    dev = load_golden_jsonl(path, split="dev")
    assert [it.query_id for it in dev.items] == ["d1", "d2"]
    assert dev.selected == "dev"
    with pytest.raises(GoldenSetError, match="grade"):
        load_golden_jsonl(path)


def test_a_split_asked_of_a_set_that_declares_none_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("q1"), _row("q2")], {"dataset": "kb"})
    with pytest.raises(GoldenSetError, match="names no split"):
        load_golden_jsonl(path, split="dev")
    with pytest.raises(GoldenSetError, match="declares no split"):
        load_golden_jsonl(path).subset("dev")


@pytest.mark.parametrize(
    "rule", [{"dev_ratio": 1.5}, {"dev_ratio": 0.5, "salt": 1}, "half", {"seed": 1}]
)
def test_a_bad_split_rule_is_reported(tmp_path: Path, rule: object) -> None:
    path = _write(tmp_path, [_row("q1")], {"dataset": "kb", "split": rule})
    with pytest.raises(GoldenSetError, match="split"):
        load_golden_jsonl(path)


def test_a_bad_item_split_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("q1", "test")], {"dataset": "kb"})
    with pytest.raises(GoldenSetError, match="split must be one of dev, holdout"):
        load_golden_jsonl(path)


def test_a_subset_is_never_ingested(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("q1", "dev"), _row("q2", "holdout")], {"dataset": "kb"})
    kg = KnowledgeGraph(OxigraphStore(None))
    with pytest.raises(GoldenSetError, match="whole set"):
        ingest_golden(kg, load_golden_jsonl(path, split="dev"))


def test_splits_are_recorded_and_read_back_one_at_a_time(tmp_path: Path) -> None:
    rows = [_row(f"q{i}") for i in range(12)] + [_row("pinned", "dev")]
    meta = {"dataset": "kb", "split": {"dev_ratio": 0.5, "seed": 3}}
    golden = load_golden_jsonl(_write(tmp_path, rows, meta))
    kg = KnowledgeGraph(OxigraphStore(None))
    ingest_golden(kg, golden)
    whole = load_golden(kg, golden.name, golden.version)
    assert {it.query_id: it.split for it in whole.items} == {
        it.query_id: it.split for it in golden.items
    }
    assert whole.split_rule == SplitRule(dev_ratio=0.5, seed=3)
    for split in ("dev", "holdout"):
        part = load_golden(kg, golden.name, golden.version, split)
        expected = sorted(it.query_id for it in golden.items if it.split == split)
        assert [it.query_id for it in part.items] == expected
        assert all(it.relevant == {"a": 1} for it in part.items)
        assert part.selected == split


def test_a_set_without_splits_keeps_the_content_hash_it_had_before_splits() -> None:
    from kg import ids
    from kg.mapping.golden import golden_content_hash
    from tests.evaluation.toy import toy_golden

    golden = toy_golden()
    fields = ("query_id", "query", "relevant", "gold_answers", "tags", "author")
    before_splits = {
        "name": golden.name,
        "version": golden.version,
        "dataset": golden.dataset,
        "author": golden.author,
        "guideline_version": golden.guideline_version,
        "description": golden.description,
        "items": sorted(
            (
                {**{f: getattr(it, f) for f in fields}, "guideline_version": it.guideline_version}
                for it in golden.items
            ),
            key=lambda d: d["query_id"],
        ),
    }
    assert golden_content_hash(golden) == ids.sha256_hex(ids.canonical_json(before_splits))
    golden.items = [GoldenItem(**{**golden.items[0].model_dump(), "split": "dev"})]
    assert golden_content_hash(golden) != ids.sha256_hex(ids.canonical_json(before_splits))
