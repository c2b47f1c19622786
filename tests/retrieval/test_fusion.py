from __future__ import annotations

import pytest

from retrieval.errors import RetrievalError
from retrieval.fusion import ChannelList, fuse

A, B, C = 1, 2, 3


def test_rrf_matches_the_hand_worked_example() -> None:
    # k = 60, weights 1: dense [a, b], lexical [b, c]
    #   rrf(a) = 1/61            = 0.0163934
    #   rrf(b) = 1/62 + 1/61     = 0.0325225
    #   rrf(c) = 1/62            = 0.0161290   -> order b, a, c
    fused = fuse([ChannelList("dense", [A, B], [0.9, 0.8]), ChannelList("lexical", [B, C], [7, 3])])
    assert [f.id for f in fused] == [B, A, C]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1].score == pytest.approx(1 / 61)
    assert fused[2].score == pytest.approx(1 / 62)
    assert fused[0].channel_ranks == {"dense": 2, "lexical": 1}
    assert fused[0].channel_scores == {"dense": pytest.approx(0.8), "lexical": 7.0}


def test_rrf_weights_scale_each_channel() -> None:
    # graph weight 3, dense 1; dense [a, b], graph [c, a]
    fused = fuse(
        [ChannelList("dense", [A, B], [1, 0]), ChannelList("graph", [C, A], [5, 1])],
        weights={"graph": 3.0},
    )
    # a: 1/61 + 3/62 = 0.0648; c: 3/61 = 0.0492; b: 1/62 = 0.0161
    assert [f.id for f in fused] == [A, C, B]
    assert fused[1].score == pytest.approx(3 / 61)


def test_weighted_fusion_scales_scores_to_unit_range() -> None:
    # dense scores 0.9, 0.5, 0.1 -> 1, 0.5, 0; lexical 10, 10 -> all equal -> 1
    fused = fuse(
        [
            ChannelList("dense", [A, B, C], [0.9, 0.5, 0.1]),
            ChannelList("lexical", [C, B], [10, 10]),
        ],
        method="weighted",
        weights={"dense": 1.0, "lexical": 0.5},
    )
    scores = {f.id: f.score for f in fused}
    assert scores == {
        A: pytest.approx(1.0),
        B: pytest.approx(0.5 + 0.5),
        C: pytest.approx(0.0 + 0.5),
    }


def test_trust_multiplies_the_fused_score() -> None:
    fused = fuse([ChannelList("dense", [A, B], [0.9, 0.8])], trust={A: 0.8, B: 1.2})
    # a: 0.8/61 = 0.01311, b: 1.2/62 = 0.01935
    assert [f.id for f in fused] == [B, A]
    assert fused[0].score == pytest.approx(1.2 / 62)


def test_a_rank_offset_ranks_a_list_below_the_others() -> None:
    # graph [c] appended below a 2-long dense list: rrf(c) = 1/(60 + 2 + 1) = 1/63
    fused = fuse([ChannelList("dense", [A, B], [0.9, 0.8]),
                  ChannelList("graph", [C], [5.0], rank_offset=2)])  # fmt: skip
    assert [f.id for f in fused] == [A, B, C]
    assert fused[2].score == pytest.approx(1 / 63) and fused[2].channel_ranks == {"graph": 1}


def test_ties_are_broken_by_id() -> None:
    fused = fuse([ChannelList("dense", [C], [1.0]), ChannelList("lexical", [A], [1.0])])
    assert [f.id for f in fused] == [A, C]


def test_an_id_listed_twice_by_one_channel_counts_once() -> None:
    fused = fuse([ChannelList("graph", [A, A], [2.0, 1.0])])
    assert fused[0].score == pytest.approx(1 / 61)


def test_unknown_method_is_an_error() -> None:
    with pytest.raises(RetrievalError, match="fusion"):
        fuse([], method="max")  # type: ignore[arg-type]
