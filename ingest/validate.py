"""Raw records -> :class:`kg.model.SampleRecord`, or readable reasons why not.

Each problem becomes an :class:`InvalidRecord` carrying the file, the line, the
dotted field (``generation.seed``), a message that says how to fix it, and the
raw text of the record. Dataset and version come from the record, or from the
command line when the record has none.

The content hash of a valid record is the sha256 of its canonical JSON (all
fields but ``id``, ``dataset`` and ``version``); its external id is the
record's ``id`` or, when absent, the first 16 hex digits of the content hash.
An integer ``id`` (or id in ``derived_from``) is taken as its decimal text.

Whether the samples a record names in ``derived_from`` exist is not known here:
the batch checks that when it decides (:mod:`ingest.lineage`), and a record with
a missing source becomes an :class:`InvalidRecord` then (:func:`missing_sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ingest.readers import RawRecord, SourceLocation
from kg import ids
from kg.mapping import content_hash
from kg.model import GenerationIn, LabelIn, SampleRecord, parse_source

_UNION_TAGS = {"str", "int", "float", "bool"}
_MAX_SHOWN = 80
_MODELS: dict[str, type[BaseModel]] = {
    "": SampleRecord,
    "generation": GenerationIn,
    "labels": LabelIn,
}
_FIX_HINTS = {
    "id": "give the sample's external id, or leave 'id' out to use the content hash",
    "text": "give the sample's content",
    "dataset": "give a 'dataset' field or pass --dataset NAME",
    "origin": "set origin to 'real' or 'synthetic'",
    "generation.generator": 'name the generator, e.g. "faq-paraphraser"',
    "labels.field": 'name what is labelled, e.g. "intent"',
    "labels.annotator": "name who labelled it",
    "labels.guideline_version": 'give the guideline version the label follows, e.g. "1.2"',
}


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    """One record that cannot go in, and why."""

    file: str
    line: int
    #: dotted location of the bad field, None when the whole record is at fault
    field: str | None
    message: str
    raw: str
    #: every problem found in the record as (field, message); the first is the one above
    problems: tuple[tuple[str | None, str], ...] = ()

    def summary(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"{self.file}:{self.line}{where} {self.message}"


@dataclass(frozen=True, slots=True)
class ValidRecord:
    """A validated record with the ids and hashes the graph needs."""

    record: SampleRecord
    external_id: str
    content_hash: str
    location: SourceLocation
    #: the logical sample (dataset + external id) and this revision of it
    logical_iri: str
    iri: str
    #: the logical samples it was derived from (``derived_from``, each once); most have none
    sources: tuple[str, ...] = ()
    #: the record's raw text, kept only when it has sources (a missing one makes it invalid)
    raw: str | None = None

    def source_refs(self) -> dict[str, str]:
        """logical sample IRI -> the ``derived_from`` entry that names it."""
        rec = self.record
        return {
            ids.logical_sample_iri(src.dataset, src.external_id): ref
            for ref, src in zip(rec.derived_from, rec.sources(), strict=True)
        }


def missing_sources(v: ValidRecord, missing: list[str]) -> InvalidRecord:
    """What ``v`` becomes when its sources ``missing`` (logical IRIs) are not current."""
    refs = v.source_refs()
    rec = v.record
    named = []
    for logical in missing:
        ref = refs.get(logical, logical)
        dataset = parse_source(ref, rec.dataset).dataset
        named.append(f"{ref!r} (dataset {dataset!r})")
    message = (
        f"derived_from names {', '.join(named)}, but no current sample has "
        f"{'that id' if len(named) == 1 else 'those ids'} (none in the graph, none valid in "
        "this input): ingest the source first, or fix the id ('dataset:id' names a sample "
        "of another dataset)"
    )
    return InvalidRecord(
        v.location.file,
        v.location.line,
        "derived_from",
        message,
        v.raw or "",
        (("derived_from", message),),
    )


class RecordValidator:
    """Validates raw records, filling dataset and version from the command line."""

    def __init__(self, *, dataset: str | None = None, version: str | None = None) -> None:
        self.dataset = dataset
        self.version = version

    def validate(self, raw: RawRecord) -> ValidRecord | InvalidRecord:
        loc = raw.location
        data = raw.data
        if data is None:
            return InvalidRecord(
                loc.file,
                loc.line,
                raw.error_field,
                raw.error or "the record cannot be read",
                raw.raw_text,
            )
        if self.dataset is not None and "dataset" not in data:
            data["dataset"] = self.dataset
        if self.version is not None and "version" not in data:
            data["version"] = self.version
        rid = data.get("id")
        if isinstance(rid, int) and not isinstance(rid, bool):
            data["id"] = str(rid)
        sources = data.get("derived_from")
        if isinstance(sources, list):
            data["derived_from"] = [
                str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in sources
            ]
        try:
            record = SampleRecord.model_validate(data)
        except ValidationError as exc:
            problems = explain(exc)
            field, message = problems[0]
            return InvalidRecord(loc.file, loc.line, field, message, raw.raw_text, tuple(problems))
        digest = content_hash(record)
        external_id = record.id if record.id is not None else digest[:16]
        logical = ids.logical_sample_iri(record.dataset, external_id)
        if not record.derived_from:
            return ValidRecord(
                record=record,
                external_id=external_id,
                content_hash=digest,
                location=loc,
                logical_iri=logical,
                iri=ids.revision_iri(logical, digest),
            )
        sources = dict.fromkeys(
            ids.logical_sample_iri(src.dataset, src.external_id) for src in record.sources()
        )
        return ValidRecord(
            record=record,
            external_id=external_id,
            content_hash=digest,
            location=loc,
            logical_iri=logical,
            iri=ids.revision_iri(logical, digest),
            sources=tuple(sources),
            raw=raw.raw_text,
        )


# ----------------------------------------------------------------- messages


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _model_at(loc: tuple[int | str, ...]) -> tuple[str, type[BaseModel]] | None:
    """The model that owns the last element of ``loc`` (top level, generation or labels)."""
    parent = tuple(p for p in loc[:-1] if not isinstance(p, int))
    key = ".".join(str(p) for p in parent)
    model = _MODELS.get(key)
    return (key, model) if model is not None else None


def explain(exc: ValidationError) -> list[tuple[str | None, str]]:
    """pydantic errors as (dotted field, message that says how to fix it), one per field."""
    out: dict[str | None, str] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        # a union (label value) reports once per member: collapse them into one
        if loc and loc[-1] in _UNION_TAGS:
            loc = loc[:-1]
        field = _dotted(loc) if loc else None
        kind = err["type"]
        value = err.get("input")
        if not loc and kind == "value_error":
            message = str(err["msg"]).removeprefix("Value error, ")
            field = "generation" if "'generation'" in message else None
        else:
            message = _message(kind, loc, field or "", value, err)
        if field not in out:
            out[field] = message
    return list(out.items()) or [(None, str(exc))]


def _message(kind: str, loc: tuple[int | str, ...], field: str, value: Any, err: Any) -> str:
    ctx = err.get("ctx") or {}
    generic_key = ".".join(str(p) for p in loc if not isinstance(p, int))
    hint = _FIX_HINTS.get(generic_key)
    if kind == "missing":
        return f"'{field}' is missing" + (f": {hint}" if hint else "")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        owner = _model_at(loc)
        if owner is not None and owner[0] == "":
            return f"unknown field '{name}': move it under 'metadata' or remove it"
        if owner is not None:
            allowed = ", ".join(owner[1].model_fields)
            extra = " (or put it under generation.params)" if owner[0] == "generation" else ""
            return f"unknown field '{field}': allowed are {allowed}{extra}"
        return f"unknown field '{field}'"
    if kind == "literal_error":
        return (
            f"{field} must be {ctx.get('expected', 'one of the allowed values')}, "
            f"got {_shown(value)}"
        )
    if (
        kind in ("string_type", "int_type", "float_type", "bool_type")
        and generic_key == "labels.value"
    ):
        return f"{field} must be a text, a number or a boolean, got {_shown(value)}"
    if kind == "string_type":
        return f"{field} must be a text, got {_shown(value)}"
    if kind in ("string_too_short",):
        return f"{field} is empty" + (f": {hint}" if hint else "")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field} must be an integer, got {_shown(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"{field} must be a number, got {_shown(value)}"
    if kind.startswith(("datetime", "date_")):
        return (
            f"{field} is not a valid date-time ({_shown(value)}): use ISO 8601, "
            "e.g. 2026-11-02T10:00:00Z"
        )
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = {
            "less_than_equal": f"<= {ctx.get('le')}",
            "greater_than_equal": f">= {ctx.get('ge')}",
            "less_than": f"< {ctx.get('lt')}",
            "greater_than": f"> {ctx.get('gt')}",
        }[kind]
        return f"{field} must be {bound}, got {_shown(value)}"
    if kind == "dict_type" or kind == "model_type":
        return f"{field} must be an object ({{...}}), got {_shown(value)}"
    if kind == "list_type":
        return f"{field} must be a list ([...]), got {_shown(value)}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{field}: {err['msg']} (got {_shown(value)})"
