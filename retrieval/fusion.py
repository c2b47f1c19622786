"""Fusing ranked lists of several channels (dense, lexical, graph) into one.

Reciprocal rank fusion (default; Cormack, Clarke and Buettcher, SIGIR 2009)::

    rrf(d) = sum over channels c that returned d of  w_c / (k + rank_c(d))

with ranks starting at 1 (or at ``rank_offset + 1`` for a list that ranks below
the others, e.g. graph expansion) and ``k = 60``. Worked example, ``k = 60``, weights 1:
dense returns ``[a, b]``, lexical ``[b, c]``. Then
``rrf(a) = 1/61 = 0.016393``, ``rrf(b) = 1/62 + 1/61 = 0.032522``,
``rrf(c) = 1/62 = 0.016129``; fused order ``b, a, c``.

Weighted min-max fusion: each channel's scores are scaled to [0, 1] over its own
list (``(s - min) / (max - min)``; a list whose scores are all equal scales to 1),
and ``fused(d) = sum_c w_c * scaled_c(d)`` (0 for a channel that missed ``d``).

Optional provenance weighting multiplies the fused score by a trust weight per
provenance class (e.g. ``human_labelled`` 1.2, ``real`` 1.0, ``synthetic`` 0.8).

Ties are broken by id (ascending), so the fused order is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from kg.typing import FUSION_METHODS, FusionMethod
from retrieval.errors import RetrievalError


class ChannelList:
    """One channel's ranked list: ids best first and their raw scores."""

    def __init__(
        self, name: str, ids: ArrayLike, scores: ArrayLike, *, rank_offset: int = 0
    ) -> None:
        self.name = name
        self.ids: np.ndarray = np.asarray(ids, dtype=np.int64).reshape(-1)
        self.scores: np.ndarray = np.asarray(scores, dtype=np.float64).reshape(-1)
        #: RRF counts this list's ranks from ``rank_offset + 1`` (a list ranked below others)
        self.rank_offset = rank_offset
        if len(self.ids) != len(self.scores):
            raise RetrievalError(
                f"channel {name!r}: {len(self.ids)} ids but {len(self.scores)} scores"
            )


@dataclass
class Fused:
    """One fused hit: id, fused score, and per channel its raw score and 1-based rank."""

    id: int
    score: float
    channel_scores: dict[str, float] = field(default_factory=dict)
    channel_ranks: dict[str, int] = field(default_factory=dict)


def _scaled(scores: np.ndarray) -> np.ndarray:
    if len(scores) == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo <= 1e-12:
        return np.ones_like(scores)
    return (scores - lo) / (hi - lo)


def fuse(
    lists: list[ChannelList],
    *,
    method: FusionMethod = "rrf",
    weights: Mapping[str, float] | None = None,
    rrf_k: int = 60,
    trust: Mapping[int, float] | None = None,
) -> list[Fused]:
    """All ids of ``lists`` with their fused score, best first (ties by id).

    ``weights`` per channel name (missing: 1.0); ``trust`` per id multiplies the
    fused score (provenance weighting; missing: 1.0).
    """
    if method not in FUSION_METHODS:
        raise RetrievalError(f"fusion must be one of {', '.join(FUSION_METHODS)}, got {method!r}")
    if rrf_k < 0:
        raise RetrievalError(f"rrf_k must be at least 0, got {rrf_k}")
    weights = weights or {}
    hits: dict[int, Fused] = {}
    for lst in lists:
        w = float(weights.get(lst.name, 1.0))
        contrib = (
            w / (rrf_k + lst.rank_offset + np.arange(1, len(lst.ids) + 1, dtype=np.float64))
            if method == "rrf"
            else w * _scaled(lst.scores)
        )
        for rank, (i, s, c) in enumerate(zip(lst.ids, lst.scores, contrib, strict=True), 1):
            hit = hits.get(int(i))
            if hit is None:
                hit = hits[int(i)] = Fused(int(i), 0.0)
            if lst.name in hit.channel_ranks:
                continue  # an id listed twice by one channel counts once, at its best rank
            hit.score += float(c)
            hit.channel_scores[lst.name] = float(s)
            hit.channel_ranks[lst.name] = rank
    if trust:
        for hit in hits.values():
            hit.score *= float(trust.get(hit.id, 1.0))
    return sorted(hits.values(), key=lambda h: (-h.score, h.id))
