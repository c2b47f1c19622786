"""Small graphs for the search tests: samples with provenance and entity mentions.

Mentions are given by hand (no spaCy): ``mention(text, "Paris", "GPE")`` finds the
surface form in the text and links it as ingest does (one entity per type and
normalised name).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    BatchInfo,
    MentionSpan,
    SharedNodes,
    SourceFileInfo,
    batch_triples,
    dataset_version_triples,
    extraction_triples,
    mention_triples,
    sample_context,
    sample_triples,
)
from kg.model import SampleRecord
from retrieval.linking import simple_normalize


def mention(text: str, surface: str, entity_type: str) -> MentionSpan:
    start = text.index(surface)
    return MentionSpan(
        surface, start, start + len(surface), entity_type, simple_normalize(surface), surface
    )


def write_corpus(
    kg: KnowledgeGraph,
    records: Sequence[SampleRecord],
    entities: Sequence[Sequence[tuple[str, str]]] | None = None,
    *,
    batch_id: str = "batch-1",
) -> list[str]:
    """One committed ingest batch; ``entities[i]`` = ``[(surface, TYPE), ...]`` of record i.

    A record's ``derived_from`` names records earlier in ``records`` (by id)."""
    batch = ids.batch_iri(batch_id)
    shared = SharedNodes()
    statements: list[str] = []
    iris: list[str] = []
    by_id: dict[str, str] = {}
    for i, rec in enumerate(records):
        external_id = rec.id or f"rec-{i}"
        sources = [by_id[ref] for ref in rec.derived_from]  # earlier records of the list
        ctx = sample_context(rec, external_id, batch, derived_from=sources)
        by_id[external_id] = ctx.iri
        iri = ctx.iri
        statements += sample_triples(rec, ctx, shared)
        spans = [mention(rec.text, s, t) for s, t in (entities[i] if entities else [])]
        if spans:
            extraction = ids.extraction_iri(iri)
            statements += mention_triples(iri, spans, extraction, shared)
            statements += extraction_triples(extraction, batch, "test-ner", "1", False)
        iris.append(iri)
    for dataset, version in sorted({(r.dataset, r.version) for r in records}):
        statements += dataset_version_triples(dataset, version)
    when = datetime(2026, 11, 1, tzinfo=UTC)
    statements += batch_triples(
        BatchInfo(
            iri=batch,
            started=when,
            ended=when,
            provrag_version="test",
            files=[SourceFileInfo(path="corpus.jsonl", sha256="a" * 64, size=10)],
            counts={"read": len(records)},
            on_invalid="quarantine",
            on_duplicate="skip",
        )
    )
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)
    return iris


#: six passages, four of which mention entities
TEXTS = [
    "The Eiffel Tower in Paris was completed in 1889 for the World Fair.",
    "Gustave Eiffel's company designed and built the Eiffel Tower of iron lattice.",
    "Insulin is a hormone produced by the pancreas that regulates blood sugar.",
    "Mount Everest is the highest mountain above sea level, in the Himalayas.",
    "The stock market fell sharply after the central bank raised interest rates.",
    "A quiet museum district of Paris lies on the left bank of the river Seine.",
]
ENTITIES = [
    [("Eiffel Tower", "FAC"), ("Paris", "GPE")],
    [("Gustave Eiffel", "PERSON"), ("Eiffel Tower", "FAC")],
    [],
    [("Mount Everest", "LOC"), ("Himalayas", "LOC")],
    [],
    [("Seine", "LOC"), ("Paris", "GPE")],
]


def passages(
    texts: Sequence[str] = TEXTS, *, dataset: str = "demo", prefix: str = "p", **fields: object
) -> list[SampleRecord]:
    return [
        SampleRecord(id=f"{prefix}{i}", text=t, origin="real", dataset=dataset, **fields)  # type: ignore[arg-type]
        for i, t in enumerate(texts)
    ]
