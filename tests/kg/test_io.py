"""RDF export and import: whole-store round trips, import graphs, formats and errors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import RdfIOError
from kg.graph import REGISTRY_GRAPH, KnowledgeGraph
from kg.io import export_graph, import_graph_iri, import_rdf
from kg.model import SampleRecord
from kg.store.base import GraphStore
from kg.store.embedded import OxigraphStore

EX = "http://example.org/"

RECORDS = [
    SampleRecord.model_validate(
        {
            "id": "kb-1",
            "text": 'Lost card? Call us — "24/7".\nWe answer in English & français.',
            "origin": "synthetic",
            "dataset": "support-kb",
            "version": "2026.11",
            "generation": {
                "generator": "faq-paraphraser",
                "model": "template-engine-1",
                "prompt_template": "paraphrase",
                "prompt_version": "3",
                "seed": 7,
                "params": {"temperature": 0.7},
                "generated_at": "2026-11-02T10:00:00Z",
            },
            "metadata": {"product": "cards"},
        }
    ),
    SampleRecord.model_validate(
        {
            "id": "kb-2",
            "text": "Freeze your card in the app.",
            "origin": "real",
            "dataset": "support-kb",
            "version": "2026.11",
            "labels": [
                {
                    "field": "intent",
                    "value": "card_lost",
                    "annotator": "ann-1",
                    "guideline_version": "1.2",
                },
                {
                    "field": "intent",
                    "value": "card_freeze",
                    "annotator": "ann-2",
                    "guideline_version": "1.3",
                },
            ],
        }
    ),
]

VOCAB_TTL = f"""@prefix ex: <{EX}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:card skos:prefLabel "card"@en ; skos:altLabel "carte"@fr ;
  ex:note [ ex:text "anonymous node" ] .
"""


def canonical(quads: list[ox.Quad]) -> ox.Dataset:
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ds


def all_quads(store: GraphStore) -> list[ox.Quad]:
    buf = io.BytesIO()
    store.dump(buf, "nquads")
    return list(ox.parse(buf.getvalue(), ox.RdfFormat.N_QUADS))


def union_without_registry(store: GraphStore) -> ox.Dataset:
    registry = ox.NamedNode(REGISTRY_GRAPH)
    return canonical(
        list(
            {
                ox.Quad(q.subject, q.predicate, q.object)
                for q in all_quads(store)
                if q.graph_name != registry
            }
        )
    )


@pytest.fixture(params=["memory", pytest.param("remote", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if request.param == "remote":
        yield request.getfixturevalue("fresh_remote_store")
        return
    local = OxigraphStore(None)
    yield local
    local.close()


@pytest.fixture
def source(store: GraphStore, write_samples, tmp_path: Path) -> KnowledgeGraph:
    kg = KnowledgeGraph(store)
    write_samples(kg, RECORDS)
    vocab = tmp_path / "vocab.ttl"
    vocab.write_text(VOCAB_TTL, encoding="utf-8")
    import_rdf(kg, vocab)
    return kg


def reimport(kg: KnowledgeGraph, path: Path) -> KnowledgeGraph:
    """Import ``path`` into an empty store of the same backend."""
    if kg.store.kind == "remote":
        kg.store.update("DROP ALL")
        target = kg
    else:
        target = KnowledgeGraph(OxigraphStore(None))
    import_rdf(target, path)
    return target


@pytest.mark.parametrize(("fmt", "suffix"), [("nquads", ".nq"), ("trig", ".trig")])
def test_dataset_export_then_import_is_isomorphic(
    source: KnowledgeGraph, tmp_path: Path, fmt: str, suffix: str
) -> None:
    expected = canonical(all_quads(source.store))
    out = tmp_path / f"backup{suffix}"
    written = export_graph(source, out, fmt)  # type: ignore[arg-type]
    restored = reimport(source, out)
    assert written == len(expected)
    assert canonical(all_quads(restored.store)) == expected
    assert restored.open_graphs() == []


def test_turtle_export_is_the_union_of_committed_graphs(
    source: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = union_without_registry(source.store)
    out = tmp_path / "graph.ttl"
    written = export_graph(source, out, "turtle")
    restored = reimport(source, out)
    assert written == source.triple_count()
    assert union_without_registry(restored.store) == expected


def test_turtle_export_uses_our_prefixes_and_leaves_out_the_registry(
    source: KnowledgeGraph, tmp_path: Path
) -> None:
    out = tmp_path / "graph.ttl"
    export_graph(source, out, "turtle")
    text = out.read_text(encoding="utf-8")
    assert "@prefix pr: <https://w3id.org/provrag/ns#> ." in text
    assert "pr:promptVersion" in text
    assert "batchStatus" not in text


def test_export_leaves_out_open_graphs(source: KnowledgeGraph, tmp_path: Path) -> None:
    half = f"{EX}half-written"
    source.open_graph(half)
    source.store.add(
        [
            ox.Quad(
                ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal("1"), ox.NamedNode(half)
            )
        ]
    )
    out = tmp_path / "backup.nq"
    export_graph(source, out, "nquads")
    assert half not in out.read_text(encoding="utf-8")


def test_triple_file_goes_into_its_import_graph_once(tmp_path: Path) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    vocab = tmp_path / "vocab.ttl"
    vocab.write_text(VOCAB_TTL, encoding="utf-8")
    first = import_rdf(kg, vocab)
    count = kg.store.quad_count()
    again = import_rdf(kg, vocab)
    assert first.graphs == [import_graph_iri(first.sha256)]
    assert (first.statements, first.added) == (4, 4)
    assert kg.graph_status(first.graphs[0]) == "committed"
    assert again.already_imported
    assert kg.store.quad_count() == count


def test_dataset_file_imported_twice_changes_nothing(
    store: GraphStore, write_samples, tmp_path: Path
) -> None:
    kg = KnowledgeGraph(store)
    write_samples(kg, RECORDS)
    out = tmp_path / "backup.trig"
    export_graph(kg, out, "trig")
    before = canonical(all_quads(store))
    report = import_rdf(kg, out)
    assert report.added == 0
    assert canonical(all_quads(store)) == before


def test_blank_nodes_of_a_dataset_file_imported_twice_are_not_duplicated(
    tmp_path: Path,
) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    data = tmp_path / "with-blank-nodes.trig"
    data.write_text(
        f'<{EX}g> {{ <{EX}a> <{EX}p> [ <{EX}q> "anonymous" ] ; <{EX}r> _:named . }}\n',
        encoding="utf-8",
    )
    first = import_rdf(kg, data)
    second = import_rdf(kg, data)
    assert (first.added, second.added) == (3, 0)


def test_import_into_an_explicit_graph_adds_to_it(tmp_path: Path) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    graph = f"{EX}gazetteer"
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(f'<{EX}a> <{EX}p> "1" .\n', encoding="utf-8")
    second.write_text(f'<{EX}b> <{EX}p> "2" .\n', encoding="utf-8")
    import_rdf(kg, first, graph=graph)
    report = import_rdf(kg, second, graph=graph)
    assert report.graphs == [graph]
    assert kg.store.quad_count(graph) == 2


def test_rdfxml_and_jsonld_by_extension(tmp_path: Path) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    rdfxml = tmp_path / "vocab.owl"
    rdfxml.write_text(
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}a"><ex:p>x</ex:p>'
        "</rdf:Description></rdf:RDF>\n",
        encoding="utf-8",
    )
    jsonld = tmp_path / "data.jsonld"
    jsonld.write_text(
        f'{{"@id": "{EX}g", "@graph": [{{"@id": "{EX}b", "{EX}q": "y"}}]}}', encoding="utf-8"
    )
    xml_report = import_rdf(kg, rdfxml)
    json_report = import_rdf(kg, jsonld)
    assert (xml_report.format, xml_report.added) == ("rdfxml", 1)
    assert (json_report.format, json_report.graphs) == ("jsonld", [f"{EX}g"])
    assert kg.ask(f'ASK {{ <{EX}a> <{EX}p> "x" . <{EX}b> <{EX}q> "y" }}')


def test_unknown_extension_names_the_file(tmp_path: Path) -> None:
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(RdfIOError, match=r"data\.csv.*'\.csv'"):
        import_rdf(KnowledgeGraph(OxigraphStore(None)), odd)


def test_parse_error_names_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(f'<{EX}a> <{EX}p> "1" .\n<{EX}b> <{EX}p> .\n', encoding="utf-8")
    kg = KnowledgeGraph(OxigraphStore(None))
    with pytest.raises(RdfIOError, match=r"broken\.ttl: not valid turtle: .*line 2"):
        import_rdf(kg, broken)
    assert kg.store.quad_count() == 0
