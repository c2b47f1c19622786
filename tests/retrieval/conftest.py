"""Fixtures of the retrieval tests: the real embedding model (loaded once per session),
an in-memory graph, and a way to invalidate samples as ``provrag delete`` does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import deletion_triples, invalidation_triples
from kg.model import SampleRecord
from kg.store.embedded import OxigraphStore
from retrieval.embedder import Embedder, load_embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    return load_embedder()


@pytest.fixture
def kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def passages(
    texts: Sequence[str], *, dataset: str = "demo", prefix: str = "p"
) -> list[SampleRecord]:
    """Real passages with external ids ``<prefix>0, <prefix>1, ...``."""
    return [
        SampleRecord(id=f"{prefix}{i}", text=t, origin="real", dataset=dataset)
        for i, t in enumerate(texts)
    ]


def invalidate(kg: KnowledgeGraph, sample_iris: Sequence[str], deletion_id: str) -> None:
    """Invalidate samples in a new committed deletion graph (as ``provrag delete`` does)."""
    activity = ids.deletion_iri(deletion_id)
    at = datetime(2026, 11, 2, tzinfo=UTC)
    statements = deletion_triples(activity, {"ids": list(sample_iris)}, "test", at)
    for iri in sample_iris:
        statements += invalidation_triples(iri, activity, at)
    with kg.write_graph(activity) as writer:
        writer.add_statements(statements)


class CountingEmbedder:
    """A deterministic stand-in that counts what it embeds (hash-seeded unit vectors)."""

    def __init__(self, model_name: str = "test/counting", dimension: int = 8) -> None:
        self.model_name = model_name
        self.dimension = dimension
        self.batch_size = 4
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int(ids.text_hash(t)[:8], 16)
            v = np.random.default_rng(seed).standard_normal(self.dimension)
            out[i] = v / np.linalg.norm(v)
        return out

    @property
    def embedded(self) -> int:
        return sum(len(c) for c in self.calls)


@pytest.fixture
def counting_embedder() -> Callable[..., CountingEmbedder]:
    return CountingEmbedder


TEXTS = [
    "The Eiffel Tower in Paris was completed in 1889 for the World's Fair.",
    "Photosynthesis converts sunlight, water and carbon dioxide into glucose.",
    "The Amazon river carries more water than any other river on Earth.",
    "Insulin is a hormone produced by the pancreas that regulates blood sugar.",
    "Mount Everest is the highest mountain above sea level, in the Himalayas.",
    "The stock market fell sharply after the central bank raised interest rates.",
]
