"""evaluation.tuning: a bounded, deterministic search scored on one golden split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.errors import TuningError
from evaluation.spec import RunSpec
from evaluation.tuning import SearchSpace, apply_point, changed_settings, plan, tune
from kg.graph import KnowledgeGraph
from kg.model import Filters, GoldenItem, ScoredPassage
from kg.queries.tuning import tuning_runs
from kg.store.embedded import OxigraphStore
from retrieval.config import RetrieverConfig
from tests.evaluation.toy import toy_golden

SPACE = SearchSpace(params={"rrf_k": [10, 30, 60], "weights.lexical": [0.0, 0.5, 1.0]})
#: the settings a tuning run starts from (one of SPACE's grid points)
BASE = RetrieverConfig(rrf_k=60, weights={"dense": 1.0, "lexical": 0.5})


def test_the_grid_is_walked_whole_when_it_fits_the_budget() -> None:
    strategy, points = plan(SPACE, BASE, budget=20, seed=1)
    assert strategy == "grid"
    assert points[0] == {"rrf_k": 60, "weights.lexical": 0.5}  # the settings as they are
    assert len(points) == 9  # the base is one of the 9 grid points
    assert len({tuple(p.items()) for p in points}) == 9


def test_a_sample_is_drawn_with_the_seed_when_the_grid_is_larger() -> None:
    a = plan(SPACE, BASE, budget=4, seed=5)
    assert a[0] == "random"
    assert len(a[1]) == 4
    assert a[1][0] == {"rrf_k": 60, "weights.lexical": 0.5}
    assert a == plan(SPACE, BASE, budget=4, seed=5)
    others = {tuple(tuple(p.items()) for p in plan(SPACE, BASE, 4, s)[1]) for s in range(8)}
    assert len(others) > 1


def test_a_point_sets_one_weight_and_keeps_the_others() -> None:
    config = apply_point(RetrieverConfig(), {"weights.lexical": 0.25, "ppr_damping": 0.7})
    assert config.weights == {**RetrieverConfig().weights, "lexical": 0.25}
    assert config.ppr_damping == 0.7


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"nope": [1]}, "not a retriever setting"),
        ({"rrf_k.x": [1]}, "not a retriever setting"),
        ({"ppr_damping": [1.5]}, "refuse"),
        ({"rrf_k": []}, "no value"),
        ({}, "empty"),
    ],
)
def test_a_bad_space_is_refused(params: dict, message: str) -> None:
    with pytest.raises(TuningError, match=message):
        SearchSpace(params=params).check(RetrieverConfig())


class _ByRrfK:
    """A retriever whose ranking is good only with rrf_k == 30; refuses holdout queries."""

    def __init__(self, config: RetrieverConfig) -> None:
        self.good = config.rrf_k == 30

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list:
        if "holdout" in query:
            raise AssertionError(f"a holdout query was searched: {query}")
        qid = query.split()[-1]
        ranked = [f"rel-{qid}", "other"] if self.good else ["other", f"rel-{qid}"]
        return [
            ScoredPassage(sample_iri=f"urn:{d}", sample_id=d, text=d, score=1.0 - i / 10)
            for i, d in enumerate(ranked)
        ]


def _golden() -> object:
    items = [
        GoldenItem(
            query_id=f"d{i}", query=f"dev query d{i}", relevant={f"rel-d{i}": 1}, split="dev"
        )
        for i in range(4)
    ] + [
        GoldenItem(query_id="h1", query="holdout query h1", relevant={"rel-h1": 1}, split="holdout")
    ]
    return toy_golden(items)


def test_tune_finds_the_best_point_on_dev_and_never_searches_the_holdout() -> None:
    dev = _golden().subset("dev")
    spec = RunSpec.for_golden(dev, mode="hybrid", split="dev")
    result = tune(dev, spec, _ByRrfK, space=SPACE, budget=20, seed=1)
    assert result.baseline.score < 1.0
    assert result.best.params["rrf_k"] == 30
    assert result.best.score == pytest.approx(1.0)
    # ties keep the earliest trial: lexical weight 0.0 is the first grid value with rrf_k 30
    assert result.best.params["weights.lexical"] == 0.0
    assert result.config.rrf_k == 30
    assert changed_settings(result) == {
        "rrf_k": 30,
        "weights": {**RetrieverConfig().weights, "lexical": 0.0},
    }
    assert result.query_count == 4


def test_tune_refuses_a_whole_golden_set() -> None:
    golden = _golden()
    with pytest.raises(TuningError, match="one split"):
        tune(golden, RunSpec.for_golden(golden), _ByRrfK, space=SPACE)


def test_a_tuning_run_is_recorded_with_its_profile() -> None:
    from evaluation.tuning import record_tuning

    dev = _golden().subset("dev")
    result = tune(dev, RunSpec.for_golden(dev, split="dev"), _ByRrfK, space=SPACE, budget=3)
    kg = KnowledgeGraph(OxigraphStore(None))
    iri = record_tuning(
        kg, result, run_id="t1", profile_name="p", profile_file="/x/p.toml", provrag_version="0"
    )
    (rec,) = tuning_runs(kg)
    assert rec.iri == iri
    assert (rec.split, rec.objective, rec.strategy, rec.budget) == ("dev", "ndcg@10", "random", 3)
    assert rec.search_space == {"rrf_k": [10, 30, 60], "weights.lexical": [0.0, 0.5, 1.0]}
    assert [t["score"] for t in rec.trials] == [t.score for t in result.trials]
    assert rec.best_score == result.best.score
    assert rec.profile_name == "p" and rec.profile_file == "/x/p.toml"
    assert rec.profile_settings == changed_settings(result)
    assert tuning_runs(kg, profile="other") == []


DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluation.md"


def test_the_documented_query_lists_tuning_runs_with_their_profiles() -> None:
    from evaluation.tuning import record_tuning

    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- tuning-runs-query.*?-->\s*```sparql\n(.*?)```", text, re.S)
    assert m, f"{DOC} lost the tuning runs query block"
    dev = _golden().subset("dev")
    result = tune(dev, RunSpec.for_golden(dev, split="dev"), _ByRrfK, space=SPACE, budget=9)
    kg = KnowledgeGraph(OxigraphStore(None))
    record_tuning(kg, result, run_id="t1", profile_name="p", profile_file=None, provrag_version="0")
    (row,) = kg.select(m.group(1))
    assert (row["split"], row["objective"], row["profile"]) == ("dev", "ndcg@10", "p")
    assert row["best"] == pytest.approx(1.0) and row["baseline"] == result.baseline.score
