"""The ingest batch itself: its deterministic id, and its own PROV written last.

Batch ids are the sha256 of (dataset, version, the sorted sha256 of the source
files, the policies), 16 hex digits, with ``-2``, ``-3``, ... when a committed
batch already has the id. A crashed run's open graph is dropped by
:meth:`kg.graph.KnowledgeGraph.recover` before the id is chosen, so running the
same ingest again reuses the id.

The batch's PROV (source files with sha256 and size, counts, start/end time,
provrag version, the NER activity) goes into the batch graph after its last
chunk, just before the commit; the count of triples it records includes its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from importlib import metadata

from ingest.readers import InputFile
from ingest.report import IngestReport
from ingest.writer import BatchWriter
from kg import ids, mapping
from kg.graph import KnowledgeGraph
from kg.model import now_utc
from kg.ontology import ensure_ontology
from kg.queries.nodes import described_nodes
from kg.typing import OnDuplicate, OnInvalid


def provrag_version() -> str:
    try:
        return metadata.version("provrag")
    except metadata.PackageNotFoundError:
        return "unknown"


def batch_id_for(
    dataset: str | None,
    version: str | None,
    file_sha256s: Sequence[str],
    on_invalid: OnInvalid,
    on_duplicate: OnDuplicate,
) -> str:
    """The deterministic id of a batch (without the ``-N`` suffix for repeats)."""
    key = {
        "dataset": dataset,
        "version": version,
        "files": sorted(file_sha256s),
        "on_invalid": on_invalid,
        "on_duplicate": on_duplicate,
    }
    return ids.sha256_hex(ids.canonical_json(key))[:16]


def free_batch_id(kg: KnowledgeGraph, base: str) -> str:
    """``base``, or ``base-N`` with the first N no committed batch has."""
    candidate, n = base, 1
    while kg.graph_status(ids.batch_iri(candidate)) == "committed":
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def write_batch_prov(
    writer: BatchWriter,
    report: IngestReport,
    *,
    files: Sequence[InputFile],
    started: datetime,
    on_invalid: OnInvalid,
    on_duplicate: OnDuplicate,
) -> None:
    """Add the batch's own PROV to its open graph; sets ``report.triples_added``.

    Call it once every chunk is handed to ``writer`` (whose graph must be open);
    the graph is committed when the caller's ExitStack closes.
    """
    kg = writer.kg
    batch = writer.batch_iri
    extractor = writer.extractor
    tail: list[str] = []
    if extractor is not None:
        tail += mapping.extraction_triples(
            writer.extraction_iri, batch, extractor.name, extractor.version, extractor.fallback
        )
    counts = {k: getattr(report, k) for k in mapping.COUNT_TERMS}
    info = mapping.BatchInfo(
        iri=batch,
        started=started,
        ended=now_utc(),
        provrag_version=provrag_version(),
        files=[mapping.SourceFileInfo(str(f.path.resolve()), f.sha256, f.size) for f in files],
        counts=counts,
        on_invalid=on_invalid,
        on_duplicate=on_duplicate,
    )
    shared_nodes = {ids.agent_iri("software", "provrag")} | {
        ids.source_file_iri(f.sha256) for f in files
    }
    existing = described_nodes(kg, shared_nodes - writer.shared.known)
    # the class axioms the samples' queries and shapes lean on (a no-op when current)
    ensure_ontology(kg)
    writer.settle()
    graph = writer.graph
    written = graph.count if graph is not None else 0
    # the count of triples includes the batch's own: the tail's length does not
    # depend on the value of the count, so measure it first
    probe = mapping.drop_subjects(tail + mapping.batch_triples(info), existing)
    counts["triples_added"] = written + len(probe)
    info.counts = counts
    final = mapping.drop_subjects(tail + mapping.batch_triples(info), existing)
    report.triples_added = counts["triples_added"]
    if graph is not None:
        graph.add_statements(final)
