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


def dataset_sample_ids(kg: KnowledgeGraph, dataset: str) -> set[str]:
    """External ids of every sample revision of ``dataset`` (current or not)."""
    return dataset_external_ids(kg, dataset)


def _natural(version: str) -> tuple[Any, ...]:
    parts = []
    for piece in version.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def resolve_golden(kg: KnowledgeGraph, spec: str | Path) -> GoldenSet:
    """The golden set named by ``spec``: a JSONL path, or ``NAME`` / ``NAME@VERSION``.

    A path is loaded, checked against the graph's samples of its dataset (unknown
    sample ids are an error naming file, line and id) and ingested (a no-op when
    the same content is already stored; different content under the same
    version is an error asking for a new version). A name without a version
    takes the highest version stored.
    """
    text = str(spec)
    path = Path(spec)
    if path.is_file() or text.endswith(".jsonl"):
        golden = load_golden_jsonl(path)
        if golden.dataset is not None:
            known = dataset_sample_ids(kg, golden.dataset)
            if not known:
                raise GoldenSetError(
                    f"{path}: the golden set is about dataset {golden.dataset!r}, which the "
                    "graph does not hold; ingest the dataset first (provrag ingest FILE)"
                )
            problems = validate_against(golden, known)
            if problems:
                raise GoldenSetError(problems)
        ingest_golden(kg, golden)
        return golden
    name, _, version = text.partition("@")
    if not version:
        versions = golden_versions(kg, name)
        if not versions:
            raise GoldenSetError(
                f"no golden set named {name!r} in the graph, and no file {text!r}; give the "
                "path of a golden set .jsonl file, or the name of one ingested before"
            )
        version = max(versions, key=_natural)
    return load_golden(kg, name, version)
