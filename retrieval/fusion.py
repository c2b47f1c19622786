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

Z-score fusion (the default; a convex combination of standardised scores, as in
Bruch, Gai and Ingber, "An analysis of fusion functions for hybrid retrieval", ACM
TOIS 42(1), 2023, who find convex combination beats RRF because it keeps *how much*
better a channel finds one hit than the next)::

    z_c(d)   = (s_c(d) - mean(s_c)) / std(s_c)      over channel c's own list
    fused(d) = sum over channels c of  w_c * z_c(d)

A channel that missed ``d`` contributes its lowest z (what it did not return scores
at most its last hit); a list whose scores are all equal scales to 0. A list's order
is the channel's verdict, so its scores are first made non-increasing down the list
(a source found through a derived sample and ranked below the channel's own hits
keeps that place). Hits only a list ranked below the others found (``rank_offset``:
graph expansion) come after every other hit, in that list's order. Worked example,
weights dense 0.6, lexical 0.4: dense ``[a, b, c]`` scores ``0.9, 0.6, 0.3`` ->
``z = 1.2247, 0, -1.2247``; lexical ``[c, d]`` scores ``8, 2`` -> ``z = 1, -1``. Then
``fused(a) = 0.6*1.2247 + 0.4*(-1) = 0.3348``, ``fused(b) = 0 - 0.4 = -0.4``,
``fused(c) = -0.7348 + 0.4 = -0.3348``, ``fused(d) = -0.7348 - 0.4 = -1.1348``;
order ``a, c, b, d``. (RRF with the same weights puts ``c`` first, 0.0161 against
0.0098 for ``a``: two votes, though dense ranks it last and well below ``a``.)

Provenance weighting (``trust``) multiplies each score's distance above a base
(0, or just below the lowest score when z-scores are negative), so a weight above 1
always lifts a hit.

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


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Z-scores of a list's scores, made non-increasing down the list first."""
    if len(scores) == 0:
        return scores
    s = np.minimum.accumulate(scores)
    sd = float(s.std())
    if sd <= 1e-12:
        return np.zeros_like(s)
    return (s - float(s.mean())) / sd


def _contributions(lst: ChannelList, method: FusionMethod, w: float, rrf_k: int) -> np.ndarray:
    if method == "rrf":
        ranks = lst.rank_offset + np.arange(1, len(lst.ids) + 1, dtype=np.float64)
        return w / (rrf_k + ranks)
    if method == "zscore":
        return w * _standardised(lst.scores)
    return w * _scaled(lst.scores)


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
    # z-score fusion: ranked-below lists only bring hits in after the others'
    below = method == "zscore" and any(lst.rank_offset == 0 for lst in lists)
    floors: dict[str, float] = {}
    extra: dict[int, float] = {}
    for lst in lists:
        w = float(weights.get(lst.name, 1.0))
        contrib = _contributions(lst, method, w, rrf_k)
        late = below and lst.rank_offset > 0
        if method == "zscore" and len(contrib) and not late:
            floors[lst.name] = float(contrib.min())
        for rank, (i, s, c) in enumerate(zip(lst.ids, lst.scores, contrib, strict=True), 1):
            hit = hits.get(int(i))
            if hit is None:
                hit = hits[int(i)] = Fused(int(i), 0.0)
            if lst.name in hit.channel_ranks:
                continue  # an id listed twice by one channel counts once, at its best rank
            if late:
                extra[hit.id] = extra.get(hit.id, 0.0) + w * (1.0 - rank / (len(lst.ids) + 1))
            else:
                hit.score += float(c)
            hit.channel_scores[lst.name] = float(s)
            hit.channel_ranks[lst.name] = rank
    if method == "zscore":
        _add_floors(hits, floors, extra)
    if trust and hits:
        low = min(h.score for h in hits.values())
        base = 0.0 if low >= 0 else low - 1.0
        for hit in hits.values():
            hit.score = base + (hit.score - base) * float(trust.get(hit.id, 1.0))
    return sorted(hits.values(), key=lambda h: (-h.score, h.id))


def _add_floors(hits: dict[int, Fused], floors: dict[str, float], extra: dict[int, float]) -> None:
    """Z-score fusion: each channel that missed a hit adds its lowest z; hits only a
    ranked-below list found go under all the others, in that list's order."""
    lowest = sum(floors.values())
    spread = 1.0 + sum(extra.values())  # ranked-below scores stay in (lowest - 1, lowest)
    for hit in hits.values():
        if hit.id in extra and not any(n in hit.channel_ranks for n in floors):
            hit.score = lowest - 1.0 + extra[hit.id] / spread
            continue
        hit.score += sum(f for n, f in floors.items() if n not in hit.channel_ranks)
