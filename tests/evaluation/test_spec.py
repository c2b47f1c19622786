"""RunSpec: typed, validated, and the same after a trip through plain JSON."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from evaluation.spec import RunSpec
from kg.model import Filters
from retrieval.config import RetrieverConfig


def test_a_spec_survives_json() -> None:
    spec = RunSpec(
        golden="g",
        golden_version="2",
        mode="hybrid",
        retrieval=RetrieverConfig(fusion="weighted", weights={"dense": 1.0, "lexical": 0.2}),
        ks=(10, 3, 100),
        metrics=("ndcg@10", "recall@100"),
        depth=200,
        filters=Filters(dataset="d", clearance="public", labels=["intent=refund"]),
        seed=7,
        answers=True,
        embedding_model="m",
        index_generation="gen-000002",
    )
    back = RunSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert back == spec
    assert (back.k, back.cutoffs) == (10, [3, 10, 100])


def test_cutoffs_are_positive_and_given_once() -> None:
    assert RunSpec(golden="g", golden_version="1", ks=(5, 5, 10)).ks == (5, 10)
    with pytest.raises(ValidationError, match="positive"):
        RunSpec(golden="g", golden_version="1", ks=(0,))
    with pytest.raises(ValidationError, match="at least one"):
        RunSpec(golden="g", golden_version="1", ks=())


def test_an_unknown_mode_or_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        RunSpec.from_dict({"golden": "g", "golden_version": "1", "mode": "magic"})
    with pytest.raises(ValidationError):
        RunSpec.from_dict({"golden": "g", "golden_version": "1", "k": 10})
