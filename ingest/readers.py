"""Stream raw records from JSONL, CSV and Parquet files, one at a time.

Inputs are files, directories (searched recursively for the extensions below)
and globs (``data/**/*.jsonl``). No file is ever read into memory whole: JSONL
and CSV are read line by line, Parquet in row batches (``iter_batches``).

Formats, by extension (``.gz`` allowed after ``.jsonl``/``.ndjson``/``.csv``):

- ``.jsonl`` / ``.ndjson``: one JSON object per line; blank lines are ignored.
  The location of a record is its line number.
- ``.csv``: a header row, then one record per row. The location is the line
  number of the row in the file (the header is line 1).
- ``.parquet`` / ``.pq``: one record per row, nested fields as struct/list
  columns or as dotted columns. The location is the row number (1-based).

Flat files (CSV, and Parquet with dotted columns) spell nested fields as dotted
column names:

- ``generation.prompt_version``, ``generation.params.temperature``,
  ``metadata.product``;
- labels either as one ``labels`` column holding a JSON array
  (``[{"field": "intent", "value": "card_lost", ...}]``) or as
  ``labels.0.field``, ``labels.0.value``, ``labels.1.field``, ... columns;
- the sources of a derived sample either as one ``derived_from`` column holding
  a JSON array (``["kb-0001", "manuals:m-7"]``) or a single id, or as
  ``derived_from.0``, ``derived_from.1``, ... columns;
- a column named ``metadata``, ``generation``, ``generation.params`` or
  ``labels`` may also hold the whole object/array as JSON text.

Cell values: an empty cell means the field is absent. CSV cells are text, with
three exceptions: ``generation.seed`` is read as an integer, ``labels.N.confidence``
as a number, and values under ``generation.params.*`` and ``metadata.*`` are read
as JSON scalars when they parse as one (``0.7``, ``42``, ``true``, ``null``);
write ``"0042"`` (with the JSON quotes) to keep such a value as text. In Parquet,
null values are absent at every level.
"""

from __future__ import annotations

import csv
import glob
import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from ingest.errors import ColumnLayoutError, InputFileError
from kg.typing import FileFormat

#: extension (lower case, without ``.gz``) -> format
EXTENSIONS: dict[str, FileFormat] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_GLOB_CHARS = set("*?[")
_JSON_COLUMNS = {"labels", "metadata", "generation", "generation.params"}
#: nested lists that flat files may spell as ``name.0``, ``name.1``, ... columns
_INDEXED_LISTS = ("labels", "derived_from")
_JSON_SCALAR_PREFIXES = ("generation.params.", "metadata.")

try:  # orjson is much faster when present; the stdlib parser is the fallback
    import orjson

    _fast_loads: Any = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _fast_loads = None


def _loads(data: bytes | str) -> Any:
    """Parse JSON; what orjson refuses (e.g. integers over 64 bits) gets a second try."""
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except ValueError:
            pass
    return json.loads(data)


_JSON_ERRORS: tuple[type[Exception], ...] = (ValueError,)


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a record came from: the file and its line (JSONL, CSV) or row (Parquet)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read: a dict, or the reason it could not be parsed."""

    location: SourceLocation
    data: dict[str, Any] | None
    #: the record's text as it is in the file (JSONL line; CSV/Parquet row as JSON)
    raw: bytes | str
    #: set when ``data`` is None: why the record could not be parsed
    error: str | None = None
    #: the dotted field the parse error is about, when there is one
    error_field: str | None = None

    @property
    def raw_text(self) -> str:
        raw = self.raw
        return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file with its digest (recorded as the batch's source file)."""

    path: Path
    format: FileFormat
    sha256: str
    size: int
    #: an estimate of the number of records, for progress (None when unknown)
    records: int | None


# ------------------------------------------------------------------- paths


def file_format(path: Path) -> FileFormat | None:
    """The format of ``path`` by its extension, or None when we do not read it."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
        if suffixes and EXTENSIONS.get(suffixes[-1]) == "parquet":
            return None
    return EXTENSIONS.get(suffixes[-1]) if suffixes else None


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files for ``paths``: files as given, directories recursively, globs expanded.

    The order is the order given; directory and glob matches are sorted. A path
    listed twice is read once.
    """
    if not paths:
        raise InputFileError("no input given: name at least one file, directory or glob")
    out: dict[Path, None] = {}
    for entry in paths:
        p = Path(entry)
        if p.is_file():
            if file_format(p) is None:
                raise InputFileError(
                    f"{p}: unknown format; use .jsonl, .ndjson, .csv or .parquet "
                    "(.gz allowed for jsonl and csv)",
                    path=p,
                )
            out.setdefault(p, None)
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and file_format(f))
            if not found:
                raise InputFileError(
                    f"{p}: the directory holds no .jsonl, .ndjson, .csv or .parquet file",
                    path=p,
                )
            for f in found:
                out.setdefault(f, None)
        elif _GLOB_CHARS & set(str(entry)):
            matches = sorted(
                Path(m)
                for m in glob.glob(str(entry), recursive=True)
                if Path(m).is_file() and file_format(Path(m))
            )
            if not matches:
                raise InputFileError(f"{entry}: the glob matched no input file", path=str(entry))
            for f in matches:
                out.setdefault(f, None)
        else:
            raise InputFileError(f"{p}: no such file or directory", path=p)
    return list(out)


def describe(path: Path) -> InputFile:
    """Stream ``path`` once for its sha256, size and an estimated record count."""
    fmt = file_format(path)
    if fmt is None:
        raise InputFileError(f"{path}: unknown format", path=path)
    digest = hashlib.sha256()
    size = 0
    newlines = 0
    last = b"\n"
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
                size += len(block)
                newlines += block.count(b"\n")
                last = block[-1:]
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc})", path=path) from exc
    records: int | None
    if path.suffix.lower() == ".gz":
        records = None
    elif fmt == "parquet":
        records = _parquet_rows(path)
    else:
        lines = newlines + (0 if last == b"\n" or size == 0 else 1)
        records = max(lines - 1, 0) if fmt == "csv" else lines
    return InputFile(path, fmt, digest.hexdigest(), size, records)


def _parquet_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # noqa: BLE001 - a broken file is reported when it is read
        return None


# ------------------------------------------------------------------ reading


def read_records(source: InputFile | Path, *, batch_rows: int = 2048) -> Iterator[RawRecord]:
    """Stream the records of one file."""
    path = source.path if isinstance(source, InputFile) else source
    fmt = source.format if isinstance(source, InputFile) else file_format(path)
    if fmt == "jsonl":
        yield from _read_jsonl(path)
    elif fmt == "csv":
        yield from _read_csv(path)
    elif fmt == "parquet":
        yield from _read_parquet(path, batch_rows)
    else:
        raise InputFileError(f"{path}: unknown format", path=path)


def iter_records(files: Iterable[InputFile]) -> Iterator[RawRecord]:
    """Stream the records of several files, one after the other."""
    for f in files:
        yield from read_records(f)


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _read_jsonl(path: Path) -> Iterator[RawRecord]:
    name = str(path)
    try:
        fh = _open_binary(path)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot open the file ({exc})", path=path) from exc
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            raw = line.rstrip(b"\r\n")
            loc = SourceLocation(name, lineno)
            try:
                data = _loads(raw)
            except _JSON_ERRORS as exc:
                yield RawRecord(
                    loc,
                    None,
                    raw,
                    f"the line is not valid JSON ({exc}); each line must hold one JSON object",
                )
                continue
            if not isinstance(data, dict):
                yield RawRecord(
                    loc,
                    None,
                    raw,
                    f"the line holds a JSON {type(data).__name__}, "
                    "not an object; each line must hold one JSON object",
                )
                continue
            yield RawRecord(loc, data, raw)


def _read_csv(path: Path) -> Iterator[RawRecord]:
    name = str(path)
    try:
        binary = _open_binary(path)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot open the file ({exc})", path=path) from exc
    with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFileError(
                f"{path}: the header row cannot be read ({exc})", path=path
            ) from exc
        columns = [c.strip() for c in header]
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                loc = SourceLocation(name, line)
                yield RawRecord(loc, None, "", f"the row cannot be read as CSV ({exc})")
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            loc = SourceLocation(name, start)
            cells = dict(zip(columns, row, strict=False))
            raw = json.dumps(cells, ensure_ascii=False)
            if len(row) > len(columns):
                yield RawRecord(
                    loc,
                    None,
                    raw,
                    f"the row has {len(row)} cells but the header names {len(columns)} columns",
                )
                continue
            yield _unflatten_record(loc, cells, raw, text_cells=True)


def _read_parquet(path: Path, batch_rows: int) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types
        raise InputFileError(f"{path}: not a readable Parquet file ({exc})", path=path) from exc
    row = 0
    for batch in pf.iter_batches(batch_size=batch_rows):
        for cells in batch.to_pylist():
            row += 1
            loc = SourceLocation(name, row)
            raw = json.dumps(cells, ensure_ascii=False, default=str)
            yield _unflatten_record(loc, _drop_none(cells), raw, text_cells=False)


# --------------------------------------------------------------- flat -> nested


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _cell_value(column: str, value: Any, text_cells: bool) -> Any:
    """Type one cell: JSON columns parsed, known numeric CSV fields converted."""
    if not isinstance(value, str):
        return value
    if column == "derived_from":  # a JSON array, or one id
        stripped = value.strip()
        return _loads(stripped) if stripped[:1] == "[" else [value]
    if column in _JSON_COLUMNS:
        stripped = value.strip()
        if stripped[:1] in ("{", "["):
            return _loads(stripped)
        return value
    if not text_cells:
        return value
    if column == "generation.seed":
        return _number(value, int)
    parts = column.split(".")
    if len(parts) == 3 and parts[0] == "labels" and parts[2] == "confidence":
        return _number(value, float)
    if column.startswith(_JSON_SCALAR_PREFIXES):
        stripped = value.strip()
        try:
            parsed = _loads(stripped)
        except _JSON_ERRORS:
            return value
        return parsed if not isinstance(parsed, dict | list) else value
    return value


def _number(value: str, kind: type[int] | type[float]) -> Any:
    """The number in ``value``, or the text itself (validation then says what is wrong)."""
    try:
        return kind(value.strip())
    except ValueError:
        return value


def _unflatten_record(
    loc: SourceLocation, cells: dict[str, Any], raw: str, *, text_cells: bool
) -> RawRecord:
    nested: dict[str, Any] = {}
    for column, value in cells.items():
        if value is None or (isinstance(value, str) and value == ""):
            continue
        if not column:
            return RawRecord(
                loc,
                None,
                raw,
                "a non-empty cell sits under a column without "
                "a name; name every column in the header",
            )
        try:
            typed = _cell_value(column, value, text_cells)
        except _JSON_ERRORS as exc:
            return RawRecord(
                loc,
                None,
                raw,
                f"column {column!r} holds {value!r}, which is not valid here ({exc})",
                column,
            )
        clash = _put(nested, column.split("."), typed)
        if clash:
            return RawRecord(
                loc,
                None,
                raw,
                f"column {column!r} clashes with column {clash!r}; "
                "give a nested field either as JSON text or as dotted columns, "
                "not both",
                column,
            )
    try:
        data = _lists_from_indexes(nested)
    except ColumnLayoutError as exc:
        return RawRecord(loc, None, raw, str(exc))
    return RawRecord(loc, data, raw)


def _put(target: dict[str, Any], parts: list[str], value: Any) -> str | None:
    """Set ``target[a][b][c] = value``; returns the clashing prefix on a conflict."""
    node = target
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return ".".join(parts[: i + 1])
        node = child
    if parts[-1] in node:
        return ".".join(parts)
    node[parts[-1]] = value
    return None


def _lists_from_indexes(value: Any, path: str = "") -> Any:
    """``{"0": a, "1": b}`` (from ``labels.0.x``, ``derived_from.0`` columns) becomes ``[a, b]``."""
    if not isinstance(value, dict):
        return value
    converted = {k: _lists_from_indexes(v, f"{path}.{k}" if path else k) for k, v in value.items()}
    if path in _INDEXED_LISTS and converted:
        if not all(k.isdigit() for k in converted):
            odd = sorted(k for k in converted if not k.isdigit())
            example = "labels.0.field, labels.0.value" if path == "labels" else f"{path}.0"
            raise ColumnLayoutError(
                f"{path} columns must be numbered ({example}, ...); got {path}.{odd[0]}"
            )
        return [converted[k] for k in sorted(converted, key=int)]
    return converted
