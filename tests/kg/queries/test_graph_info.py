"""kg.queries.graph_info: entity mentions of the samples."""

from __future__ import annotations

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import MentionSpan, SharedNodes, mention_triples
from kg.queries.graph_info import MentionCounts, mention_counts
from kg.store.embedded import OxigraphStore
from tests.kg.queries.conftest import Tiny


def _span(name: str, start: int) -> MentionSpan:
    return MentionSpan(name, start, start + len(name), "ORG", name.lower(), name)


def test_mention_counts(tiny: Tiny) -> None:
    shared = SharedNodes()
    stmts = mention_triples(
        tiny.iris["r2"],
        [_span("Acme", 0), _span("Bolt", 6)],
        ids.extraction_iri(tiny.iris["r2"]),
        shared,
    )
    stmts += mention_triples(
        tiny.iris["s1"], [_span("Acme", 2)], ids.extraction_iri(tiny.iris["s1"]), shared
    )
    with tiny.kg.write_graph(ids.batch_iri("ner")) as writer:
        writer.add_statements(stmts)
    assert mention_counts(tiny.kg) == MentionCounts(entities=2, links=3)


def test_no_mention_at_all() -> None:
    assert mention_counts(KnowledgeGraph(OxigraphStore(None))) == MentionCounts(0, 0)
