"""Ingest as a service: options, the report and its JSON, DataFrames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from provrag.errors import ServiceError
from provrag.exit_codes import ExitCode
from provrag.services.ingesting import IngestOptions, ingest, ingest_frame
from provrag.services.session import Session
from provrag.settings import load_settings
from tests.ingest.ingest_helpers import current_samples, real, record, write_jsonl

NO_INDEX = IngestOptions(dataset="kb", version="1", ner=False, index=False)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session.open(load_settings(tmp_path / "home", store="memory")) as s:
        yield s


def test_files_go_in_and_the_json_has_the_cli_keys(session: Session, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "kb.jsonl", [record(1), real(2)])
    outcome = ingest(session, [path], NO_INDEX)
    assert (outcome.report.new, outcome.exit_code) == (2, ExitCode.OK)
    payload = outcome.to_dict()
    assert payload["new"] == 2 and payload["exit_code"] == 0
    assert (payload["index"], payload["embedded"]) == (None, None)  # not indexed
    assert set(current_samples(session.kg)) == {"kb-0001", "kb-0002"}


def test_a_dataframe_is_ingested_with_the_same_validation(session: Session) -> None:
    frame = pd.DataFrame(
        [
            record(1),
            real(2),
            real(3, origin="alien"),  # invalid: quarantined, located by its row
            {"id": "kb-0004", "text": "Dotted columns work too.", "origin": "real"},
        ]
    )
    frame["metadata.team"] = ["a", None, None, "b"]
    outcome = ingest_frame(session, frame, NO_INDEX, name="frame")
    report = outcome.report
    assert (report.new, report.quarantined, outcome.exit_code) == (
        3,
        1,
        ExitCode.INGEST_PARTIAL,
    )
    assert report.invalid[0]["line"] == 3 and report.invalid[0]["field"] == "origin"
    assert report.files[0].path.endswith("frame.parquet")
    assert set(current_samples(session.kg)) == {"kb-0001", "kb-0002", "kb-0004"}


def test_a_frame_that_is_not_parquet_able_says_so(session: Session) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "origin": ["real", "real"]})
    frame["metadata"] = [{"n": 1}, "text"]  # a dict and a string in one column
    with pytest.raises(ServiceError, match="one type"):
        ingest_frame(session, frame, NO_INDEX)
