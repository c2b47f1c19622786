"""current_sample: a sample's current revision, or NotFoundError."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import NotFoundError
from provrag.services.deleting import DeleteSelector, delete
from provrag.services.ingesting import IngestOptions, ingest
from provrag.services.samples import current_sample
from provrag.services.session import Session
from provrag.settings import load_settings
from tests.provrag.server.conftest import write_records


def test_a_deleted_sample_has_no_current_revision(tmp_path: Path) -> None:
    with Session.open(load_settings(tmp_path / "home", ner=False)) as session:
        ingest(
            session, [write_records(tmp_path / "kb.jsonl")], IngestOptions(ner=False, index=False)
        )
        assert current_sample(session.kg, "p2").text.startswith("Savings")
        delete(session, DeleteSelector(ids=["p2"]), reason="test", index=False)
        with pytest.raises(NotFoundError, match="no current revision"):
            current_sample(session.kg, "p2")
        with pytest.raises(NotFoundError):
            current_sample(session.kg, "never-was")
