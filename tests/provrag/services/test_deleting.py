"""Delete as a service: a selector, the report and its JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import SelectorError
from provrag.exit_codes import ExitCode
from provrag.services.deleting import DeleteSelector, delete
from provrag.services.ingesting import IngestOptions, ingest
from provrag.services.session import Session
from provrag.settings import load_settings
from tests.ingest.ingest_helpers import current_samples, real, write_jsonl


def test_a_selector_invalidates_and_nothing_matched_is_an_error_code(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "kb.jsonl", [real(1), real(2)])
    options = IngestOptions(dataset="kb", version="1", ner=False, index=False)
    with Session.open(load_settings(tmp_path / "home", store="memory")) as session:
        ingest(session, [path], options)
        done = delete(session, DeleteSelector(ids=["kb-0001"], dataset="kb"), index=False)
        assert (done.report.invalidated, done.exit_code) == (1, ExitCode.OK)
        assert done.to_dict()["index"] is None
        assert set(current_samples(session.kg)) == {"kb-0002"}
        again = delete(session, DeleteSelector(ids=["kb-0001"], dataset="kb"), index=False)
        assert (again.report.invalidated, again.exit_code) == (0, ExitCode.ERROR)
        with pytest.raises(SelectorError):
            delete(session, DeleteSelector(), index=False)
