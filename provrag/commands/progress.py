"""Progress bars on stderr for long commands (rich; hidden when quiet or not a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from provrag.commands.common import err_console

if TYPE_CHECKING:
    from rich.progress import Progress


def _bar(quiet: bool) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )


@contextmanager
def counted(description: str, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar fed by ``progress(done, total)`` calls (the callbacks of indexing and
    evaluation); the task appears with the first call whose total is positive."""
    with _bar(quiet) as bar:
        task: list[Any] = []

        def progress(done: int, total: int) -> None:
            if total <= 0:
                return
            if not task:
                task.append(bar.add_task(description, total=total))
            bar.update(task[0], completed=done, total=total)

        yield progress


class RecordProgress:
    """Adapter from :class:`ingest.pipeline.ProgressCallback` to a bar of records."""

    def __init__(self, description: str, *, quiet: bool) -> None:
        self._bar = _bar(quiet)
        self._task = self._bar.add_task(description, total=None)

    def total(self, n: int | None) -> None:
        self._bar.update(self._task, total=n)

    def advance(self, records: int) -> None:
        self._bar.advance(self._task, records)

    def __enter__(self) -> RecordProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
