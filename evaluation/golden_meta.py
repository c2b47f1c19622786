"""A golden set's metadata file (``<name>.meta.json``) and its declared dev/holdout split.

Keys: ``name``, ``version``, ``dataset``, ``author``, ``guideline_version``,
``description`` (non-empty strings; ``version`` may be an integer) and ``split``,
an object ``{"dev_ratio": 0.5, "seed": 13}`` (:class:`kg.model.SplitRule`) that
splits deterministically every item that does not name its own ``split``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evaluation.errors import GoldenProblem
from kg.model import SplitRule
from kg.typing import GOLDEN_SPLITS, GoldenSplit, literal_value

META_KEYS = (
    "name",
    "version",
    "dataset",
    "author",
    "guideline_version",
    "description",
    "split",
)


def meta_path(path: Path) -> Path:
    """The metadata file beside ``path`` (``golden.jsonl`` -> ``golden.meta.json``)."""
    return path.with_name(path.name.removesuffix(".jsonl") + ".meta.json")


def _split_rule(value: Any, where: str) -> tuple[SplitRule | None, list[GoldenProblem]]:
    if not isinstance(value, Mapping):
        return None, [
            GoldenProblem(
                'split must be an object {"dev_ratio": 0.5, "seed": 13}',
                where,
                None,
                "split",
                value,
            )
        ]
    try:
        return SplitRule.model_validate(dict(value)), []
    except ValidationError as exc:
        return None, [
            GoldenProblem(
                f"{e['msg']}; dev_ratio is a number between 0 and 1 (exclusive), seed an integer",
                where,
                None,
                ".".join(["split", *map(str, e["loc"])]),
                value,
            )
            for e in exc.errors()
        ]


def read_meta(
    path: Path, meta: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[GoldenProblem]]:
    """The merged metadata of ``path``'s meta file and ``meta`` (which wins key by key),
    with every problem found; ``"split"`` holds a :class:`SplitRule` when declared."""
    problems: list[GoldenProblem] = []
    merged: dict[str, Any] = {}
    sibling = meta_path(path)
    sources: list[tuple[str, Mapping[str, Any]]] = []
    if sibling.is_file():
        try:
            loaded = json.loads(sibling.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            return {}, [GoldenProblem(f"not valid JSON: {exc.msg}", str(sibling), exc.lineno)]
        if not isinstance(loaded, dict):
            return {}, [GoldenProblem("must hold a JSON object", str(sibling))]
        sources.append((str(sibling), loaded))
    if meta is not None:
        sources.append(("<meta argument>", meta))
    for where, values in sources:
        for key, value in values.items():
            if key not in META_KEYS:
                problems.append(
                    GoldenProblem(
                        f"unknown metadata key; allowed: {', '.join(META_KEYS)}", where, None, key
                    )
                )
            elif key == "split":
                rule, found = _split_rule(value, where)
                problems += found
                merged[key] = rule
            elif key == "version" and isinstance(value, int) and not isinstance(value, bool):
                merged[key] = str(value)
            elif value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append(
                    GoldenProblem("must be a non-empty string", where, None, key, value)
                )
            else:
                merged[key] = value
    return merged, problems


def item_split(data: Mapping[str, Any], rule: SplitRule | None) -> GoldenSplit | None:
    """The split of one raw item: its own ``split`` when it names a valid one, else the
    rule's for its query id (None: neither; a bad value is reported by the item checks)."""
    own = data.get("split")
    if own is not None:
        return literal_value(GOLDEN_SPLITS, own)
    qid = data.get("query_id")
    if rule is None or not isinstance(qid, str) or not qid.strip():
        return None
    return rule.split_of(qid)
