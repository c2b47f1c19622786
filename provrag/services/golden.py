"""Golden sets by path or by name: what ``provrag eval --golden`` and
:meth:`provrag.api.Client.evaluate` are given.

A path (our JSONL + ``.meta.json``) is checked against the samples of its
dataset, then ingested into the graph as a versioned GoldenSet, idempotently; a
name (``NAME`` or ``NAME@VERSION``) is read back from the graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluation.errors import GoldenSetError
from evaluation.golden import GoldenSet, ingest_golden, load_golden_jsonl, validate_against
from evaluation.record import golden_versions, load_golden
from kg.graph import KnowledgeGraph
from kg.queries.versions import dataset_external_ids
from kg.typing import GoldenSplit


def dataset_sample_ids(kg: KnowledgeGraph, dataset: str) -> set[str]:
    """External ids of every sample revision of ``dataset`` (current or not)."""
    return dataset_external_ids(kg, dataset)


def _natural(version: str) -> tuple[Any, ...]:
    parts = []
    for piece in version.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def _is_path(spec: str | Path) -> bool:
    return Path(spec).is_file() or str(spec).endswith(".jsonl")


def _check_samples(kg: KnowledgeGraph, golden: GoldenSet, path: Path) -> None:
    if golden.dataset is None:
        return
    known = dataset_sample_ids(kg, golden.dataset)
    if not known:
        raise GoldenSetError(
            f"{path}: the golden set is about dataset {golden.dataset!r}, which the "
            "graph does not hold; ingest the dataset first (provrag ingest FILE)"
        )
    problems = validate_against(golden, known)
    if problems:
        raise GoldenSetError(problems)


def resolve_golden(
    kg: KnowledgeGraph, spec: str | Path, split: GoldenSplit | None = None
) -> GoldenSet:
    """The golden set named by ``spec``: a JSONL path, or ``NAME`` / ``NAME@VERSION``;
    with ``split``, only its items of that split.

    A path is loaded, checked against the graph's samples of its dataset (unknown
    sample ids are an error naming file, line and id) and ingested whole (a no-op
    when the same content is already stored; different content under the same
    version is an error asking for a new version). A name without a version
    takes the highest version stored.
    """
    if _is_path(spec):
        path = Path(spec)
        golden = load_golden_jsonl(path)
        _check_samples(kg, golden, path)
        ingest_golden(kg, golden)
        return golden if split is None else golden.subset(split)
    if split is not None:
        return resolve_golden_split(kg, spec, split)
    name, version = _name_version(kg, str(spec))
    return load_golden(kg, name, version)


def resolve_golden_split(kg: KnowledgeGraph, spec: str | Path, split: GoldenSplit) -> GoldenSet:
    """Only the ``split`` items of the golden set ``spec``; no other item is ever read.

    A path is read for that split's items alone (:func:`load_golden_jsonl` with
    ``split``), checked against the graph's samples, and not ingested (the set is
    ingested whole by ``provrag eval --golden PATH``); a name reads only that
    split's items from the graph.
    """
    if _is_path(spec):
        path = Path(spec)
        golden = load_golden_jsonl(path, split=split)
        _check_samples(kg, golden, path)
        return golden
    name, version = _name_version(kg, str(spec))
    golden = load_golden(kg, name, version, split)
    if not golden.items:
        raise GoldenSetError(
            f"golden set {name!r} version {version!r} has no {split!r} query; declare a "
            'split (each item\'s "split", or "split" in its .meta.json) and ingest a new version'
        )
    return golden


def _name_version(kg: KnowledgeGraph, text: str) -> tuple[str, str]:
    name, _, version = text.partition("@")
    if not version:
        versions = golden_versions(kg, name)
        if not versions:
            raise GoldenSetError(
                f"no golden set named {name!r} in the graph, and no file {text!r}; give the "
                "path of a golden set .jsonl file, or the name of one ingested before"
            )
        version = max(versions, key=_natural)
    return name, version
