"""The guards of tests/conftest.py: tools that CI installs, and the ``model`` marker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import on_ci, require_tool

REPO = Path(__file__).resolve().parents[1]
MISSING = ("/nonexistent/provrag-no-such-tool", "provrag-no-such-tool")


def test_a_missing_tool_skips_off_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install it"):
        require_tool("Thing", MISSING, "apt-get install it")


def test_a_missing_tool_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_tool("Thing", MISSING, "apt-get install it")


def test_a_present_tool_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_tool("Python", (sys.executable,), "-") == sys.executable


INNER_TESTS = """
import pytest

import retrieval.embedder as embedder

CACHED = ("inner-test-model-source", "cpu")


def _load() -> None:
    # the cache answers, so nothing is really loaded, but it is a load all the same
    embedder._LOADED[CACHED] = object()
    embedder._load_model(CACHED[0], "inner-test-model", "cpu")


def test_unmarked_load() -> None:
    _load()


@pytest.mark.model
def test_marked_load() -> None:
    _load()


def test_unmarked_without_model() -> None:
    pass


@pytest.fixture(scope="module")
def loaded() -> str:
    _load()
    return "model"


def test_unmarked_first_user_of_a_loading_fixture(loaded: str) -> None:
    pass


def test_unmarked_second_user_of_a_loading_fixture(loaded: str) -> None:
    pass


@pytest.mark.model
def test_marked_user_of_a_loading_fixture(loaded: str) -> None:
    pass


def test_unmarked_after_them() -> None:
    pass
"""


def test_an_unmarked_test_that_loads_a_model_fails(tmp_path: Path) -> None:
    """An inner pytest run with this conftest: only the unmarked loading test errs."""
    inner = tmp_path / "inner"
    inner.mkdir()
    shutil.copy(REPO / "tests" / "conftest.py", inner / "conftest.py")
    (inner / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    (inner / "pytest.ini").write_text("[pytest]\nmarkers =\n    model: loads a model\n")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         str(inner)],
        cwd=inner, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    out = result.stdout + result.stderr
    summary = out.split("short test summary")[-1]
    # a direct load is seen when the test is over: its teardown errs
    assert "test_unmarked_load loads the sentence-transformers model 'inner-test-model'" in out
    # every user of a fixture that loaded a model errs at setup, not only the first
    assert "first_user_of_a_loading_fixture uses the fixture(s) loaded" in out
    assert "second_user_of_a_loading_fixture uses the fixture(s) loaded" in out
    assert "5 passed, 3 errors" in summary, out
    for innocent in ("test_marked_load", "without_model", "test_marked_user", "after_them"):
        assert innocent not in summary, out


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("1", True), ("", False), ("false", False)]
)
def test_ci_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("CI", value)
    assert on_ci() is expected
