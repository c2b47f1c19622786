"""Recorded runs: the run directory, the EvaluationRun in the graph, the documented SPARQL
query over runs, and the golden set read back from the graph."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluation.errors import EvaluationError, GoldenSetError
from evaluation.golden import ingest_golden
from evaluation.record import (
    RunNotFoundError,
    golden_versions,
    list_runs,
    load_golden,
    load_run,
    new_run_id,
    read_run_record,
    record_run,
    recorded_numbers,
    save_run,
)
from evaluation.results import EvalResult
from evaluation.runner import run_evaluation
from evaluation.spec import RunSpec
from kg.graph import KnowledgeGraph
from kg.mapping.evaluation import metric_value_iri
from kg.model import Filters
from tests.evaluation.toy import RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden

DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluation.md"
WriteSamples = Callable[..., list[str]]


@pytest.fixture
def world(write_samples: WriteSamples) -> tuple[KnowledgeGraph, dict[str, str]]:
    return make_kg(write_samples)


def _recorded(kg: KnowledgeGraph, iris: dict[str, str], kind: str = "dense") -> EvalResult:
    golden = toy_golden()
    ingest_golden(kg, golden)
    only = Filters(dataset=golden.dataset, clearance="restricted", labels=["intent=x"])
    result = run_toy(golden, CannedRetriever(RANKINGS, iris), mode=kind, kg=kg, filters=only)
    result.run_id = new_run_id()
    record_run(
        kg,
        result,
        retriever_settings={"channels": [kind], "fusion": "rrf"},
        provrag_version="test",
        embedding_model="test/model",
        index_manifest={"generation": "gen-000001", "count": 10},
        run_file="/tmp/run.trec",
    )
    return result


def test_save_and_load_a_run_directory(world, tmp_path: Path) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    directory = save_run(result, tmp_path)
    assert {p.name for p in directory.iterdir()} == {"run.trec", "qrels.trec", "metrics.json"}
    loaded = load_run(tmp_path, str(result.run_id))
    assert loaded.numbers() == result.numbers()
    assert loaded.per_query == result.per_query
    assert loaded.run.keys() == result.run.keys() and loaded.qrels == result.qrels
    assert [s.label for s in loaded.slices] == [s.label for s in result.slices]


def test_loading_an_unknown_run_says_how_to_list_runs(tmp_path: Path) -> None:
    with pytest.raises(RunNotFoundError, match="provrag eval list"):
        load_run(tmp_path, "20260101T000000Z-abcdef")


def test_the_run_record_holds_what_a_rerun_needs(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    rec = read_run_record(kg, str(result.run_id))
    assert rec.golden_iri == toy_golden().iri and rec.golden_name == "toy-golden"
    assert (rec.golden_version, rec.retriever_kind, rec.k, rec.seed) == ("1", "dense", 10, 13)
    assert rec.retriever_settings == {"channels": ["dense"], "fusion": "rrf"}
    assert RunSpec.from_record(rec) == result.spec
    assert rec.embedding_model == "test/model"
    assert rec.index_manifest == {"generation": "gen-000001", "count": 10}
    assert rec.run_file == "/tmp/run.trec" and rec.provrag_version == "test"
    assert isinstance(rec.started, datetime) and rec.started.tzinfo is not None


def test_the_recorded_spec_reruns_to_the_same_numbers(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    spec = RunSpec.from_record(read_run_record(kg, str(result.run_id)))
    golden = load_golden(kg, spec.golden, spec.golden_version)
    again = run_evaluation(spec, golden, CannedRetriever(RANKINGS, iris), kg=kg)
    assert again.numbers() == result.numbers() and again.per_query == result.per_query
    assert again.spec == result.spec


def test_a_run_recorded_before_specs_reads_back_a_spec_of_its_settings(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    result.run_id, result.spec = new_run_id(), None
    legacy = {
        "retrieval": {"fusion": "weighted", "mode": "hybrid"},
        "embedding_model": "old/model",
        "runner": {
            "cutoffs": [3, 10],
            "depth": 50,
            "filters": {"dataset": "toy", "clearance": "internal", "labels": [["intent", "x"]]},
            "bootstrap_samples": 200,
            "answers": False,
        },
    }
    record_run(kg, result, retriever_settings=legacy, provrag_version="old")
    spec = RunSpec.from_record(read_run_record(kg, str(result.run_id)))
    assert (spec.golden, spec.golden_version, spec.mode) == ("toy-golden", "1", "dense")
    assert (spec.ks, spec.depth, spec.bootstrap_samples, spec.seed) == ((10, 3), 50, 200, 13)
    assert spec.retrieval.fusion == "weighted" and spec.embedding_model == "old/model"
    assert spec.filters == Filters(dataset="toy", clearance="internal", labels=["intent=x"])


def test_every_mean_and_interval_is_in_the_graph(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    assert recorded_numbers(kg, str(result.run_id)) == result.numbers()


def test_the_run_is_a_prov_activity_that_used_the_golden_set(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    run = f"<https://w3id.org/provrag/id/run/{result.run_id}>"
    assert kg.ask(f"ASK {{ {run} a prov:Activity ; prov:used <{result.golden_iri}> }}")
    mv = metric_value_iri(
        f"https://w3id.org/provrag/id/run/{result.run_id}", "ndcg@10", "origin", "real"
    )
    assert kg.ask(f'ASK {{ <{mv}> prov:wasGeneratedBy {run} ; pr:metricName "ndcg@10" }}')


def test_a_run_id_is_recorded_once(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    with pytest.raises(EvaluationError, match="already recorded"):
        record_run(kg, result, retriever_settings={}, provrag_version="test")


def _documented_query() -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- runs-ndcg-query.*?-->\s*```sparql\n(.*?)```", text, re.S)
    assert m, f"{DOC} lost the runs query block"
    return m.group(1)


def test_the_documented_sparql_query_lists_runs_with_ndcg_per_slice(world) -> None:
    kg, iris = world
    dense = _recorded(kg, iris, "dense")
    lexical = _recorded(kg, iris, "lexical")
    rows = kg.select(_documented_query())
    got = {
        (str(r["run"]).rsplit("/", 1)[1], r["slice"], r["value"]): (
            r["ndcg"],
            r["low"],
            r["high"],
            r["queries"],
            r["retriever"],
            r["golden"],
        )
        for r in rows
    }
    expected = {}
    for result in (dense, lexical):
        s = result.overall["ndcg@10"]
        expected[(result.run_id, "overall", "all")] = (
            s.mean,
            s.ci_low,
            s.ci_high,
            s.query_count,
            result.retriever_kind,
            "toy-golden",
        )
        for sl in result.slices:
            if "ndcg@10" in sl.metrics:
                m = sl.metrics["ndcg@10"]
                expected[(result.run_id, sl.name, sl.value)] = (
                    m.mean,
                    m.ci_low,
                    m.ci_high,
                    m.query_count,
                    result.retriever_kind,
                    "toy-golden",
                )
    assert got == expected
    assert ("origin", "real") in {(k[1], k[2]) for k in got}


def test_list_runs_gives_overall_ndcg(world) -> None:
    kg, iris = world
    result = _recorded(kg, iris)
    rows = list_runs(kg)
    assert [r["run_id"] for r in rows] == [result.run_id]
    assert rows[0]["ndcg"] == result.overall["ndcg@10"].mean
    assert rows[0]["golden"] == "toy-golden" and rows[0]["retriever"] == "dense"


def test_a_golden_set_reads_back_from_the_graph(world) -> None:
    kg, _ = world
    golden = toy_golden()
    ingest_golden(kg, golden)
    back = load_golden(kg, "toy-golden", "1")
    assert golden_versions(kg, "toy-golden") == ["1"]
    key = lambda it: it.query_id  # noqa: E731
    assert sorted(back.items, key=key) == sorted(
        (it.model_copy(update={"tags": sorted(it.tags)}) for it in golden.items), key=key
    )
    assert (back.dataset, back.author, back.guideline_version) == ("toy", "expert-a", "g-1")
    with pytest.raises(GoldenSetError, match="no golden set 'toy-golden' version '2'"):
        load_golden(kg, "toy-golden", "2")


def test_the_graph_copy_of_a_golden_set_gives_identical_numbers(world) -> None:
    kg, iris = world
    golden = toy_golden()
    ingest_golden(kg, golden)
    first = run_toy(golden, CannedRetriever(RANKINGS, iris), kg=kg)
    back = load_golden(kg, golden.name, golden.version)
    again = run_toy(back, CannedRetriever(RANKINGS, iris), kg=kg)
    assert again.numbers() == first.numbers()
    assert json.dumps(again.per_query, sort_keys=True) == json.dumps(
        first.per_query, sort_keys=True
    )


def test_run_ids_sort_by_time() -> None:
    early = new_run_id(datetime(2026, 1, 1, 8, tzinfo=UTC))
    late = new_run_id(datetime(2026, 1, 1, 9, tzinfo=UTC))
    assert early.startswith("20260101T080000Z-") and early < late
