"""The exit codes of every ``provrag`` command (documented in the README and ``provrag --help``).

A CI job tells them apart: 2 means a check ran and said no (a KPI gate missed,
``index --check`` out of step, ``validate`` found the graph non-conforming),
which is not the same as an error (1) nor as a mistyped command line (64, as
in BSD's sysexits ``EX_USAGE``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the CLI; never use a bare number instead."""

    OK = 0
    ERROR = 1
    CHECK_FAILED = 2
    INGEST_PARTIAL = 3
    USAGE = 64


#: one line per code, for ``provrag --help`` (the README says the same at more length)
MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.ERROR: "error (unreadable input, store error, bad data; the message says which)",
    ExitCode.CHECK_FAILED: (
        "a check said no: a KPI gate missed (eval), index out of step (index --check), "
        "graph not conforming (validate), a re-run that differs (eval rerun), a release "
        "refused (name taken, gate failed without --override, promoting an unapproved one)"
    ),
    ExitCode.INGEST_PARTIAL: "ingest finished but some records were quarantined or skipped",
    ExitCode.USAGE: "usage error: a mistyped command, option or value (see --help)",
}


def epilog() -> str:
    """The exit-code table as ``provrag --help`` shows it."""
    rows = "\n\n".join(f"{int(code)} {code.name}: {MEANINGS[code]}" for code in ExitCode)
    return f"Exit codes:\n\n{rows}"
