"""Provenance slices: metadata of gold samples from the graph, slice membership, small
slices flagged, the condensed gold-origin view, per-slice means."""

from __future__ import annotations

from collections.abc import Callable

import ir_measures
import pytest
from ir_measures import nDCG

from evaluation.slices import (
    GoldSampleInfo,
    gold_sample_info,
    origin_class,
    slice_membership,
    synthetic_share,
)
from kg.graph import KnowledgeGraph
from tests.evaluation.toy import RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden

WriteSamples = Callable[..., list[str]]


@pytest.fixture
def world(write_samples: WriteSamples) -> tuple[KnowledgeGraph, dict[str, str]]:
    return make_kg(write_samples)


def test_gold_sample_info_reads_origin_generator_prompt_and_annotators(world) -> None:
    kg, _ = world
    info = gold_sample_info(kg, "toy", ["r1", "r4", "s1", "s3", "nope"])
    assert set(info) == {"r1", "r4", "s1", "s3"}
    assert info["r1"] == GoldSampleInfo("r1", "real", (), (), ("ann-a",))
    assert info["r4"].annotators == ("ann-a", "ann-b")
    assert info["s1"] == GoldSampleInfo("s1", "synthetic", ("gen-x",), ("gen-x/1",), ())
    assert info["s3"].prompt_versions == ("gen-y/2",)


def test_gold_sample_info_is_per_dataset(world) -> None:
    kg, _ = world
    assert gold_sample_info(kg, "another-dataset", ["r1"]) == {}


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        (["real", "real"], "real"),
        (["synthetic"], "synthetic"),
        (["real", "synthetic"], "mixed"),
        ([None, "real"], "real"),
        ([None], "unknown"),
        ([], "unknown"),
    ],
)
def test_origin_class(origins: list[str | None], expected: str) -> None:
    assert origin_class(origins) == expected


def test_slice_membership_by_origin_generator_tag_author_annotator(world) -> None:
    kg, _ = world
    golden = toy_golden()
    info = gold_sample_info(kg, "toy", {s for it in golden.items for s in it.relevant})
    members = slice_membership(golden.items, info, set_author=golden.author)
    assert members[("origin", "mixed")] == ["q1"]
    assert members[("origin", "real")] == ["q2", "q4"]  # q4's synthetic sample has grade 0
    assert members[("origin", "synthetic")] == ["q3"]
    assert members[("generator", "gen-x")] == ["q1"]
    assert members[("generator", "gen-y")] == ["q3"]
    assert members[("prompt_version", "gen-y/2")] == ["q3"]
    assert members[("tag", "cards")] == ["q1", "q2", "q5"]
    assert members[("author", "expert-b")] == ["q1"]
    assert members[("author", "expert-a")] == ["q2", "q3", "q4", "q5"]
    assert members[("annotator", "ann-a")] == ["q1", "q4"]
    assert members[("annotator", "ann-b")] == ["q2", "q4"]
    assert list(members)[0][0] == "origin"  # origin slices first


def test_without_graph_only_tag_and_author_slices() -> None:
    members = slice_membership(toy_golden().items, None, set_author="expert-a")
    assert {name for name, _ in members} == {"tag", "author"}


def test_synthetic_share_counts_the_top_k_only() -> None:
    share = synthetic_share(
        {"a": ["synthetic", "real", "synthetic", "synthetic"], "b": [], "c": [None, "real"]}, 2
    )
    assert share == {"a": 0.5, "b": 0.0, "c": 0.0}


def test_slice_means_average_the_slice_queries_and_small_slices_are_flagged(world) -> None:
    kg, iris = world
    result = run_toy(
        toy_golden(),
        CannedRetriever(RANKINGS, iris),
        kg=kg,
        min_slice_queries=2,
    )
    by_label = {s.label: s for s in result.slices}
    real = by_label["origin=real"]
    assert real.query_ids == ("q2", "q4") and not real.small
    expected = (result.per_query["ndcg@10"]["q2"] + result.per_query["ndcg@10"]["q4"]) / 2
    assert real.metrics["ndcg@10"].mean == pytest.approx(expected)
    assert by_label["origin=synthetic"].small  # one query: shown, flagged
    assert by_label["origin=synthetic"].metrics["ndcg@10"].query_count == 1
    assert "synthetic_share@10" in real.metrics
    tag_cards = by_label["tag=cards"]
    # q5 (answer only) is in the tag slice, but has no ranking metric
    assert tag_cards.query_count == 3 and tag_cards.metrics["ndcg@10"].query_count == 2


def test_gold_origin_slices_score_a_condensed_list(world) -> None:
    kg, iris = world
    result = run_toy(toy_golden(), CannedRetriever(RANKINGS, iris), kg=kg)
    by_label = {s.label: s for s in result.slices}
    real = by_label["gold_origin=real"]
    synthetic = by_label["gold_origin=synthetic"]
    assert real.query_ids == ("q1", "q2", "q4") and synthetic.query_ids == ("q1", "q3")
    # reference: q1 against its real gold only, with its synthetic gold s1 taken out of the
    # ranking (s1 r5 r1 s4 -> r5 r1 s4), scored by ir_measures
    qrels = {"q1": {"r1": 2}}
    run = {"q1": {"r5": 3.0, "r1": 2.0, "s4": 1.0}}
    ref_real = next(ir_measures.iter_calc([nDCG @ 10], qrels, run)).value
    qrels_s = {"q1": {"s1": 1}}
    run_s = {"q1": {"s1": 3.0, "r5": 2.0, "s4": 1.0}}
    ref_syn = next(ir_measures.iter_calc([nDCG @ 10], qrels_s, run_s)).value
    ndcg_q1 = result.per_query["ndcg@10"]["q1"]
    assert ref_real != ndcg_q1  # the view really differs from the overall value
    expected_real = (
        ref_real + result.per_query["ndcg@10"]["q2"] + result.per_query["ndcg@10"]["q4"]
    ) / 3
    assert real.metrics["ndcg@10"].mean == pytest.approx(expected_real)
    expected_syn = (ref_syn + result.per_query["ndcg@10"]["q3"]) / 2
    assert synthetic.metrics["ndcg@10"].mean == pytest.approx(expected_syn)
    assert "synthetic_share@10" not in real.metrics
