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


def _zscore(lists: list[ChannelList], **kw: object) -> dict[int, float]:
    fused = fuse(lists, method="zscore", weights={"dense": 0.6, "lexical": 0.4}, **kw)  # type: ignore[arg-type]
    return {f.id: f.score for f in fused}


def test_zscore_matches_the_hand_worked_example() -> None:
    # dense [a, b, c] 0.9, 0.6, 0.3: mean 0.6, std sqrt(0.06) = 0.2449 -> z 1.2247, 0, -1.2247
    # lexical [c, d] 8, 2: mean 5, std 3 -> z 1, -1; a channel that missed a hit adds its lowest z
    #   a = 0.6 * 1.2247 + 0.4 * -1       =  0.3348
    #   b = 0.6 * 0      + 0.4 * -1       = -0.4
    #   c = 0.6 * -1.2247 + 0.4 * 1       = -0.3348
    #   d = 0.6 * -1.2247 + 0.4 * -1      = -1.1348   -> order a, c, b, d
    D = 4
    fused = fuse(
        [ChannelList("dense", [A, B, C], [0.9, 0.6, 0.3]), ChannelList("lexical", [C, D], [8, 2])],
        method="zscore", weights={"dense": 0.6, "lexical": 0.4},
    )  # fmt: skip
    assert [f.id for f in fused] == [A, C, B, D]
    z = 0.3 / 0.06**0.5
    assert [f.score for f in fused] == pytest.approx(
        [0.6 * z - 0.4, -0.6 * z + 0.4, -0.4, -0.6 * z - 0.4]
    )
    # RRF with the same weights puts c first: two votes, though dense ranks it last
    rrf = fuse(
        [ChannelList("dense", [A, B, C], [0.9, 0.6, 0.3]), ChannelList("lexical", [C, D], [8, 2])],
        weights={"dense": 0.6, "lexical": 0.4},
    )  # fmt: skip
    assert rrf[0].id == C


def test_zscore_keeps_each_lists_order() -> None:
    # a source brought in below the channel's own hits carries a higher raw score (0.95);
    # scores are made non-increasing first, so it stays where the channel put it
    scores = _zscore([ChannelList("dense", [A, B, C], [0.9, 0.5, 0.95])])
    assert scores[A] > scores[B] == pytest.approx(scores[C])


def test_zscore_puts_a_ranked_below_list_under_every_other_hit() -> None:
    D = 4
    fused = fuse(
        [ChannelList("dense", [A, B], [0.9, 0.1]), ChannelList("lexical", [B], [3.0]),
         ChannelList("graph", [D, C], [9.0, 1.0], rank_offset=2)],
        method="zscore", weights={"dense": 0.6, "lexical": 0.4, "graph": 5.0},
    )  # fmt: skip
    assert [f.id for f in fused] == [A, B, D, C]
    assert fused[2].channel_ranks == {"graph": 1}


def test_zscore_trust_lifts_a_hit_even_when_its_score_is_negative() -> None:
    lists = [ChannelList("dense", [A, B, C], [0.9, 0.6, 0.5])]
    plain = _zscore(lists)
    assert plain[B] < 0
    lifted = _zscore(lists, trust={B: 1.2})
    # every score is measured from a base below the lowest, so a weight > 1 widens
    # B's lead over C (a plain product would push a negative score further down)
    assert lifted[B] - lifted[C] > plain[B] - plain[C]
    assert lifted[A] - lifted[B] < plain[A] - plain[B]


def test_zscore_keeps_a_ranked_below_lists_order_when_the_others_found_nothing() -> None:
    fused = fuse(
        [ChannelList("dense", [], []), ChannelList("graph", [C, A], [9.0, 1.0], rank_offset=1)],
        method="zscore",
    )
    assert [f.id for f in fused] == [C, A]
