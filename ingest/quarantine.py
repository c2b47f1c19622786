"""What happens to records that fail validation: the ``on_invalid`` policy.

- ``fail``: the first bad record aborts the batch (nothing is written);
- ``skip``: bad records are counted and left out;
- ``quarantine`` (default): bad records are left out and each is written, as one
  JSON line, to ``<home>/quarantine/<batch id>.jsonl``::

      {"file": ..., "line": 7, "field": "origin",
       "message": "origin must be 'real' or 'synthetic', got 'alien'",
       "problems": [{"field": ..., "message": ...}], "record": "<the raw text>"}

  The file is created only when there is something bad to put in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import IO

from ingest.errors import IngestOptionError, InvalidRecordError
from ingest.validate import InvalidRecord
from kg.typing import ON_INVALID, OnInvalid


class Quarantine:
    """Applies the ``on_invalid`` policy to bad records; writes the quarantine file lazily."""

    def __init__(self, policy: OnInvalid, path: Path | None) -> None:
        if policy not in ON_INVALID:
            raise IngestOptionError(
                f"on_invalid must be one of {', '.join(ON_INVALID)}, got {policy!r}"
            )
        if policy == "quarantine" and path is None:
            raise IngestOptionError(
                "on_invalid='quarantine' needs a quarantine file path (got None); "
                "pass one, or use on_invalid='skip'"
            )
        self.policy = policy
        self._path = path
        self._fh: IO[str] | None = None
        self.count = 0

    @property
    def path(self) -> Path | None:
        """The quarantine file, once something was written to it."""
        return self._path if self._fh is not None else None

    def add(self, bad: InvalidRecord) -> None:
        """Handle one bad record; raises :class:`InvalidRecordError` under ``fail``."""
        if self.policy == "fail":
            raise InvalidRecordError(
                f"{bad} (on_invalid=fail: nothing was written; fix the record, or use "
                "--on-invalid quarantine to set bad records aside)",
                file=bad.file,
                line=bad.line,
                field=bad.field,
                raw=bad.raw,
            )
        self.count += 1
        if self.policy == "skip":
            return
        if self._fh is None:
            target = self._path
            if target is None:  # excluded by __init__
                raise IngestOptionError("on_invalid='quarantine' needs a quarantine file path")
            target.parent.mkdir(parents=True, exist_ok=True)
            self._fh = target.open("w", encoding="utf-8")
        entry = {
            "file": bad.file,
            "line": bad.line,
            "field": bad.field,
            "message": bad.message,
            "problems": [{"field": f, "message": m} for f, m in bad.problems],
            "record": bad.raw,
        }
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
