"""Reports of an ingest and of a delete, as plain data (the CLI renders them).

Exit codes (also the CLI's): 0 every record went in or was already there;
3 some records were quarantined or skipped; 1 failure (raised as an
:class:`ingest.errors.IngestError`, so no report exists then).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, computed_field

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_PARTIAL = 3


class FileSummary(BaseModel):
    path: str
    sha256: str
    size: int


class NerSummary(BaseModel):
    model: str
    version: str
    fallback: bool


class IngestReport(BaseModel):
    """What one ``ingest_files`` call did."""

    read: int = 0
    valid: int = 0
    new: int = 0
    unchanged: int = 0
    revised: int = 0
    quarantined: int = 0
    skipped: int = 0
    triples_added: int = 0
    seconds: float = 0.0
    #: IRI of the batch (its named graph); None when nothing had to be written
    batch: str | None = None
    #: the batch id the run had (also when nothing was written: it names the quarantine file)
    batch_id: str = ""
    quarantine_file: str | None = None
    files: list[FileSummary] = Field(default_factory=list)
    #: the first bad records: {file, line, field, message}
    invalid: list[dict[str, Any]] = Field(default_factory=list)
    dataset: str | None = None
    version: str | None = None
    ner: NerSummary | None = None
    #: unchanged samples that joined a new dataset version
    memberships_added: int = 0
    #: things worth knowing that are not errors (e.g. content matching a deleted sample)
    warnings: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exit_code(self) -> int:
        """0 when every record went in (or was unchanged), 3 when some were left out."""
        return EXIT_PARTIAL if self.quarantined or self.skipped else EXIT_OK

    @property
    def nothing_written(self) -> bool:
        return self.batch is None


class DeleteReport(BaseModel):
    """What one ``invalidate`` call did."""

    matched: int = 0
    invalidated: int = 0
    #: IRI of the deletion activity (its named graph); None when nothing matched
    deletion: str | None = None
    selector: dict[str, Any] = Field(default_factory=dict)
    reason: str | None = None
    #: external ids of the first samples invalidated
    samples: list[str] = Field(default_factory=list)
    triples_added: int = 0
    seconds: float = 0.0
    #: samples invalidated because they were derived from the selected ones (``cascade``)
    cascaded: int = 0
    #: external ids of the first of those
    cascaded_samples: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.invalidated else EXIT_FAILURE
