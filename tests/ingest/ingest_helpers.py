"""Helpers of the batch-ingest tests: records, files, a graph, and what it holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ingest.pipeline import ingest_files
from ingest.report import IngestReport
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph, to_python
from kg.store.base import SelectResult
from kg.store.embedded import OxigraphStore


def record(i: int, **changes: Any) -> dict[str, Any]:
    """A synthetic, labelled record; ``changes`` replace fields (None removes one)."""
    rec: dict[str, Any] = {
        "id": f"kb-{i:04d}",
        "text": f"How do I report lost card number {i}?",
        "origin": "synthetic",
        "generation": {
            "generator": "faq-paraphraser",
            "model": "template-engine-1",
            "prompt_template": "paraphrase",
            "prompt_version": str(i % 2),
            "seed": 7,
            "params": {"temperature": 0.7},
            "generated_at": "2026-11-02T10:00:00Z",
        },
        "labels": [
            {
                "field": "intent",
                "value": "card_lost",
                "annotator": f"ann-{i % 3}",
                "guideline_version": "1.2",
                "labeled_at": "2026-11-03T09:00:00Z",
            }
        ],
        "sensitivity": "internal",
        "metadata": {"product": "cards"},
    }
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def real(i: int, **changes: Any) -> dict[str, Any]:
    return record(i, **{"origin": "real", "generation": None, "labels": None, **changes})


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def memory_kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def ingest(kg: KnowledgeGraph, paths: list[Path], tmp_path: Path, **kwargs: Any) -> IngestReport:
    kwargs.setdefault("dataset", "support-kb")
    kwargs.setdefault("version", "1")
    return ingest_files(kg, paths, quarantine_dir=tmp_path / "quarantine", **kwargs)


CURRENT = """
SELECT ?id ?text WHERE {
  ?s a pr:Sample ; pr:externalId ?id ; pr:text ?text .
  FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?t }
} ORDER BY ?id
"""


def current_samples(kg: KnowledgeGraph) -> dict[str, str]:
    """external id -> text of the current (not invalidated) samples."""
    return {row["id"]: row["text"] for row in kg.select(CURRENT)}


def all_revisions(kg: KnowledgeGraph) -> int:
    return int(kg.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample }")[0]["n"])


_DATETIME = re.compile(r'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>')


def normalised_quads(store: ox.Store, *, drop_graphs: tuple[str, ...] = ()) -> set[str]:
    """Every quad as N-Quads text, xsd:dateTime values replaced by one placeholder.

    The graph has no blank nodes, so equal sets mean isomorphic datasets.
    """
    out = set()
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in drop_graphs:
            continue
        out.add(_DATETIME.sub('"T"^^<xsd:dateTime>', str(quad)))
    return out


def registry(kg: KnowledgeGraph) -> dict[str, str]:
    """graph name -> open | committed."""
    rows = kg.store.query(f"SELECT ?g ?s WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g ?p ?s }} }}")
    assert isinstance(rows, SelectResult)
    return {str(to_python(r["g"])): str(to_python(r["s"])) for r in rows.rows}


def raw_store(kg: KnowledgeGraph) -> ox.Store:
    """The pyoxigraph store under an embedded or in-memory graph."""
    assert isinstance(kg.store, OxigraphStore)
    return kg.store.raw
