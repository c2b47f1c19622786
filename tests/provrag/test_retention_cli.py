"""``provrag retention apply``: --dry-run and --json; the settings name the periods."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.ingest.ingest_helpers import real, write_jsonl
from tests.provrag.test_ingest_cli import cli, ingest_json


def test_retention_apply_dry_run_then_for_real(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest_json(home, str(write_jsonl(tmp_path / "a.jsonl", [real(1), real(2)])))
    (home / "provrag.toml").write_text('[retention]\n"support-kb" = "1s"\n', encoding="utf-8")

    time.sleep(1.1)  # past the period
    code, out, _ = cli(home, "retention", "apply", "--dry-run", "--json")
    dry = json.loads(out)
    assert (code, dry["dry_run"], dry["expired"]) == (0, True, 2)
    code, out, _ = cli(home, "retention", "apply", "--json", "--no-index")
    done = json.loads(out)
    assert (code, done["expired"], done["datasets"][0]["samples"]) == (0, 2, ["kb-0001", "kb-0002"])
    code, out, _ = cli(home, "retention", "apply", "--json", "--no-index")
    assert json.loads(out)["expired"] == 0  # nothing current is left to expire


def test_retention_apply_without_periods_says_how_to_set_them(tmp_path: Path) -> None:
    code, out, _ = cli(tmp_path / "home", "retention", "apply")
    assert code == 0 and "[retention]" in out
