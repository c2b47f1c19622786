"""Minting of IRIs and content hashes. The only place that decides what an id looks like.

- logical sample   ``prid:sample/<dataset>/<external id>``   (stable across revisions)
- sample revision  ``prid:sample/<dataset>/<external id>/<content hash[:16]>``
- label            ``<revision>/label/<sha256(field, value, annotator)[:12]>``
- dataset          ``prid:dataset/<name>``; version ``prid:dataset/<name>/<version>``
- batch            ``prid:batch/<batch id>`` (also the name of its named graph)
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

import orjson

from kg.terms import ID_NS
from kg.typing import TITLE_ENTITY_TYPE

#: characters ``seg`` leaves as they are (RFC 3986 unreserved)
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@lru_cache(maxsize=65536)
def _quoted(value: str) -> str:
    if _UNRESERVED.fullmatch(value):
        return value
    return quote(value, safe="-_.~")


def seg(value: str) -> str:
    """Percent-encode one path segment so that any external id is a valid IRI part."""
    return _quoted(str(value))


def unquote_seg(value: str) -> str:
    """The value :func:`seg` encoded."""
    return unquote(value)


#: the fallback for what orjson refuses (integers past 64 bits, non-string keys)
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal content gives equal text.

    The text is what orjson writes with sorted keys (UTF-8, no ASCII escaping,
    floats in their shortest round-trip form); values orjson has no encoding
    for (datetimes included) are written as ``str(value)``. It equals
    ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    default=str)`` except for floats below 1e-4, which orjson writes without the
    zero-padded exponent, and NaN/infinity, which it writes as ``null``.
    Content hashes and ids are sha256 of this text, so it must never change.
    """
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode("utf-8")
    except TypeError:
        return _CANONICAL.encode(value)


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def text_hash(text: str) -> str:
    """Hash of a text alone: the key of the embedding cache."""
    return sha256_hex(text)


def dataset_iri(name: str) -> str:
    return f"{ID_NS}dataset/{seg(name)}"


def dataset_version_iri(name: str, version: str) -> str:
    return f"{ID_NS}dataset/{seg(name)}/{seg(version)}"


def logical_sample_iri(dataset: str, external_id: str) -> str:
    return f"{ID_NS}sample/{seg(dataset)}/{seg(external_id)}"


def sample_iri(dataset: str, external_id: str, content_hash: str) -> str:
    return revision_iri(logical_sample_iri(dataset, external_id), content_hash)


def revision_iri(logical_iri: str, content_hash: str) -> str:
    """The revision of a logical sample with this content (sha256, or its first 16 digits)."""
    return f"{logical_iri}/{content_hash[:16]}"


def label_iri(sample: str, field: str, value: Any, annotator: str) -> str:
    return f"{sample}/label/{sha256_hex(canonical_json([field, value, annotator]))[:12]}"


def annotation_iri(label: str) -> str:
    return f"{label}/annotation"


def generation_iri(sample: str) -> str:
    return f"{sample}/generation"


def generator_config_iri(generator: str, config_hash: str) -> str:
    return f"{ID_NS}generator/{seg(generator)}/config/{config_hash[:16]}"


def agent_iri(kind: str, name: str) -> str:
    """``kind`` is ``person`` or ``software``."""
    return f"{ID_NS}agent/{seg(kind)}/{seg(name)}"


def guideline_iri(version: str, name: str = "default") -> str:
    return f"{ID_NS}guideline/{seg(name)}/{seg(version)}"


def batch_iri(batch_id: str) -> str:
    return f"{ID_NS}batch/{seg(batch_id)}"


def source_file_iri(sha256: str) -> str:
    return f"{ID_NS}file/{sha256}"


def entity_iri(entity_type: str, normalized_name: str) -> str:
    return f"{ID_NS}entity/{seg(entity_type)}/{seg(normalized_name)}"


def mention_iri(sample: str, start: int, end: int, entity_type: str = "") -> str:
    """A mention of ``sample``: by its offsets, or ``/mention/title`` for the sample's
    title (:data:`kg.typing.TITLE_ENTITY_TYPE`), whose offsets an NER span may share."""
    if entity_type == TITLE_ENTITY_TYPE:
        return f"{sample}/mention/title"
    return f"{sample}/mention/{start}-{end}"


def extraction_iri(sample: str) -> str:
    return f"{sample}/ner"


def deletion_iri(deletion_id: str) -> str:
    return f"{ID_NS}deletion/{seg(deletion_id)}"


def erasure_iri(erasure_id: str) -> str:
    return f"{ID_NS}erasure/{seg(erasure_id)}"


def golden_set_iri(name: str, version: str) -> str:
    return f"{ID_NS}golden/{seg(name)}/{seg(version)}"


def golden_item_iri(golden_set: str, query_id: str) -> str:
    return f"{golden_set}/item/{seg(query_id)}"


def eval_run_iri(run_id: str) -> str:
    return f"{ID_NS}run/{seg(run_id)}"


def tuning_run_iri(run_id: str) -> str:
    return f"{ID_NS}tuning/{seg(run_id)}"


def retriever_profile_iri(name: str, run_id: str) -> str:
    """One version of a retriever profile: the one a tuning run wrote."""
    return f"{ID_NS}profile/{seg(name)}/{seg(run_id)}"


def answer_iri(answer_id: str) -> str:
    return f"{ID_NS}answer/{seg(answer_id)}"


def release_iri(name: str) -> str:
    """A release (also the named graph it is written to)."""
    return f"{ID_NS}release/{seg(name)}"


def release_approval_iri(name: str, approval_id: str) -> str:
    """One approval of a release (its own named graph)."""
    return f"{release_iri(name)}/approval/{seg(approval_id)}"


def serving_change_iri(change_id: str) -> str:
    """A promotion or a rollback of the served release (its own named graph)."""
    return f"{ID_NS}serving/{seg(change_id)}"


def monitor_run_iri(run_id: str) -> str:
    return f"{ID_NS}monitor/{seg(run_id)}"


def alert_iri(alert_id: str) -> str:
    return f"{ID_NS}alert/{seg(alert_id)}"


def alert_note_iri(alert_id: str, note_id: str) -> str:
    return f"{alert_iri(alert_id)}/note/{seg(note_id)}"
