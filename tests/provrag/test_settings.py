"""Settings that cannot be read or are not valid: a SettingsError naming where and what."""

from __future__ import annotations

from pathlib import Path

import pytest

from provrag.errors import SettingsError
from provrag.settings import load_settings


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
