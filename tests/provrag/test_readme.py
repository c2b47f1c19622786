"""The README's contracts: two quick-start commands, and its SPARQL matches the code/docs."""

from __future__ import annotations

import re
from pathlib import Path

from kg.queries import PROVENANCE_QUERY

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


def _code_lines(query: str) -> list[str]:
    return [
        line.rstrip()
        for line in query.splitlines()
        if line.strip() and not line.lstrip().startswith("# ") or "VALUES" in line
    ]


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    commands = [line for line in _blocks(section, "bash")[0].splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("provrag quickstart")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in ci and "sed -n 2p" in ci


def test_readme_provenance_query_is_the_one_in_code() -> None:
    assert any(_code_lines(b) == _code_lines(PROVENANCE_QUERY) for b in _blocks(README, "sparql"))


def test_readme_runs_query_is_the_documented_one() -> None:
    docs = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    runs = [b for b in _blocks(docs, "sparql") if "pr:EvaluationRun" in b]
    assert runs and runs[0] in _blocks(README, "sparql")
