"""Fixtures of the kg.queries tests: an empty in-memory graph (``kg``), writers of what
ingest and ``provrag delete`` add besides samples (invalidations, entity mentions), and
a tiny graph written through kg.mapping (``tiny``).

Dataset ``kb``:

- version 1 (batch ``b-1``): ``r1`` real (intent x by ann-1 at T1, intent y by the
  heuristic ``bot``), ``r2`` real (intent y and sentiment neg by ann-2, guideline
  1.2), ``s1`` synthetic (gen-x, prompt version 2; intent x by ann-1), ``gone``
  real (topic t by ann-1);
- version 2 (batch ``b-2``): ``r1`` revised (intent x by ann-1); ``r2`` and ``s1``
  join unchanged; ``gone`` does not;
- ``gone`` is then deleted (a ``pr:Deletion``).

Dataset ``other`` version 1 holds ``o1`` (intent z by ann-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    BatchInfo,
    MentionSpan,
    SharedNodes,
    SourceFileInfo,
    batch_triples,
    dataset_version_triples,
    deletion_triples,
    extraction_triples,
    invalidation_triples,
    membership_triple,
    mention_triples,
    sample_context,
    sample_triples,
)
from kg.model import GenerationIn, LabelIn, SampleRecord
from kg.store.embedded import OxigraphStore

T1 = datetime(2026, 10, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 1, tzinfo=UTC)
T3 = datetime(2026, 12, 1, tzinfo=UTC)


def lab(
    value: str,
    annotator: str,
    *,
    field: str = "intent",
    kind: str = "human",
    gv: str = "1.1",
    at: datetime | None = None,
) -> LabelIn:
    return LabelIn.model_validate(
        {
            "field": field,
            "value": value,
            "annotator": annotator,
            "annotator_kind": kind,
            "guideline_version": gv,
            "labeled_at": at,
        }
    )


def rec(
    sid: str,
    text: str,
    *,
    version: str = "1",
    dataset: str = "kb",
    labels: tuple[LabelIn, ...] = (),
    prompt_version: str | None = None,
) -> SampleRecord:
    gen = None
    if prompt_version is not None:
        gen = GenerationIn(generator="gen-x", prompt_version=prompt_version, seed=1)
    return SampleRecord(
        id=sid,
        text=text,
        origin="synthetic" if gen else "real",
        dataset=dataset,
        version=version,
        generation=gen,
        labels=list(labels),
    )


V1 = [
    rec("r1", "r one", labels=(lab("x", "ann-1", at=T1), lab("y", "bot", kind="heuristic"))),
    rec(
        "r2",
        "r two",
        labels=(lab("y", "ann-2", gv="1.2"), lab("neg", "ann-2", field="sentiment", gv="1.2")),
    ),  # fmt: skip
    rec("s1", "s one", prompt_version="2", labels=(lab("x", "ann-1"),)),
    rec("gone", "to be deleted", labels=(lab("t", "ann-1", field="topic"),)),
    rec("o1", "elsewhere", dataset="other", labels=(lab("z", "ann-1"),)),
]
R1_REVISED = rec("r1", "r one, revised", version="2", labels=(lab("x", "ann-1", at=T2),))


@dataclass
class Tiny:
    kg: KnowledgeGraph
    #: "<external id>" -> revision IRI of version 1; "r1@2" the revised r1
    iris: dict[str, str]


def _write(kg: KnowledgeGraph, batch_id: str, statements: list[str], at: datetime) -> None:
    batch = ids.batch_iri(batch_id)
    statements = statements + batch_triples(
        BatchInfo(
            iri=batch,
            started=at,
            ended=at,
            provrag_version="test",
            files=[SourceFileInfo(path=f"{batch_id}.jsonl", sha256="f" * 64, size=1)],
            counts={},
            on_invalid="quarantine",
            on_duplicate="skip",
        )
    )
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)


@pytest.fixture
def tiny() -> Tiny:
    kg = KnowledgeGraph(OxigraphStore(None))
    iris: dict[str, str] = {}
    shared = SharedNodes()
    stmts: list[str] = []
    for r in V1:
        assert r.id is not None
        ctx = sample_context(r, r.id, ids.batch_iri("b-1"))
        stmts += sample_triples(r, ctx, shared)
        iris[r.id] = ctx.iri
    stmts += dataset_version_triples("kb", "1") + dataset_version_triples("other", "1")
    _write(kg, "b-1", stmts, T1)

    ctx = sample_context(R1_REVISED, "r1", ids.batch_iri("b-2"), previous_revision=iris["r1"])
    stmts = sample_triples(R1_REVISED, ctx, SharedNodes())
    stmts += invalidation_triples(iris["r1"], ids.batch_iri("b-2"), T2)
    stmts += [membership_triple(iris[k], ids.dataset_version_iri("kb", "2")) for k in ("r2", "s1")]
    stmts += dataset_version_triples("kb", "2")
    iris["r1@2"] = ctx.iri
    _write(kg, "b-2", stmts, T2)

    deletion = ids.deletion_iri("del-1")
    stmts = deletion_triples(deletion, {"ids": ["gone"]}, "test", T3)
    stmts += invalidation_triples(iris["gone"], deletion, T3)
    with kg.write_graph(deletion) as writer:
        writer.add_statements(stmts)
    return Tiny(kg, iris)


@pytest.fixture
def kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def invalidate(kg: KnowledgeGraph, sample_iris: Sequence[str], deletion_id: str) -> None:
    """Invalidate samples in a new committed deletion graph (as ``provrag delete`` does)."""
    activity = ids.deletion_iri(deletion_id)
    at = datetime(2026, 11, 2, tzinfo=UTC)
    statements = deletion_triples(activity, {"ids": list(sample_iris)}, "test", at)
    for iri in sample_iris:
        statements += invalidation_triples(iri, activity, at)
    with kg.write_graph(activity) as writer:
        writer.add_statements(statements)


def write_mentions(
    kg: KnowledgeGraph, mentions: dict[str, Sequence[tuple[str, str]]], batch_id: str = "ner-1"
) -> None:
    """``{sample IRI: [(name, TYPE), ...]}``: each sample mentions each named entity."""
    batch = ids.batch_iri(batch_id)
    shared = SharedNodes()
    statements: list[str] = []
    for sample, names in mentions.items():
        spans = [
            MentionSpan(name, 10 * i, 10 * i + len(name), etype, name.lower(), name)
            for i, (name, etype) in enumerate(names)
        ]
        extraction = ids.extraction_iri(sample)
        statements += mention_triples(sample, spans, extraction, shared)
        statements += extraction_triples(extraction, batch, "test-ner", "1", False)
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)
