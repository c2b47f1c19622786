"""Command registration: a command module that cannot be imported fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from provrag.commands import MODULES, register_all
from provrag.errors import CommandModuleError


def test_a_module_failing_on_import_is_named_with_the_original_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_cmds.py").write_text("import no_such_package_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CommandModuleError) as caught:
        register_all(typer.Typer(), [MODULES[0], "broken_cmds"])
    message = str(caught.value)
    assert "broken_cmds" in message and "no_such_package_xyz" in message
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


def test_a_missing_module_is_not_skipped() -> None:
    with pytest.raises(CommandModuleError, match="provrag.commands.not_written_yet"):
        register_all(typer.Typer(), ["provrag.commands.not_written_yet"])
