"""Settings: the [retrieval] section is the retriever's config, from TOML and environment;
settings that cannot be read or are not valid raise a SettingsError naming where and what."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from provrag.errors import SettingsError
from provrag.settings import load_settings
from retrieval.config import RetrieverConfig


def test_the_toml_retrieval_section_loads_into_the_retriever_config(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text(
        '[retrieval]\nfusion = "weighted"\nmode = "hybrid"\nweights = { dense = 2.0 }\n',
        encoding="utf-8",
    )
    retrieval = load_settings(tmp_path).retrieval
    assert isinstance(retrieval, RetrieverConfig)
    assert (retrieval.fusion, retrieval.mode, retrieval.weights) == (
        "weighted",
        "hybrid",
        {"dense": 2.0},
    )


def test_environment_variables_reach_the_retriever_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVRAG_RETRIEVAL__RRF_K", "7")
    monkeypatch.setenv("PROVRAG_RETRIEVAL__DEFAULT_CLEARANCE", "public")
    retrieval = load_settings(tmp_path).retrieval
    assert (retrieval.rrf_k, retrieval.default_clearance) == (7, "public")


def test_a_value_outside_a_policy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text('[retrieval]\ngraph_role = "vote"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"retrieval\.graph_role: .*\(got 'vote'\)"):
        load_settings(tmp_path)


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text("store = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="provrag.toml cannot be read as TOML"):
        load_settings(tmp_path)


def test_a_bad_value_in_the_file_is_shown(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text('[retrieval]\nrrf_k = "many"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"retrieval\.rrf_k: .*\(got 'many'\)"):
        load_settings(tmp_path)


def test_a_bad_environment_variable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVRAG_RETRIEVAL__RRF_K", "abc")
    with pytest.raises(SettingsError, match=r"PROVRAG_RETRIEVAL__RRF_K: .*\(got 'abc'\)"):
        load_settings(tmp_path)


# ------------------------------------------------------------------ entities


def test_entity_defaults_keep_names_and_leave_numbers_and_dates_out(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.ner_extractor == "ner"
    assert set(settings.ner_labels) == {
        "ORG", "PERSON", "GPE", "LOC", "PRODUCT", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART"
    }  # fmt: skip
    assert not {"DATE", "CARDINAL", "MONEY", "PERCENT"} & set(settings.ner_labels)


def test_entity_types_and_extractor_are_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text(
        'ner_extractor = "noun_chunks"\nner_labels = ["org", "Person", "ORG"]\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path)
    assert settings.ner_extractor == "noun_chunks"
    assert settings.ner_labels == ("ORG", "PERSON")


@pytest.mark.parametrize(
    ("line", "where"),
    [('ner_extractor = "regex"', "ner_extractor"), ('ner_labels = ["ORG", "a b"]', "ner_labels")],
)
def test_a_bad_entity_setting_is_named(tmp_path: Path, line: str, where: str) -> None:
    (tmp_path / "provrag.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=where):
        load_settings(tmp_path)


def test_retention_periods_load_from_the_toml_section(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text(
        '[retention]\n"support-kb" = "365d"\nlogs = "12h"\n', encoding="utf-8"
    )
    periods = load_settings(tmp_path).retention_periods()
    assert periods == {
        "support-kb": ("365d", timedelta(days=365)),
        "logs": ("12h", timedelta(hours=12)),
    }


def test_a_retention_period_without_a_unit_is_a_settings_error(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text('[retention]\nkb = "365"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="kb.*'365'.*unit"):
        load_settings(tmp_path)


def test_the_server_section_sets_the_sparql_limits(tmp_path: Path) -> None:
    (tmp_path / "provrag.toml").write_text(
        "[server]\nsparql_timeout_s = 2.5\nsparql_max_rows = 10\n", encoding="utf-8"
    )
    server = load_settings(tmp_path).server
    assert (server.sparql_timeout_s, server.sparql_max_rows, server.jobs_kept) == (2.5, 10, 100)
    (tmp_path / "provrag.toml").write_text("[server]\nsparql_max_rows = 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="sparql_max_rows"):
        load_settings(tmp_path)
