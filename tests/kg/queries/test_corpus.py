from __future__ import annotations

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import SampleRecord
from kg.queries.corpus import current_samples, ingest_batches
from tests.conftest import WriteSamples
from tests.kg.queries.conftest import invalidate


def records(*texts: str) -> list[SampleRecord]:
    return [
        SampleRecord(id=f"p{i}", text=t, origin="real", dataset="demo") for i, t in enumerate(texts)
    ]


def test_current_samples_leave_out_invalidated_ones(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    iris = write_samples(kg, records("alpha", "beta", "gamma"))
    invalidate(kg, [iris[2]], "del-1")
    rows = current_samples(kg)
    assert [r.iri for r in rows] == sorted(iris[:2])
    assert {(r.external_id, r.text) for r in rows} == {("p0", "alpha"), ("p1", "beta")}


def test_each_row_carries_the_hash_of_its_text(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, records("alpha"))
    (row,) = current_samples(kg)
    assert row.text_hash == ids.text_hash("alpha")


def test_a_revision_with_two_texts_gives_two_rows(kg: KnowledgeGraph) -> None:
    s = f"{ids.ID_NS}sample/x/1/abc"
    kg.update(f'INSERT DATA {{ GRAPH <{ids.batch_iri("manual")}> {{ <{s}> a pr:Sample ; '
              'pr:text "one", "two" } }')  # fmt: skip
    assert [(r.iri, r.text, r.external_id) for r in current_samples(kg)] == [
        (s, "one", ""),
        (s, "two", ""),
    ]


def test_ingest_batches_lists_the_committed_batches(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, records("alpha"), batch_id="b2")
    write_samples(kg, records("beta"), batch_id="b1")
    assert ingest_batches(kg) == [ids.batch_iri("b1"), ids.batch_iri("b2")]
