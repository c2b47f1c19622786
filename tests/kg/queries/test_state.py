from __future__ import annotations

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import SampleRecord
from kg.queries.state import graph_state, sample_state_graphs
from tests.conftest import WriteSamples
from tests.kg.queries.conftest import invalidate


def one(text: str) -> list[SampleRecord]:
    return [SampleRecord(id="p0", text=text, origin="real", dataset="demo")]


def test_state_changes_with_each_ingest_or_deletion(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    (iri,) = write_samples(kg, one("alpha"))
    first = graph_state(kg)
    assert graph_state(kg) == first
    write_samples(kg, one("beta"), batch_id="batch-2")
    second = graph_state(kg)
    invalidate(kg, [iri], "del-1")
    assert len({first, second, graph_state(kg)}) == 3
    assert sample_state_graphs(kg) == sorted(
        [ids.batch_iri("batch-1"), ids.batch_iri("batch-2"), ids.deletion_iri("del-1")]
    )


def test_answers_runs_and_golden_sets_leave_the_state_alone(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, one("alpha"))
    before = graph_state(kg)
    kg.write_atomic(ids.answer_iri("a1"), [])
    kg.write_atomic(ids.eval_run_iri("run-1"), [])
    kg.write_atomic(ids.golden_set_iri("gold", "1"), [])
    assert graph_state(kg) == before


def test_an_open_graph_is_not_part_of_the_state(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, one("alpha"))
    before = graph_state(kg)
    kg.open_graph(ids.batch_iri("half-written"))
    assert graph_state(kg) == before
