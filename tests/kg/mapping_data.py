"""Inputs of kg.mapping shared by the tests of what it writes (``test_shacl``: the graph
conforms to the shapes; ``test_ontology``: every term it writes is declared)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kg import ids
from kg.mapping.evaluation import EvaluationRunIn, MetricValueIn
from kg.model import CitedSentence, GenerationIn, GoldenItem, RecordedAnswer, SplitRule

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)

GENERATION = GenerationIn(
    generator="faq-paraphraser",
    model="template-engine-1",
    prompt_template="paraphrase",
    prompt_version="3",
    seed=7,
    params={"temperature": 0.7},
    generated_at=T0,
)


@dataclass
class GoldenSet:
    """What ``golden_set_triples`` reads of a golden set (every optional field filled)."""

    name: str = "gold"
    version: str = "1"
    dataset: str | None = "kb"
    author: str | None = "expert-1"
    guideline_version: str | None = "1.0"
    description: str | None = "test set"
    items: list[GoldenItem] = field(default_factory=list)
    split_rule: SplitRule | None = field(default_factory=lambda: SplitRule(dev_ratio=0.5, seed=1))


def golden_item(**fields: Any) -> GoldenItem:
    """A golden query on ``real-1`` (2) and ``syn-1`` (1); ``fields`` override or add."""
    values: dict[str, Any] = {
        "query_id": "q1",
        "query": "lost card?",
        "relevant": {"real-1": 2, "syn-1": 1},
        "split": "holdout",
    }
    return GoldenItem(**(values | fields))


def evaluation_run(**fields: Any) -> EvaluationRunIn:
    """Run ``r1`` on :class:`GoldenSet`, an overall and a sliced metric value;
    ``fields`` override or add."""
    values: dict[str, Any] = {
        "run_id": "r1",
        "golden_set_iri": ids.golden_set_iri(GoldenSet.name, GoldenSet.version),
        "golden_set_version": GoldenSet.version,
        "retriever_kind": "dense",
        "retriever_settings": {"k": 10},
        "k": 10,
        "seed": 1,
        "query_count": 1,
        "provrag_version": "0.1.0",
        "started": T0,
        "ended": T1,
        "metrics": [
            MetricValueIn("ndcg@10", 0.5, 1, 0.4, 0.6),
            MetricValueIn("ndcg@10", 1.0, 1, slice_name="origin", slice_value="real"),
        ],
    }
    return EvaluationRunIn(**(values | fields))


def recorded_answer(sample_iri: str, sample_id: str, text: str, **fields: Any) -> RecordedAnswer:
    """Answer ``a1``: the sentence ``text`` of the sample, cited; ``fields`` override or add."""
    sentence = CitedSentence(text=text, sample_iri=sample_iri, sample_id=sample_id, score=0.9)
    values: dict[str, Any] = {
        "id": "a1",
        "query": "What if I lose my card?",
        "text": text,
        "sentences": [sentence],
        "created": T1,
    }
    return RecordedAnswer(**(values | fields))
