"""provrag.wiring is the one composition root: only it names concrete classes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kg.store.embedded import OxigraphStore
from provrag import wiring
from provrag.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
#: what only provrag/wiring.py may call: stores, graph, models, retriever, answers
CONCRETE = {
    "OxigraphStore",
    "RemoteSparqlStore",
    "KnowledgeGraph",
    "load_embedder",
    "load_extractor",
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
