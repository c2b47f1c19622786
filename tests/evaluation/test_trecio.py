"""TREC run and qrels files: format, round trips, re-scoring by ir_measures."""

from __future__ import annotations

import ir_measures
import pytest
from ir_measures import AP, P, R, Success, nDCG

from evaluation.errors import TrecFormatError
from evaluation.metrics import evaluate_run
from evaluation.trecio import read_trec_qrels, read_trec_run, write_trec_qrels, write_trec_run
from tests.evaluation.test_metrics import random_case


def test_run_lines_ranked_from_one_in_trec_eval_order(tmp_path):
    path = write_trec_run({"q": {"a": 0.5, "b": 0.5, "c": 0.9}}, tmp_path / "r.trec", tag="t1")
    assert path.read_text().splitlines() == [
        "q Q0 c 1 0.9 t1",
        "q Q0 b 2 0.5 t1",
        "q Q0 a 3 0.5 t1",
    ]


def test_run_round_trip_keeps_exact_scores(tmp_path):
    _, run = random_case(3, ties=False)
    path = write_trec_run(run, tmp_path / "run.trec")
    assert read_trec_run(path) == {q: d for q, d in run.items() if d}


def test_depth_keeps_top_documents(tmp_path):
    path = write_trec_run({"q": {"a": 0.1, "b": 0.2, "c": 0.3}}, tmp_path / "r", depth=2)
    assert read_trec_run(path) == {"q": {"c": 0.3, "b": 0.2}}


def test_written_run_rescored_by_ir_measures_gives_our_numbers(tmp_path):
    qrels, run = random_case(8)
    path = write_trec_run(run, tmp_path / "run.trec")
    measures = [nDCG @ 10, R @ 10, P @ 5, AP @ 10, Success @ 10]
    theirs = ir_measures.calc_aggregate(measures, qrels, ir_measures.read_trec_run(str(path)))
    ours = evaluate_run(qrels, run, ["ndcg@10", "recall@10", "P@5", "map@10", "hit_rate@10"])
    for name, measure in zip(ours, measures, strict=True):
        assert ours[name].mean == pytest.approx(theirs[measure], abs=1e-6), name


def test_qrels_round_trip_and_ir_measures_reads_them(tmp_path):
    qrels, _ = random_case(2)
    qrels = {q: j for q, j in qrels.items() if j}
    path = write_trec_qrels(qrels, tmp_path / "qrels.txt")
    assert read_trec_qrels(path) == qrels
    theirs = {(q.query_id, q.doc_id): q.relevance for q in ir_measures.read_trec_qrels(str(path))}
    assert theirs == {(q, d): g for q, j in qrels.items() for d, g in j.items()}


def test_whitespace_in_ids_rejected(tmp_path):
    with pytest.raises(TrecFormatError, match="'doc 1'"):
        write_trec_run({"q": {"doc 1": 1.0}}, tmp_path / "r")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q Q0 d 1 0.5\n", r":1: expected 6 fields"),
        ("q Q0 d 1 0.5 t\nq Q0 e 2 high t\n", r":2: score 'high'"),
        ("q Q0 d 1 0.5 t\nq Q0 d 2 0.4 t\n", r":2: document 'd' appears twice"),
    ],
)
def test_malformed_run_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.trec"
    path.write_text(text)
    with pytest.raises(TrecFormatError, match=message):
        read_trec_run(path)


def test_non_integer_grade_rejected(tmp_path):
    path = tmp_path / "qrels"
    path.write_text("q 0 d 1\nq 0 e 0.5\n")
    with pytest.raises(TrecFormatError, match=r":2: grade '0.5'"):
        read_trec_qrels(path)


def test_missing_file_rejected(tmp_path):
    with pytest.raises(TrecFormatError, match="no such file"):
        read_trec_run(tmp_path / "absent")
