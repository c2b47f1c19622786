from __future__ import annotations

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import SampleRecord
from kg.queries.mentions import EntityName, Mention, current_mentions, entity_names
from tests.conftest import WriteSamples
from tests.kg.queries.conftest import invalidate, write_mentions


def passages(*texts: str) -> list[SampleRecord]:
    return [
        SampleRecord(id=f"p{i}", text=t, origin="real", dataset="demo") for i, t in enumerate(texts)
    ]


def test_mentions_of_current_samples_only(kg: KnowledgeGraph, write_samples: WriteSamples) -> None:
    p0, p1 = write_samples(kg, passages("Paris and Lyon", "Paris again"))
    write_mentions(kg, {p0: [("Paris", "GPE"), ("Lyon", "GPE")], p1: [("Paris", "GPE")]})
    paris, lyon = ids.entity_iri("GPE", "paris"), ids.entity_iri("GPE", "lyon")
    assert sorted(current_mentions(kg)) == sorted(
        [Mention(p0, "p0", paris), Mention(p0, "p0", lyon), Mention(p1, "p1", paris)]
    )
    invalidate(kg, [p0], "del-1")
    assert current_mentions(kg) == [Mention(p1, "p1", paris)]


def test_entities_come_with_label_type_and_normalised_name(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    (p0,) = write_samples(kg, passages("Paris"))
    write_mentions(kg, {p0: [("Paris", "GPE")]})
    iri = ids.entity_iri("GPE", "paris")
    assert entity_names(kg) == [EntityName(iri, "Paris", "GPE", "paris")]


def test_an_entity_without_names_has_none(kg: KnowledgeGraph) -> None:
    e = f"{ids.ID_NS}entity/ORG/acme"
    kg.update(f"INSERT DATA {{ GRAPH <{ids.batch_iri('manual')}> {{ <{e}> a pr:Entity }} }}")
    assert entity_names(kg) == [EntityName(e, None, None, None)]
