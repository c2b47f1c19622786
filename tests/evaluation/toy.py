"""A tiny evaluation world shared by the runner, slice, record, compare and report tests:
a graph of real and synthetic samples (written through kg.mapping), a golden set over
them, and a retriever that returns canned rankings (the ``Retriever`` protocol)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from evaluation.golden import GoldenSet
from evaluation.results import EvalResult
from evaluation.runner import ProgressFn, run_evaluation
from evaluation.spec import RunSpec
from kg.graph import KnowledgeGraph
from kg.model import (
    Filters,
    GenerationIn,
    GoldenItem,
    LabelIn,
    ProvenanceSummary,
    SampleRecord,
    ScoredPassage,
)
from kg.store.embedded import OxigraphStore
from kg.typing import RetrieverMode

DATASET = "toy"


def _real(i: int, annotators: Sequence[str] = ()) -> SampleRecord:
    labels = [
        LabelIn(field="intent", value="x", annotator=a, guideline_version="1.0") for a in annotators
    ]
    return SampleRecord(
        id=f"r{i}", text=f"real passage number {i}", origin="real", dataset=DATASET, labels=labels
    )


def _synthetic(i: int, generator: str, prompt_version: str) -> SampleRecord:
    return SampleRecord(
        id=f"s{i}",
        text=f"synthetic passage number {i}",
        origin="synthetic",
        dataset=DATASET,
        generation=GenerationIn(generator=generator, prompt_version=prompt_version, seed=i),
    )


RECORDS: list[SampleRecord] = [
    _real(1, ["ann-a"]),
    _real(2, ["ann-b"]),
    _real(3),
    _real(4, ["ann-a", "ann-b"]),
    _real(5),
    _real(6),
    _synthetic(1, "gen-x", "1"),
    _synthetic(2, "gen-x", "1"),
    _synthetic(3, "gen-y", "2"),
    _synthetic(4, "gen-y", "2"),
]
ORIGIN = {r.id: r.origin for r in RECORDS}


def toy_items() -> list[GoldenItem]:
    return [
        # mixed: one real, one synthetic relevant
        GoldenItem(
            query_id="q1",
            query="query one",
            relevant={"r1": 2, "s1": 1},
            tags=["cards"],
            author="expert-b",
        ),
        # real only (two real relevant)
        GoldenItem(
            query_id="q2", query="query two", relevant={"r2": 1, "r3": 2}, tags=["cards", "fees"]
        ),
        # synthetic only
        GoldenItem(query_id="q3", query="query three", relevant={"s3": 2}, tags=["fees"]),
        # real only: s2 is judged, but not relevant (grade 0)
        GoldenItem(query_id="q4", query="query four", relevant={"r4": 1, "s2": 0}),
        # answer-only item: no judgement, a gold answer
        GoldenItem(
            query_id="q5", query="query five", gold_answers=["the answer is 42"], tags=["cards"]
        ),
    ]


def toy_golden(items: list[GoldenItem] | None = None, version: str = "1") -> GoldenSet:
    return GoldenSet(
        name="toy-golden",
        version=version,
        dataset=DATASET,
        author="expert-a",
        guideline_version="g-1",
        items=items if items is not None else toy_items(),
    )


#: query text -> ranked (sample id, score); q2 has a tie between r5 and r2
RANKINGS: dict[str, list[tuple[str, float]]] = {
    "query one": [("s1", 0.9), ("r5", 0.8), ("r1", 0.7), ("s4", 0.1)],
    "query two": [("r5", 0.6), ("r2", 0.6), ("s2", 0.5), ("r6", 0.4), ("r3", 0.3)],
    "query three": [("r6", 0.9), ("s4", 0.5), ("s3", 0.4)],
    "query four": [("s2", 0.8), ("r4", 0.7)],
    "query five": [("r1", 0.5)],
}


def make_kg(write_samples: Callable[..., list[str]]) -> tuple[KnowledgeGraph, dict[str, str]]:
    """An in-memory graph holding :data:`RECORDS`; returns it and external id -> IRI."""
    kg = KnowledgeGraph(OxigraphStore(None))
    iris = write_samples(kg, RECORDS)
    return kg, {r.id or "": iri for r, iri in zip(RECORDS, iris, strict=True)}


def run_toy(
    golden: GoldenSet,
    retriever: Any,
    *,
    mode: RetrieverMode = "dense",
    kg: KnowledgeGraph | None = None,
    answerer: Any = None,
    progress: ProgressFn | None = None,
    **spec: Any,
) -> EvalResult:
    """:func:`run_evaluation` of the :class:`RunSpec` of ``golden`` with ``mode`` and ``spec``
    (answers on when an answerer is given)."""
    run_spec = RunSpec.for_golden(golden, mode=mode, answers=answerer is not None, **spec)
    return run_evaluation(run_spec, golden, retriever, kg=kg, answerer=answerer, progress=progress)


class CannedRetriever:
    """Returns the canned ranking of a query text; records how it was asked."""

    def __init__(
        self,
        rankings: dict[str, list[tuple[str, float]]],
        iris: dict[str, str],
        *,
        with_provenance: bool = True,
        dataset: str = DATASET,
    ) -> None:
        self.rankings = rankings
        self.iris = iris
        self.with_provenance = with_provenance
        self.dataset = dataset
        self.calls: list[tuple[str, int, Any]] = []

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> list[ScoredPassage]:
        self.calls.append((query, k, filters))
        out = []
        for sid, score in self.rankings.get(query, [])[:k]:
            prov = ProvenanceSummary(origin=ORIGIN.get(sid)) if self.with_provenance else None
            out.append(
                ScoredPassage(
                    sample_iri=self.iris.get(sid, f"urn:x:{sid}"),
                    sample_id=sid,
                    dataset=self.dataset,
                    text=f"text of {sid}",
                    score=score,
                    provenance=prov,
                )
            )
        return out


class FixedAnswerer:
    """Answers each query text with a fixed string."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def answer(self, query: str, k: int = 5, filters: Filters | None = None) -> Any:
        class _A:
            text = self.answers.get(query, "")

        return _A()


def random_world(
    seed: int, n_queries: int = 30, n_docs: int = 60
) -> tuple[list[GoldenItem], dict[str, list[tuple[str, float]]]]:
    """Random graded judgements and rankings with many tied scores (one decimal)."""
    rng = random.Random(seed)
    docs = [f"d{i:03d}" for i in range(n_docs)]
    items = []
    rankings = {}
    for q in range(n_queries):
        judged = rng.sample(docs, rng.randint(1, 8))
        relevant = {d: rng.choice([0, 1, 1, 2, 3]) for d in judged}
        if not any(relevant.values()):
            relevant[judged[0]] = 1
        text = f"random query {q}"
        items.append(GoldenItem(query_id=f"rq{q:02d}", query=text, relevant=relevant))
        ranked = rng.sample(docs, rng.randint(0, 25))
        scores = sorted((round(rng.random(), 1) for _ in ranked), reverse=True)
        rankings[text] = list(zip(ranked, scores, strict=True))
    return items, rankings
