from __future__ import annotations

import gc
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.graph import KnowledgeGraph
from kg.ids import entity_iri
from kg.mapping import MentionSpan
from kg.model import GenerationIn, SampleRecord
from kg.provenance import trace
from kg.store.embedded import OxigraphStore
from provrag.cli import app
from provrag.exit_codes import ExitCode
from provrag.settings import load_settings
from provrag.wiring import NerQueryLinker, build_retriever
from tests.provrag.stores import graph
from tests.retrieval.search_data import ENTITIES, TEXTS, write_corpus

pytestmark = pytest.mark.model

QUERY = "When was the tower in Paris finished?"


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def records() -> list[SampleRecord]:
    out = []
    for i, text in enumerate(TEXTS):
        if i == 1:
            out.append(
                SampleRecord(
                    id="p1",
                    text=text,
                    origin="synthetic",
                    dataset="demo",
                    generation=GenerationIn(generator="simgen", prompt_version="3", seed=5),
                )
            )
        else:
            out.append(
                SampleRecord(
                    id=f"p{i}",
                    text=text,
                    origin="real",
                    dataset="demo",
                    sensitivity="restricted" if i == 4 else "internal",
                )
            )
    return out  # fmt: skip


def write_home(home: Path, samples: list[SampleRecord], entities: list | None = None) -> None:
    """Write one batch into the home's store; the store is released on return."""
    with graph(home) as kg:
        write_corpus(kg, samples, entities)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    # no sample here has a title, so the default subject gate would keep PageRank
    # from running: these tests are about how its ranks and paths are shown
    (tmp_path / "provrag.toml").write_text(
        "ner = false\n[retrieval]\nppr_gate_subject = false\nppr_gate_top = 2\n", encoding="utf-8"
    )
    write_home(tmp_path, records(), ENTITIES)
    gc.collect()
    code, out = run(tmp_path, "index")
    assert code == 0, out
    return tmp_path


def search(home: Path, *args: str) -> dict:
    code, out = run(home, "search", *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_search_json_lists_hits_with_channels_and_provenance(home: Path) -> None:
    data = search(home, QUERY, "-k", "3")
    assert data["retriever"] == "enriched" and data["clearance"] == "internal"
    assert len(data["hits"]) == 3
    top = data["hits"][0]
    assert top["sample_id"] == "p0" and top["dataset"] == "demo"
    assert set(top["channel_ranks"]) == {"dense", "lexical", "graph"}
    assert top["graph_path"] == ["Paris (GPE) -[mentioned in]-> p0"]
    assert top["provenance"]["origin"] == "real"
    assert [(e["label"], e["type"]) for e in data["linked_entities"]] == [("Paris", "GPE")]


def test_explain_shows_the_graph_path_of_an_enriched_hit(home: Path) -> None:
    code, out = run(home, "search", QUERY, "-k", "3", "--explain")
    assert code == 0, out
    assert "graph path:" in out
    assert "Paris (GPE) -[mentioned in]-> p0" in out
    assert "query entities: Paris (GPE)" in out


@pytest.mark.parametrize("retriever", ["dense", "lexical", "hybrid"])
def test_other_retrievers_have_no_graph_channel(home: Path, retriever: str) -> None:
    data = search(home, QUERY, "-k", "3", "--retriever", retriever)
    assert data["retriever"] == retriever
    assert all("graph" not in h["channel_ranks"] for h in data["hits"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--origin", "synthetic"], {"p1"}),
        (["--generator", "simgen", "--prompt-version", "3"], {"p1"}),
        (["--dataset", "demo", "--version", "1", "--origin", "real"], {"p0", "p2", "p3", "p5"}),
        (["--clearance", "restricted", "--origin", "real"], {"p0", "p2", "p3", "p4", "p5"}),
        (["--annotator", "nobody"], set()),
        (["--label", "topic=geo"], set()),
    ],
)
def test_filters_on_the_command_line(home: Path, args: list[str], expected: set[str]) -> None:
    data = search(home, QUERY, "-k", "10", *args)
    assert {h["sample_id"] for h in data["hits"]} == expected


def test_a_bad_label_filter_is_reported(home: Path) -> None:
    code, out = run(home, "search", QUERY, "--label", "topic")
    assert code == ExitCode.USAGE and "FIELD=VALUE" in out


def test_an_unknown_kind_is_a_usage_error(home: Path) -> None:
    code, out = run(home, "search", QUERY, "--kind", "tweet")
    assert code == ExitCode.USAGE and "tweet" in out


def test_kind_picks_what_a_search_returns(home: Path) -> None:
    assert search(home, QUERY, "--kind", "question")["hits"] == []  # the home has none
    data = search(home, QUERY, "-k", "3", "--kind", "passage")
    assert len(data["hits"]) == 3 and data["graph"]["reason"]


def test_ask_record_json_carries_the_answer_id_and_trace(home: Path) -> None:
    code, out = run(home, "ask", "When was the Eiffel Tower completed?", "-k", "3",
                    "--record", "--json")  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["id"] and data["answer"] and data["sentences"]
    assert all(s["sample_iri"] in data["cited_samples"] for s in data["sentences"])
    with graph(home) as kg:
        tree = trace(kg, data["id"])
    assert sorted(n.iri for n in tree.children if n.kind == "sample") == sorted(
        data["cited_samples"]
    )


def test_after_delete_no_search_or_ask_returns_the_sample(home: Path) -> None:
    code, out = run(home, "delete", "--id", "p0", "--dataset", "demo")
    assert code == 0, out
    for retriever in ("dense", "lexical", "hybrid", "enriched"):
        data = search(home, QUERY, "-k", "10", "--clearance", "restricted",
                      "--retriever", retriever)  # fmt: skip
        assert "p0" not in {h["sample_id"] for h in data["hits"]}
        for h in data["hits"]:
            assert not any("p0" in step.split() for step in h["graph_path"] or [])
    code, out = run(home, "ask", QUERY, "-k", "5", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert "p0" not in {s["sample_id"] for s in data["sentences"]}
    assert "p0" not in {p["sample_id"] for p in data["passages"]}
    assert run(home, "index", "--check")[0] == 0


def test_search_without_an_index_says_how_to_build_it(tmp_path: Path) -> None:
    write_home(tmp_path, records()[:1])
    gc.collect()
    code, out = run(tmp_path, "search", "anything")
    assert code == 1 and "provrag index" in out


class FakeExtractor:
    name = "fake"
    version = "0"
    fallback = False

    def extract(self, texts: Sequence[str]) -> list[list[MentionSpan]]:
        return [self.extract_one(t) for t in texts]

    def extract_one(self, text: str) -> list[MentionSpan]:
        start = text.find("Paris")
        return (
            [] if start < 0 else [MentionSpan("Paris", start, start + 5, "GPE", "paris", "Paris")]
        )


def test_query_ner_links_to_the_entity_node_ingest_made() -> None:
    linked = NerQueryLinker(FakeExtractor()).link("museums in Paris")
    assert [(e.iri, e.surface, e.type) for e in linked] == [
        (entity_iri("GPE", "paris"), "Paris", "GPE")
    ]


def test_retrieval_settings_are_the_retrievers_config(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, retrieval={"rrf_k": 10, "graph_hops": 2, "mode": "hybrid",
                                                  "default_clearance": "public"})  # fmt: skip
    retriever = build_retriever(settings, KnowledgeGraph(OxigraphStore(None)))
    assert retriever.config is settings.retrieval and retriever.mode == "hybrid"
    config = retriever.config
    assert (config.rrf_k, config.graph_hops, config.default_clearance) == (10, 2, "public")
    assert retriever.allowed_sets.default_clearance == "public"
    assert build_retriever(settings, retriever.kg, mode="dense").mode == "dense"
