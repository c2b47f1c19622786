"""The app layer's run specs: options resolved against the settings, and a recorded spec
overriding the settings it records."""

from __future__ import annotations

from pathlib import Path

from evaluation.spec import RunSpec
from kg.model import Filters
from provrag.services.evaluating import EvalOptions, run_spec, settings_for_rerun
from provrag.settings import load_settings
from retrieval.config import RetrieverConfig
from tests.evaluation.toy import toy_golden


def test_options_resolve_against_the_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, retrieval={"mode": "hybrid"}, embedding_model="m")
    spec = run_spec(settings, toy_golden(), EvalOptions(ks=(5, 10, 5), seed=3))
    assert (spec.golden, spec.golden_version, spec.mode, spec.ks) == (
        "toy-golden",
        "1",
        "hybrid",
        (5, 10),
    )
    assert spec.filters == Filters(dataset="toy", clearance="restricted")
    assert spec.retrieval is settings.retrieval and spec.embedding_model == "m"
    assert (spec.seed, spec.bootstrap_samples) == (3, settings.evaluation.bootstrap_samples)


def test_a_spec_overrides_the_settings_it_records(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    spec = RunSpec(
        golden="g",
        golden_version="1",
        retrieval=RetrieverConfig(rrf_k=5),
        embedding_model="other/model",
        gazetteer="gaz.ttl",
    )
    out = settings_for_rerun(settings, spec)
    assert out.retrieval.rrf_k == 5 and out.embedding_model == "other/model"
    assert out.gazetteer == Path("gaz.ttl")
    assert out.ner_model == settings.ner_model  # not recorded: kept


def test_the_entity_extractor_is_recorded_and_rerun(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_extractor="noun_chunks", ner_labels=["ORG"])
    spec = run_spec(settings, toy_golden(), EvalOptions())
    assert (spec.ner_extractor, spec.ner_labels) == ("noun_chunks", ("ORG",))
    again = RunSpec.from_dict(spec.to_dict())
    out = settings_for_rerun(load_settings(tmp_path / "other"), again)
    assert (out.ner_extractor, tuple(out.ner_labels)) == ("noun_chunks", ("ORG",))
