"""Named retriever profiles: ``[retrieval]`` settings fragments under ``<home>/profiles/``.

``provrag tune`` writes ``<home>/profiles/<name>.toml``::

    # written by provrag tune (tuning run 20261130T170000Z-1a2b3c) ...
    [retrieval]
    rrf_k = 60
    ppr_damping = 0.5

    [retrieval.weights]
    dense = 1.0
    lexical = 0.25
    graph = 1.0

and ``provrag eval --profile NAME`` (:func:`apply_profile`) lays it over the
settings' ``[retrieval]`` section, key by key. Only ``[retrieval]`` may appear.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from provrag.errors import SettingsError, UsageError
from provrag.settings import Settings
from retrieval.config import RetrieverConfig

PROFILES_DIR = "profiles"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def profile_path(settings: Settings, name: str) -> Path:
    """``<home>/profiles/<name>.toml``; raises :class:`UsageError` for a name that is not
    letters, digits, ``_``, ``.`` and ``-``."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"profile name {name!r} is not valid; use letters, digits, '_', '.' and '-' "
            "(e.g. tuned-dev)"
        )
    return settings.home / PROFILES_DIR / f"{name}.toml"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise SettingsError(f"a profile value must be a number, text, boolean or list, got {value!r}")


def profile_text(retrieval: Mapping[str, Any], comment: str = "") -> str:
    """The TOML of a profile setting ``retrieval`` (tables such as ``weights`` last)."""
    lines = [f"# {c}" for c in comment.splitlines()]
    lines.append("[retrieval]")
    tables = {k: v for k, v in retrieval.items() if isinstance(v, Mapping)}
    lines += [f"{k} = {_toml_value(v)}" for k, v in retrieval.items() if k not in tables]
    for name, table in tables.items():
        lines += ["", f"[retrieval.{name}]"]
        lines += [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def write_profile(
    settings: Settings, name: str, retrieval: Mapping[str, Any], comment: str = ""
) -> Path:
    """Write the profile ``name`` (replacing one of that name); its path."""
    path = profile_path(settings, name)
    apply_retrieval(settings.retrieval, retrieval, str(path))  # refuse what would not load
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(profile_text(retrieval, comment), encoding="utf-8")
    tmp.replace(path)
    return path


def read_profile(settings: Settings, name: str) -> dict[str, Any]:
    """The ``[retrieval]`` settings of the profile ``name``."""
    path = profile_path(settings, name)
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.toml")) if path.parent.is_dir() else []
        hint = f" (profiles here: {', '.join(known)})" if known else ""
        raise UsageError(
            f"no retriever profile {name!r} at {path}{hint}; write one with "
            f"`provrag tune --golden G --split dev --profile {name}`"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path} cannot be read as TOML ({exc}); fix or remove it") from exc
    extra = sorted(set(data) - {"retrieval"})
    section = data.get("retrieval")
    if extra or not isinstance(section, dict):
        raise SettingsError(
            f"{path}: a profile holds one [retrieval] table and nothing else "
            f"(found {', '.join(extra) or 'no [retrieval] table'})"
        )
    return section


def apply_retrieval(
    base: RetrieverConfig, fragment: Mapping[str, Any], where: str
) -> RetrieverConfig:
    """``base`` with the keys of ``fragment`` (a ``weights`` table replaces the weights
    it names); raises :class:`SettingsError` naming ``where`` for a bad key or value."""
    data = base.model_dump()
    unknown = sorted(set(fragment) - set(RetrieverConfig.model_fields))
    if unknown:
        raise SettingsError(
            f"{where}: unknown [retrieval] settings {', '.join(unknown)}; see "
            "retrieval/config.py for the keys"
        )
    for key, value in fragment.items():
        data[key] = {**data[key], **value} if isinstance(value, Mapping) else value
    try:
        return RetrieverConfig.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise SettingsError(
            f"{where}: retrieval.{'.'.join(map(str, problem['loc']))}: {problem['msg']} "
            f"(got {problem.get('input')!r}); fix the value"
        ) from exc


def apply_profile(settings: Settings, name: str) -> Settings:
    """``settings`` with the profile ``name`` laid over its ``[retrieval]`` section."""
    fragment = read_profile(settings, name)
    config = apply_retrieval(settings.retrieval, fragment, str(profile_path(settings, name)))
    return settings.model_copy(update={"retrieval": config})
