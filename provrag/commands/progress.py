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


def _counter(bar: Progress, description: str) -> Callable[[int, int], None]:
    """``progress(done, total)`` of a task of ``bar`` added with the first positive total."""
    task: list[Any] = []

    def progress(done: int, total: int) -> None:
        if total <= 0:
            return
        if not task:
            task.append(bar.add_task(description, total=total))
        bar.update(task[0], completed=done, total=total)

    return progress


@contextmanager
def counted(description: str, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar fed by ``progress(done, total)`` calls (the callbacks of indexing and
    evaluation); the task appears with the first call whose total is positive."""
    with _bar(quiet) as bar:
        yield _counter(bar, description)


class _RecordTask:
    """:class:`ingest.pipeline.ProgressCallback` on one task of a bar: records read."""

    def __init__(self, bar: Progress, description: str) -> None:
        self._bar = bar
        self._task = bar.add_task(description, total=None)

    def total(self, n: int | None) -> None:
        self._bar.update(self._task, total=n)

    def advance(self, records: int) -> None:
        self._bar.advance(self._task, records)


class RecordProgress(_RecordTask):
    """Adapter from :class:`ingest.pipeline.ProgressCallback` to a bar of records."""

    def __init__(self, description: str, *, quiet: bool) -> None:
        super().__init__(_bar(quiet), description)

    def __enter__(self) -> RecordProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


class Stages:
    """The steps of one long command as tasks of one bar (rich shows one live display
    at a time): records read (:meth:`records`) and counted steps (:meth:`counted`)."""

    def __init__(self, bar: Progress) -> None:
        self._bar = bar

    def records(self, description: str) -> _RecordTask:
        return _RecordTask(self._bar, description)

    def counted(self, description: str) -> Callable[[int, int], None]:
        return _counter(self._bar, description)


@contextmanager
def stages(*, quiet: bool) -> Iterator[Stages]:
    """One bar for several steps (e.g. ingest, embed, evaluate of ``eval --beir``)."""
    with _bar(quiet) as bar:
        yield Stages(bar)
