"""Answerable units: derived hits count for their source (unit tests, no model)."""

from __future__ import annotations

import numpy as np

from kg.queries.derivation import Derivation
from retrieval.derivation import DerivationMap, map_to_answerable
from retrieval.filters import AllowedSet
from retrieval.fusion import ChannelList
from retrieval.index import iri_to_id

P1, P2, Q1, Q2 = (f"https://w3id.org/provrag/id/sample/d/{n}/abc" for n in ("p1", "p2", "q1", "q2"))


def _map() -> DerivationMap:
    return DerivationMap.build(
        [
            Derivation(Q1, P1, "question", "q1", "gen", "2"),
            Derivation(Q2, Q1, "question", "q2", None, None),  # a paraphrase of q1
        ]
    )


def _ids(*iris: str) -> list[int]:
    return [iri_to_id(i) for i in iris]


def test_a_question_hit_brings_its_source_below_the_channels_own_hits() -> None:
    answerable = AllowedSet.of({P1, P2})
    lst = ChannelList("dense", _ids(Q1, P2), [0.9, 0.5])
    matched: dict[int, int] = {}
    out = map_to_answerable(lst, answerable, _map(), matched)
    assert out.ids.tolist() == _ids(P2, P1)
    assert matched == {iri_to_id(P1): iri_to_id(Q1)}


def test_best_rank_wins_when_own_first_is_off() -> None:
    answerable = AllowedSet.of({P1, P2})
    lst = ChannelList("dense", _ids(Q1, P2, P1), [0.9, 0.5, 0.4])
    out = map_to_answerable(lst, answerable, _map(), {}, own_first=False)
    assert out.ids.tolist() == _ids(P1, P2)
    assert out.scores.tolist() == [0.9, 0.5]


def test_chains_are_followed_to_an_answerable_source() -> None:
    assert _map().answerable_source(iri_to_id(Q2), AllowedSet.of({P1})) == iri_to_id(P1)


def test_a_source_that_is_not_answerable_drops_the_hit() -> None:
    lst = ChannelList("dense", _ids(Q1), [0.9])
    out = map_to_answerable(lst, AllowedSet.of({P2}), _map(), {})
    assert len(out.ids) == 0


def test_without_derivations_non_answerable_hits_are_dropped() -> None:
    lst = ChannelList("dense", _ids(Q1, P2), [0.9, 0.5])
    out = map_to_answerable(lst, AllowedSet.of({P1, P2}), None, {})
    assert out.ids.tolist() == _ids(P2)


def test_the_explanation_names_question_generator_and_source() -> None:
    via = _map().via(iri_to_id(Q1), "p1")
    assert via is not None
    assert via.describe() == "matched synthetic question q1, gen prompt v2, derived from p1"
    assert np.asarray(_map().sources_of(iri_to_id(P1))).size == 0


def test_many_ids_map_as_one_id_does() -> None:
    answerable = AllowedSet.of({P1, P2})
    ids = np.asarray(_ids(Q1, Q2, P2), dtype=np.int64)
    out = _map().answerable_sources(ids, answerable)
    one = [_map().answerable_source(int(i), answerable) for i in ids]
    assert out.tolist() == [o if o is not None else -1 for o in one]
    assert out.tolist() == [iri_to_id(P1), iri_to_id(P1), -1]
