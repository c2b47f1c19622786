"""The README's Python API example runs as written, on the bundled example data, in a
temporary home (the only change made to it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
HOME = '".provrag-notebook"'


def example() -> str:
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the Python API section has one example"
    return blocks[0]


def test_the_example_is_short_and_opens_a_home() -> None:
    code = [line for line in example().splitlines() if line.strip()]
    assert code[0] == "import provrag" and len(code) <= 6
    assert HOME in example()


@pytest.mark.model
@pytest.mark.slow
def test_the_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the example's paths are relative to a checkout
    code = example().replace(HOME, repr(str(tmp_path / "home")))
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    hits, run = scope["hits"], scope["run"]
    assert 0 < len(hits) <= 5 and set(hits["origin"]) == {"real"}  # type: ignore[call-overload, index]
    assert len(run.per_query) == 48 and not run.slices.empty  # type: ignore[attr-defined]
    assert (tmp_path / "home" / "runs" / str(run.run_id)).is_dir()  # type: ignore[attr-defined]
