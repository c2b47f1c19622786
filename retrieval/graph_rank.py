"""Putting PageRank's ranking in place of the fused one (when the gate lets it speak).

The answerable samples PageRank ranked come first, by PageRank score (their score
and graph channel), keeping the channel ranks the fused list gave them; the fused
hits PageRank did not reach follow in fused order, scored no higher than the last
PageRank hit. When the gate keeps the fused ranking, the hits PageRank reached
still show their PageRank rank, score and path (:func:`annotated`).
"""

from __future__ import annotations

from retrieval.derivation import DerivationMap
from retrieval.entity_graph import EntityGraph
from retrieval.entity_pagerank import PageRankHits
from retrieval.fusion import Fused


def ranked_fused(fused: list[Fused], ranked: PageRankHits) -> list[Fused]:
    """``fused`` reordered by ``ranked`` (see the module doc)."""
    by_id = {f.id: f for f in fused}
    out: list[Fused] = []
    for r, (i, sc) in enumerate(zip(ranked.ids.tolist(), ranked.scores.tolist(), strict=True)):
        f = by_id.pop(i, None) or Fused(i, 0.0)
        f.channel_scores["graph"] = float(sc)
        f.channel_ranks["graph"] = r + 1
        f.score = float(sc)
        out.append(f)
    rest = [f for f in fused if f.id in by_id]  # fused hits PageRank did not reach
    floor = min((f.score for f in out), default=0.0)
    for f in rest:
        f.score = min(f.score, floor)
    return out + rest


def annotated(fused: list[Fused], ranked: PageRankHits) -> list[Fused]:
    """``fused`` as it is (the gate kept it), each hit PageRank reached showing its
    PageRank rank and score (the graph did not vote)."""
    rank_of = {i: r for r, i in enumerate(ranked.ids.tolist())}
    for f in fused:
        r = rank_of.get(f.id)
        if r is not None:
            f.channel_ranks["graph"] = r + 1
            f.channel_scores["graph"] = float(ranked.scores[r])
    return fused


def fill_iris(
    iri_of: dict[int, str],
    ranked: PageRankHits,
    entities: EntityGraph,
    derivations: DerivationMap | None,
) -> None:
    """Add the sample IRI of every PageRank hit no channel list found."""
    for i in ranked.ids.tolist():
        if i in iri_of:
            continue
        p = entities.sample_index.get(i)
        if p is not None:
            iri_of[i] = entities.sample_iris[p]
        elif derivations is not None and i in derivations.source_iris:
            iri_of[i] = derivations.source_iris[i]
