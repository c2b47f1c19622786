"""The crash-recovery test's kill switch: armed only by its environment variable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from ingest.crash_hook import CRASH_ENV, CrashHook, crash_hook_from_env


def test_unset_empty_or_zero_is_no_hook() -> None:
    assert crash_hook_from_env({}) is None
    assert crash_hook_from_env({CRASH_ENV: ""}) is None
    assert crash_hook_from_env({CRASH_ENV: "0"}) is None
    assert crash_hook_from_env({CRASH_ENV: "3"}) == CrashHook(3)


def test_below_the_limit_nothing_happens() -> None:
    settled: list[int] = []
    CrashHook(3).check(2, lambda: settled.append(1))
    assert settled == []


def test_at_the_limit_the_process_settles_then_dies_like_kill_9() -> None:
    code = (
        "from ingest.crash_hook import CrashHook\n"
        "CrashHook(2).check(2, lambda: print('settled', flush=True))\n"
        "print('still alive')\n"
    )
    repo = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == -signal.SIGKILL
    assert done.stdout == "settled\n"
