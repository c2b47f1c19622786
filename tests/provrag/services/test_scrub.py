"""Scrubbing erased text out of the files of a home, by kind of file."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import pyoxigraph as ox

from provrag.services.scrub import encodings, scrub_home

SECRET = "Philippa Quillfeather closed account 99-1234-5678 in Dunmore."
OTHER = "Savings accounts pay 3% interest a year."


def test_encodings_cover_json_and_html_escapes() -> None:
    forms = encodings(['say "café" & go'])
    assert (
        b'say \\"caf\\u00e9\\" & go' in forms and b"say &quot;caf\xc3\xa9&quot; &amp; go" in forms
    )


def test_jsonl_lines_holding_it_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_text(
        json.dumps({"text": SECRET}) + "\n" + json.dumps({"text": OTHER}) + "\n"
    )
    report = scrub_home(tmp_path, [SECRET])
    assert report.rewritten == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_text() == json.dumps({"text": OTHER}) + "\n"


def test_other_text_files_have_it_replaced(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps({"answer": f"{OTHER} {SECRET}"}))
    scrub_home(tmp_path, [SECRET])
    assert json.loads((tmp_path / "report.json").read_text()) == {"answer": f"{OTHER} [erased]"}


def test_rdf_files_lose_the_statements_and_still_parse(tmp_path: Path) -> None:
    ex = "http://example.org/"
    entity = f"{ex}entity/philippa%20quillfeather"
    triples = [
        ox.Triple(ox.NamedNode(f"{ex}s1"), ox.NamedNode(f"{ex}text"), ox.Literal(SECRET)),
        ox.Triple(ox.NamedNode(f"{ex}s1"), ox.NamedNode(f"{ex}mentions"), ox.NamedNode(entity)),
        ox.Triple(ox.NamedNode(f"{ex}s2"), ox.NamedNode(f"{ex}text"), ox.Literal(OTHER)),
    ]
    (tmp_path / "export.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    scrub_home(tmp_path, [SECRET, entity])  # the erasure passes removed entities by IRI
    kept = list(ox.parse(path=str(tmp_path / "export.ttl"), format=ox.RdfFormat.TURTLE))
    assert [t.object.value for t in kept] == [OTHER]


def test_sqlite_rows_are_deleted_and_the_file_vacuumed(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    db.execute("CREATE TABLE t (k TEXT, v TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [("a", SECRET * 50), ("b", OTHER)])
    db.commit()
    db.close()
    report = scrub_home(tmp_path, [SECRET])
    assert report.vacuumed == ["cache.sqlite"]
    assert b"Quillfeather" not in (tmp_path / "cache.sqlite").read_bytes()
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    assert db.execute("SELECT k FROM t").fetchall() == [("b",)]
    db.close()


def test_binary_files_that_hold_it_are_removed_and_listed(tmp_path: Path) -> None:
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "bm25.pkl").write_bytes(pickle.dumps([SECRET]))
    (tmp_path / "rel" / "other.pkl").write_bytes(pickle.dumps([OTHER]))
    report = scrub_home(tmp_path, [SECRET])
    assert report.removed == ["rel/bm25.pkl"] and (tmp_path / "rel" / "other.pkl").exists()


def test_skipped_directories_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "000001.log").write_text(SECRET)
    report = scrub_home(tmp_path, [SECRET], skip=[tmp_path / "store"])
    assert report.scanned == 0 and (tmp_path / "store" / "000001.log").read_text() == SECRET


def test_quarantine_lines_of_an_erased_id_go_whatever_their_text(tmp_path: Path) -> None:
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    lines = [
        {"field": "origin", "record": json.dumps({"id": "kb-1", "text": "typo", "dataset": "kb"})},
        {"field": "origin", "record": json.dumps({"id": "kb-2", "text": "keep"})},
    ]
    (quarantine / "b.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    scrub_home(tmp_path, [], quarantine_dir=quarantine, erased_ids=[("kb", "kb-1")])
    assert (quarantine / "b.jsonl").read_text() == json.dumps(lines[1]) + "\n"
