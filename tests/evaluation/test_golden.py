"""Golden sets: loaders, validation with file/line/field, graph ingest with versioning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from evaluation.errors import GoldenSetError, GoldenVersionConflictError
from evaluation.golden import (
    GoldenSet,
    golden_from_qrels,
    ingest_golden,
    load_beir,
    load_golden_jsonl,
    load_trec_qrels,
    validate_against,
)
from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import GoldenItem, SampleRecord
from kg.store import OxigraphStore

ITEMS = [
    {
        "query_id": "q1",
        "query": "what is a cat?",
        "relevant": {"s1": 2, "s2": 0},
        "gold_answers": ["a small feline"],
        "tags": ["animals"],
        "author": "ann",
    },
    {"query_id": "q2", "query": "dogs", "relevant": {"s3": 1}, "tags": ["animals", "short"]},
]
META = {
    "name": "pets",
    "version": "2",
    "dataset": "zoo",
    "author": "alice",
    "guideline_version": "1.1",
}


def write_jsonl(path: Path, rows: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def golden_file(tmp_path: Path) -> Path:
    path = write_jsonl(tmp_path / "pets.jsonl", ITEMS)
    (tmp_path / "pets.meta.json").write_text(json.dumps(META), encoding="utf-8")
    return path


@pytest.fixture
def kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore())


# ------------------------------------------------------------------------ JSONL


def test_load_jsonl_with_sibling_meta(golden_file):
    golden = load_golden_jsonl(golden_file)
    assert (golden.name, golden.version, golden.dataset) == ("pets", "2", "zoo")
    assert (golden.author, golden.guideline_version) == ("alice", "1.1")
    assert [i.query_id for i in golden.items] == ["q1", "q2"]
    assert golden.items[0].relevant == {"s1": 2, "s2": 0}
    assert golden.lines == {"q1": 1, "q2": 2}
    assert golden.qrels() == {"q1": {"s1": 2, "s2": 0}, "q2": {"s3": 1}}
    assert golden.gold_answers() == {"q1": ["a small feline"]}


def test_meta_argument_overrides_sibling(golden_file):
    golden = load_golden_jsonl(golden_file, meta={"version": 3})
    assert (golden.name, golden.version) == ("pets", "3")


def test_defaults_without_meta(tmp_path):
    golden = load_golden_jsonl(write_jsonl(tmp_path / "mine.jsonl", ITEMS))
    assert (golden.name, golden.version, golden.dataset) == ("mine", "1", None)


def test_duplicate_query_id_names_both_lines(tmp_path):
    path = write_jsonl(tmp_path / "g.jsonl", [ITEMS[0], ITEMS[1], ITEMS[0]])
    with pytest.raises(GoldenSetError, match=r"g\.jsonl:3 \[query_id\]: duplicate .*line 1"):
        load_golden_jsonl(path)


@pytest.mark.parametrize("grade", ["2", -1, 1.5, True, None])
def test_bad_grade_names_line_field_and_value(tmp_path, grade):
    bad = {"query_id": "q9", "query": "x", "relevant": {"s1": grade}}
    path = write_jsonl(tmp_path / "g.jsonl", [ITEMS[0], bad])
    with pytest.raises(GoldenSetError, match=r":2 \[relevant\.s1\]: grade must be an integer"):
        load_golden_jsonl(path)


@pytest.mark.parametrize("query", ["", "   ", None])
def test_empty_query_rejected(tmp_path, query):
    path = write_jsonl(tmp_path / "g.jsonl", [{"query_id": "q1", "query": query}])
    with pytest.raises(GoldenSetError, match=r":1 \[query\]: query must be a non-empty"):
        load_golden_jsonl(path)


def test_unknown_field_and_bad_json_reported_together(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"query_id": "q1", "query": "x", "relevnt": {}}\n{not json\n')
    with pytest.raises(GoldenSetError) as info:
        load_golden_jsonl(path)
    fields = [(p.line, p.field) for p in info.value.problems]
    assert fields == [(1, "relevnt"), (2, None)]
    assert "not valid JSON" in str(info.value)


def test_unknown_meta_key_rejected(golden_file):
    with pytest.raises(GoldenSetError, match=r"\[owner\]: unknown metadata key"):
        load_golden_jsonl(golden_file, meta={"owner": "bob"})


def test_validate_against_lists_unknown_sample_ids(golden_file):
    golden = load_golden_jsonl(golden_file)
    problems = validate_against(golden, {"s1", "s2"})
    assert [(p.line, p.value) for p in problems] == [(2, "s3")]
    assert "'s3'" in str(problems[0]) and "zoo" in str(problems[0])


# -------------------------------------------------------------------- BEIR / TREC


def make_beir(root: Path) -> Path:
    write_jsonl(
        root / "corpus.jsonl",
        [
            {"_id": "d1", "title": "Cats", "text": "cats purr"},
            {"_id": 2, "text": "dogs bark"},
        ],
    )
    write_jsonl(
        root / "queries.jsonl",
        [
            {"_id": "q1", "text": "purring"},
            {"_id": "q2", "text": "barking"},
            {"_id": "q3", "text": "not in the test split"},
        ],
    )
    (root / "qrels").mkdir()
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\t2\t2\nq2\td1\t0\n"
    )
    return root


def test_load_beir(tmp_path):
    corpus, queries, qrels = load_beir(make_beir(tmp_path))
    assert corpus == {
        "d1": {"title": "Cats", "text": "cats purr"},
        "2": {"title": "", "text": "dogs bark"},
    }
    assert queries == {"q1": "purring", "q2": "barking"}  # q3 is not in the split's qrels
    assert qrels == {"q1": {"d1": 1}, "q2": {"2": 2, "d1": 0}}


def test_load_beir_missing_split_lists_available(tmp_path):
    with pytest.raises(GoldenSetError, match=r"dev\.tsv: missing.*splits here: test"):
        load_beir(make_beir(tmp_path), split="dev")


def test_load_beir_bad_score_names_line(tmp_path):
    root = make_beir(tmp_path)
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\thigh\n")
    with pytest.raises(GoldenSetError, match=r"test\.tsv:2 \[score\]"):
        load_beir(root)


def test_load_trec_qrels_rejects_negative_grade(tmp_path):
    path = tmp_path / "qrels.txt"
    path.write_text("q1 0 d1 1\nq1 0 d2 -1\n")
    with pytest.raises(GoldenSetError, match="'d2': grade must be >= 0"):
        load_trec_qrels(path)
    path.write_text("q1 0 d1 1\nq1 0 d2 0\n")
    assert load_trec_qrels(path) == {"q1": {"d1": 1, "d2": 0}}


def test_golden_from_qrels(tmp_path):
    _, queries, qrels = load_beir(make_beir(tmp_path))
    golden = golden_from_qrels("beir-tiny", "1", "tiny", queries, qrels)
    assert golden.qrels() == qrels
    assert golden.queries() == queries


# ------------------------------------------------------------------------- ingest


def test_ingest_links_judgements_to_logical_samples(kg, golden_file, write_samples):
    write_samples(kg, [SampleRecord(id="s1", text="cats", origin="real", dataset="zoo")])
    graph = ingest_golden(kg, load_golden_jsonl(golden_file))
    assert graph == ids.golden_set_iri("pets", "2")
    rows = kg.select(f"""
        SELECT ?title ?version ?author ?gv ?qid ?grade ?sample WHERE {{
          GRAPH <{graph}> {{
            ?gs a pr:GoldenSet ; dcterms:title ?title ; pr:goldenSetVersion ?version ;
                prov:wasAttributedTo/rdfs:label ?author ;
                pr:guideline/pr:guidelineVersion ?gv ; pr:goldenItem ?item .
            ?item pr:queryId ?qid ; pr:judgement ?j . ?j pr:grade ?grade ; pr:judgedSample ?l .
          }}
          ?sample prov:specializationOf ?l ; pr:externalId "s1" .
        }}""")
    assert rows == [
        {
            "title": "pets",
            "version": "2",
            "author": "alice",
            "gv": "1.1",
            "qid": "q1",
            "grade": 2,
            "sample": rows[0]["sample"],
        }
    ]


def test_ingest_items_answers_tags_and_item_author(kg, golden_file):
    graph = ingest_golden(kg, load_golden_jsonl(golden_file))
    rows = kg.select(f"""
        SELECT ?answer ?who (GROUP_CONCAT(?tag; separator=",") AS ?tags) WHERE {{
          GRAPH <{graph}> {{ ?item pr:queryId "q1" ; pr:goldAnswer ?answer ; pr:tag ?tag ;
                               prov:wasAttributedTo/rdfs:label ?who }}
        }} GROUP BY ?answer ?who""")
    assert rows == [{"answer": "a small feline", "who": "ann", "tags": "animals"}]


def test_reingesting_same_version_is_a_no_op(kg, golden_file):
    golden = load_golden_jsonl(golden_file)
    first = ingest_golden(kg, golden)
    count = kg.triple_count()
    assert ingest_golden(kg, load_golden_jsonl(golden_file)) == first
    assert kg.triple_count() == count


def test_changed_set_under_same_version_asks_for_a_bump(kg, golden_file):
    golden = load_golden_jsonl(golden_file)
    ingest_golden(kg, golden)
    golden.items[1] = GoldenItem(query_id="q2", query="dogs", relevant={"s3": 2})
    with pytest.raises(GoldenVersionConflictError, match="bump the version"):
        ingest_golden(kg, golden)
    golden.version = "3"
    assert ingest_golden(kg, golden) == ids.golden_set_iri("pets", "3")


def test_ingest_needs_dataset_for_judgements(kg, tmp_path):
    golden = load_golden_jsonl(write_jsonl(tmp_path / "g.jsonl", ITEMS))
    with pytest.raises(GoldenSetError, match=r"\[dataset\].*meta\.json"):
        ingest_golden(kg, golden)
    assert kg.triple_count() == 0


def test_ingest_rejects_duplicates_built_in_code(kg):
    item = GoldenItem(query_id="q", query="x")
    golden = GoldenSet("s", "1", "d", None, None, [item, item])
    with pytest.raises(GoldenSetError, match="duplicate query id"):
        ingest_golden(kg, golden)


def test_item_order_does_not_change_the_content(kg, golden_file):
    golden = load_golden_jsonl(golden_file)
    first = ingest_golden(kg, golden)
    golden.items.reverse()
    assert ingest_golden(kg, golden) == first
