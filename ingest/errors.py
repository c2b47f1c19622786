"""Errors of the ingest layer. Each says what was wrong and how to fix it.

A plain module of exception classes: every error raised by :mod:`ingest` derives
from :class:`IngestError`, itself a :class:`kg.errors.ProvragError`.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import ProvragError


class IngestError(ProvragError):
    """Base class of every error raised by :mod:`ingest`."""


class IngestOptionError(IngestError):
    """An ingest option has a value we do not accept (``on_invalid``, ``chunk_size``, ...)."""


class NerError(IngestError):
    """Named-entity recognition or entity linking failed."""


class NerModelError(NerError):
    """The spaCy pipeline asked for is not installed or could not be loaded."""

    def __init__(self, message: str, *, model: str | None = None) -> None:
        super().__init__(message)
        #: the model name or path that was asked for
        self.model = model


class GazetteerError(IngestError):
    """A SKOS gazetteer file is missing, unreadable or not in the accepted shape."""

    def __init__(
        self, message: str, *, path: Path | None = None, subject: str | None = None
    ) -> None:
        super().__init__(message)
        #: the gazetteer file
        self.path = path
        #: the concept (IRI) or label at fault, when there is one
        self.subject = subject


# --- batch ingest and delete (readers, validate, pipeline, delete) ---------------------


class InputFileError(IngestError):
    """An input path matched no file, is not readable, or has a format we do not read."""

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        super().__init__(message)
        #: the path or glob at fault
        self.path = str(path) if path is not None else None


class ColumnLayoutError(IngestError):
    """The columns of a CSV / Parquet row cannot be put together into one record."""


class InvalidRecordError(IngestError):
    """A record failed validation while ``on_invalid="fail"``: the batch was aborted."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        raw: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        #: dotted location of the bad field (``generation.seed``), or None for the whole record
        self.field = field
        #: the record's raw text
        self.raw = raw


class DuplicateRecordError(IngestError):
    """An id appeared twice in one input while ``on_duplicate="fail"``: the batch was aborted."""

    def __init__(
        self,
        message: str,
        *,
        external_id: str | None = None,
        first: tuple[str, int] | None = None,
        second: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.external_id = external_id
        #: (file, line) of the first and of the repeated occurrence
        self.first = first
        self.second = second


class SelectorError(IngestError):
    """``delete`` was given no selector, or a selector that does not make sense alone."""


class ErasureError(IngestError):
    """``erase`` named a sample that is not in the graph, or was given no reason."""

    def __init__(self, message: str, *, external_id: str, dataset: str) -> None:
        super().__init__(message)
        self.external_id = external_id
        self.dataset = dataset
