"""Scrub erased text out of every file under the project home (``provrag erase``).

The known copies (graph, indexes, embedding cache) are handled by their owners;
this pass catches every other one, whatever wrote it: quarantine files, exports,
evaluation runs and reports, release indexes. Each file is searched for every
erased string in the encodings files use (raw UTF-8, JSON-escaped with and
without ``\\uXXXX``, JSON inside JSON, HTML/XML-escaped). A file that holds one is

- a SQLite database: rows holding it are deleted, then the file is vacuumed;
- an RDF file (N-Quads, N-Triples, Turtle, TriG, RDF/XML, JSON-LD): parsed, and
  written again without the statements that hold it in a literal or in an IRI
  (percent-decoded), so that it still parses;
- another line-oriented text file (JSONL, N-Quads, N-Triples, CSV, TSV, logs, run files):
  the lines holding it are dropped (one record each);
- any other text file (JSON, Turtle, TriG, HTML, Markdown, GraphML...): each
  occurrence is replaced with ``[erased]``;
- anything else (a binary index, a pickle, Parquet): deleted, and listed in the
  report so that whoever owns it rebuilds it.

Rewrites are atomic (a temporary file, then a rename). Quarantine files also lose
the lines whose record has an erased id, whatever its text.
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: suffixes of text files made of one record per line
LINE_SUFFIXES = frozenset(
    {".jsonl", ".ndjson", ".nq", ".nt", ".csv", ".tsv", ".txt", ".log", ".run", ".trec"}
)
#: suffixes of RDF files -> pyoxigraph format name
RDF_SUFFIXES = {
    ".nq": "N_QUADS",
    ".nt": "N_TRIPLES",
    ".ttl": "TURTLE",
    ".trig": "TRIG",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".jsonld": "JSON_LD",
}
ERASED = b"[erased]"
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class ScrubReport:
    """Files (relative to the home) the scrub looked at and what it did to them."""

    scanned: int = 0
    rewritten: list[str] = field(default_factory=list)
    vacuumed: list[str] = field(default_factory=list)
    #: files that held erased text and could not be rewritten: deleted
    removed: list[str] = field(default_factory=list)


def encodings(needles: Iterable[str]) -> list[bytes]:
    """Each needle as files may hold it, longest first."""
    out: set[bytes] = set()
    for needle in needles:
        if not needle:
            continue
        forms = {
            needle,
            json.dumps(needle)[1:-1],
            json.dumps(needle, ensure_ascii=False)[1:-1],
            json.dumps(json.dumps(needle)[1:-1])[1:-1],
            json.dumps(json.dumps(needle, ensure_ascii=False)[1:-1], ensure_ascii=False)[1:-1],
            html.escape(needle, quote=False),
            html.escape(needle, quote=True),
        }
        out.update(f.encode("utf-8") for f in forms if f)
    return sorted(out, key=len, reverse=True)


def scrub_home(
    home: Path,
    needles: Sequence[str],
    *,
    skip: Sequence[Path] = (),
    quarantine_dir: Path | None = None,
    erased_ids: Iterable[tuple[str, str]] = (),
) -> ScrubReport:
    """Remove ``needles`` from every file under ``home`` but those under ``skip``;
    drop quarantine lines of the ``(dataset, external id)`` pairs ``erased_ids``."""
    report = ScrubReport()
    encoded = encodings(needles)
    skipped = [p.resolve() for p in skip]
    ids = set(erased_ids)
    for path in sorted(_files(home, skipped)):
        report.scanned += 1
        name = str(path.relative_to(home))
        in_quarantine = quarantine_dir is not None and path.is_relative_to(quarantine_dir)
        if in_quarantine and ids and _drop_quarantined(path, ids):
            report.rewritten.append(name)
        if not encoded:
            continue
        data = path.read_bytes()
        if not any(e in data for e in encoded):
            continue
        if data.startswith(_SQLITE_MAGIC) and _scrub_sqlite(path, needles):
            if not any(e in path.read_bytes() for e in encoded):
                report.vacuumed.append(name)
                continue
        elif _is_text(data):
            rdf = _scrubbed_rdf(path, needles)
            text = rdf if rdf is not None else _scrubbed_text(data, encoded, path.suffix.lower())
            _write_atomic(path, text)
            if not any(e in text for e in encoded):
                report.rewritten.append(name)
                continue
        path.unlink()
        report.removed.append(name)
    return report


def _files(home: Path, skipped: list[Path]) -> Iterable[Path]:
    for root, dirs, files in os.walk(home):
        here = Path(root).resolve()
        dirs[:] = [d for d in dirs if (here / d) not in skipped]
        for f in files:
            path = Path(root) / f
            if path.is_file() and not path.is_symlink():
                yield path


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def _scrubbed_text(data: bytes, encoded: list[bytes], suffix: str) -> bytes:
    if suffix in LINE_SUFFIXES:
        lines = data.splitlines(keepends=True)
        return b"".join(line for line in lines if not any(e in line for e in encoded))
    for e in encoded:
        data = data.replace(e, ERASED)
    return data


def _scrubbed_rdf(path: Path, needles: Sequence[str]) -> bytes | None:
    """The RDF file without the statements holding a needle; None when it is not RDF
    we know or does not parse (then it is treated as text)."""
    name = RDF_SUFFIXES.get(path.suffix.lower())
    if name is None:
        return None
    from urllib.parse import unquote

    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, name)

    def holds(term: object) -> bool:
        values: tuple[str, ...]
        if isinstance(term, ox.NamedNode):
            values = (term.value, unquote(term.value))
        elif isinstance(term, ox.Literal):
            values = (term.value,)
        else:
            return False
        return any(n in v for n in needles for v in values)

    try:
        statements = list(ox.parse(path=str(path), format=fmt))
    except (SyntaxError, OSError, ValueError):
        return None
    kept = [
        q
        for q in statements
        if not (holds(q.subject) or holds(q.predicate) or holds(q.object) or holds(q.graph_name))
    ]
    if not fmt.supports_datasets:
        kept = [ox.Triple(q.subject, q.predicate, q.object) for q in kept]  # type: ignore[misc]
    out = ox.serialize(kept, format=fmt)
    return out if isinstance(out, bytes) else b""


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".scrub-tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _scrub_sqlite(path: Path, needles: Sequence[str]) -> bool:
    """Delete the rows of any table with a text column holding a needle; vacuum.
    False when the file cannot be opened as a database."""
    try:
        db = sqlite3.connect(str(path))
        try:
            tables = [
                r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            with db:
                for table in tables:
                    columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
                    for column in columns:
                        where = f'instr(CAST("{column}" AS TEXT), ?) > 0'
                        for needle in needles:
                            db.execute(f'DELETE FROM "{table}" WHERE {where}', (needle,))
            db.execute("VACUUM")
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return True


def _drop_quarantined(path: Path, ids: set[tuple[str, str]]) -> bool:
    """Drop the quarantine lines whose record has an erased (dataset, id); True if any."""
    try:
        lines = path.read_bytes().splitlines(keepends=True)
    except OSError:
        return False
    kept = [line for line in lines if not _is_erased_record(line, ids)]
    if len(kept) == len(lines):
        return False
    _write_atomic(path, b"".join(kept))
    return True


def _is_erased_record(line: bytes, ids: set[tuple[str, str]]) -> bool:
    try:
        entry = json.loads(line)
        record = json.loads(entry["record"]) if isinstance(entry, dict) else None
    except (ValueError, KeyError, TypeError):
        return False
    if not isinstance(record, dict) or "id" not in record:
        return False
    rid = str(record["id"])
    dataset = record.get("dataset")
    return any(rid == i and (dataset is None or dataset == d) for d, i in ids)
