"""The crash-recovery test's kill switch: die like ``kill -9`` after the N-th chunk.

When the environment variable ``PROVRAG_TEST_CRASH_AFTER_CHUNKS=N`` is set, the
ingest process kills itself with SIGKILL right after its N-th chunk is in the
store (``tests/ingest/test_crash_recovery.py`` runs the CLI with it, so the crash
does not depend on timing). Never set it otherwise: unset, :func:`crash_hook_from_env`
returns None and the ingest loop does not even check it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: the environment variable that arms the hook (a number of chunks)
CRASH_ENV = "PROVRAG_TEST_CRASH_AFTER_CHUNKS"


@dataclass(frozen=True)
class CrashHook:
    """SIGKILL this process once ``after_chunks`` chunks are written."""

    after_chunks: int

    def check(self, chunks_written: int, settle: Callable[[], None]) -> None:
        """Die when ``chunks_written`` reached the limit, after ``settle()`` (writes done)."""
        if chunks_written >= self.after_chunks:
            settle()
            os.kill(os.getpid(), signal.SIGKILL)


def crash_hook_from_env(environ: Mapping[str, str] = os.environ) -> CrashHook | None:
    """The hook armed by :data:`CRASH_ENV`, or None (unset, empty or 0)."""
    after = int(environ.get(CRASH_ENV, "0") or 0)
    return CrashHook(after) if after else None
