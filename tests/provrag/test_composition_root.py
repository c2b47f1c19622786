"""provrag.wiring is the one composition root: only it names concrete classes."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

from ingest.extractors import GAZETTEER_EXTRACTOR
from ingest.ner import NerFallbackWarning
from kg.ids import entity_iri
from kg.store.embedded import OxigraphStore
from provrag import wiring
from provrag.quickstart import example_data_dir
from provrag.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
#: what only provrag/wiring.py may call: stores, graph, models, retriever, answers
CONCRETE = {
    "OxigraphStore",
    "RemoteSparqlStore",
    "KnowledgeGraph",
    "load_embedder",
    "load_extractor",
    "extractor_for",
    "GraphRetriever",
    "ChatGenerator",
    "Answerer",
}


def _calls(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CONCRETE:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def test_only_the_wiring_module_picks_concrete_classes() -> None:
    offenders = [
        call
        for path in sorted((ROOT / "provrag").rglob("*.py"))
        if path.name != "wiring.py"
        for call in _calls(path)
    ]
    assert offenders == []


def test_the_detector_sees_a_concrete_class(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("def f(p):\n    return store.OxigraphStore(p)\n", encoding="utf-8")
    assert _calls(module, tmp_path) == ["probe.py:2 OxigraphStore"]


def test_open_kg_picks_the_store_of_the_settings(tmp_path: Path) -> None:
    with wiring.open_kg(load_settings(tmp_path, store="memory")) as kg:
        assert isinstance(kg.store, OxigraphStore) and kg.store.kind == "memory"
    with wiring.open_kg(load_settings(tmp_path)) as kg:
        assert kg.store.kind == "embedded" and (tmp_path / "store").is_dir()


def test_answers_are_extractive_unless_a_generator_url_is_set(tmp_path: Path) -> None:
    assert wiring.build_generator(load_settings(tmp_path)) is None
    generator = wiring.build_generator(
        load_settings(tmp_path, generator_url="http://127.0.0.1:9/v1", generator_model="m")
    )
    assert generator is not None and generator.model == "m"


@pytest.mark.parametrize(("ner", "linker"), [(True, wiring.LazyNerLinker), (False, type(None))])
def test_queries_are_linked_only_with_ner_on(tmp_path: Path, ner: bool, linker: type) -> None:
    assert isinstance(wiring.build_linker(load_settings(tmp_path, ner=ner)), linker)


# ------------------------------------------------------------------ entities

GAZETTEER = example_data_dir() / "gazetteer.ttl"
QUERY = "Can I pay with Apple Pay at the Post Office, Anna Smith asked NWB."


def test_the_settings_choose_the_extractor(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_extractor="gazetteer", gazetteer=GAZETTEER)
    extractor = wiring.build_extractor(settings)
    assert extractor.name == GAZETTEER_EXTRACTOR
    found = {m.canonical for m in extractor.extract_one(QUERY)}
    assert found == {"Apple Pay", "Post Office", "Northwind Bank"}


def test_queries_are_linked_by_the_extractor_that_ingest_uses(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_extractor="gazetteer", gazetteer=GAZETTEER)
    passage = wiring.build_extractor(settings).extract_one(QUERY)
    linked = wiring.LazyNerLinker(settings).link(QUERY)
    assert [e.iri for e in linked] == [entity_iri(m.entity_type, m.normalized) for m in passage]
    assert entity_iri("ORG", "northwind bank") in {e.iri for e in linked}


def test_a_missing_model_falls_back_for_queries_too(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_model="provrag_test_no_such_model", gazetteer=GAZETTEER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NerFallbackWarning)
        assert wiring.build_extractor(settings).name == "rule-based"
    linker = wiring.LazyNerLinker(settings)
    assert entity_iri("ORG", "northwind bank") in {e.iri for e in linker.link(QUERY)}
    assert linker.fallback_reason is not None
    assert "provrag_test_no_such_model" in linker.fallback_reason
