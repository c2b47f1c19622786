"""Erase samples from the graph: ``provrag erase`` (the graph part).

Unlike a delete, an erasure removes content. For the named sample, every revision
of it and, following ``prov:wasDerivedFrom`` backwards, every revision of each
sample derived from it (transitively), it removes the text, metadata, labels (with
their annotation activities), mentions and the entities no other sample mentions;
then it replaces every other literal of the graph that still holds the erased text,
one of its sentences or another erased value (a recorded answer quoting it, say)
with ``[erased]``. A string that data which stays holds as its own (another
sample's text, an entity's name, a label value) is left alone everywhere.

What stays is a provenance skeleton: the revisions with their ids, content hashes,
dataset versions, batches, generations and derivations, each ``pr:erasedBy`` a
``pr:Erasure`` activity (with who ran it, when, the selector and the reason), and
``prov:invalidatedAtTime`` on the revisions that were current. The skeleton is
written last, in its own named graph, so an interrupted erasure can simply be run
again.

The texts come back in :class:`GraphErasure` (never in the report), for the caller
to scrub the other copies: indexes, caches and files.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from ingest.errors import ErasureError
from kg import ids as kg_ids
from kg.graph import KnowledgeGraph
from kg.mapping.lifecycle import erased_sample_triples, erasure_triples
from kg.model import now_utc
from kg.queries.erasure import (
    content_values,
    entities_present,
    erasure_closure,
    literals_containing,
    mentioned_entities,
    remove_content_update,
    remove_orphan_entities_update,
    replace_literal_update,
)

#: what replaces erased text in literals that are not the sample's own text
ERASED = "[erased]"
#: sentences this long or longer are searched for on their own
MIN_SENTENCE = 24
#: other erased values (names, metadata values, label values) this long or longer
#: are searched for too, unless data that stays holds them
MIN_VALUE = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class ErasedSample(BaseModel):
    """One revision an erasure reached (what the skeleton keeps)."""

    external_id: str
    dataset: str
    iri: str
    content_hash: str
    #: reached through prov:wasDerivedFrom rather than named
    derived: bool = False


class ErasureReport(BaseModel):
    """What one erasure did to the graph (it never holds the erased text)."""

    erasure: str
    selector: dict[str, str]
    reason: str
    who: str
    at: datetime
    samples: list[ErasedSample] = Field(default_factory=list)
    #: entities removed because only erased samples mentioned them
    entities_removed: int = 0
    #: other literals (answers, evaluation records...) where the text was replaced
    literals_scrubbed: int = 0
    #: sentences and values left alone because data that stays has them too
    shared_values: int = 0
    seconds: float = 0.0


@dataclass
class GraphErasure:
    """The report, and the erased texts and content hashes for scrubbing other copies."""

    report: ErasureReport
    texts: list[str] = field(default_factory=list)
    #: the strings searched for elsewhere: each text, its longer sentences, and the
    #: other erased values no data that stays holds
    needles: list[str] = field(default_factory=list)
    #: IRIs of the entities removed (their names are part of their IRIs)
    entity_iris: list[str] = field(default_factory=list)


def needles_of(texts: Sequence[str], values: Sequence[str] = ()) -> list[str]:
    """Each text, each of its sentences of :data:`MIN_SENTENCE` characters or more, and
    the ``values`` (metadata as JSON: its string leaves) of :data:`MIN_VALUE` or more."""
    out: dict[str, None] = {}
    for text in texts:
        out[text] = None
        for sentence in _SENTENCE_END.split(text):
            if len(sentence.strip()) >= MIN_SENTENCE:
                out[sentence.strip()] = None
    for value in values:
        for leaf in _leaves(value):
            if len(leaf.strip()) >= MIN_VALUE:
                out[leaf.strip()] = None
    return sorted(out, key=len, reverse=True)


def _leaves(value: str) -> list[str]:
    """The strings of a JSON object or array (metadata), else the value itself."""
    if value[:1] not in "{[":
        return [value]
    try:
        parsed = json.loads(value)
    except ValueError:
        return [value]
    out: list[str] = []
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            out.append(item)
    return out


def erasure_id(selector: dict[str, str], at: datetime) -> str:
    """``<UTC time>-<selector hash>``, like a deletion's."""
    digest = kg_ids.sha256_hex(kg_ids.canonical_json([selector, at.isoformat()]))[:8]
    return f"{at:%Y%m%dT%H%M%S}-{digest}"


def erase(
    kg: KnowledgeGraph,
    *,
    external_id: str,
    dataset: str,
    reason: str,
    who: str,
    now: datetime | None = None,
) -> GraphErasure:
    """Erase the sample ``dataset``/``external_id`` and the samples derived from it.

    Raises :class:`~ingest.errors.ErasureError` for an unknown sample or an empty reason.
    """
    clock = time.perf_counter()
    if not reason.strip():
        raise ErasureError(
            "an erasure needs a reason (--reason TEXT): it is recorded on the erasure",
            external_id=external_id,
            dataset=dataset,
        )
    kg.recover()
    closure = erasure_closure(kg, dataset, external_id)
    if not closure:
        raise ErasureError(
            f"no sample {external_id!r} in dataset {dataset!r}: check the id and the "
            "dataset (provrag trace ID --dataset D shows a sample)",
            external_id=external_id,
            dataset=dataset,
        )
    at = now or now_utc()
    selector = {"id": external_id, "dataset": dataset}
    activity = kg_ids.erasure_iri(erasure_id(selector, at))
    named = kg_ids.logical_sample_iri(dataset, external_id)
    texts = sorted({r.text for r in closure if r.text})
    iris = [r.iri for r in closure]
    needles = needles_of(texts, content_values(kg, iris))
    entities = mentioned_entities(kg, iris)

    kg.update(remove_content_update(iris))
    if entities:
        kg.update(remove_orphan_entities_update(entities))
    report = ErasureReport(
        erasure=activity,
        selector=selector,
        reason=reason,
        who=who,
        at=at,
        samples=[
            ErasedSample(
                external_id=r.external_id,
                dataset=r.dataset,
                iri=r.iri,
                content_hash=r.content_hash,
                derived=r.logical != named,
            )
            for r in closure
        ],
    )
    gone = sorted(entities - entities_present(kg, entities))
    report.entities_removed = len(gone)
    hits = literals_containing(kg, needles)
    shared = {n for n in needles for h in hits if h.own_data and n in h.value}
    needles = [n for n in needles if n not in shared]
    report.shared_values = len(shared)
    for hit in hits:
        if not hit.own_data and any(n in hit.value for n in needles):
            kg.update(replace_literal_update(hit, ERASED))
            report.literals_scrubbed += 1

    statements = erasure_triples(activity, selector, reason, at, who)
    for r in closure:
        if not r.erased:
            statements += erased_sample_triples(r.iri, activity, at, current=r.current)
    with kg.write_graph(activity) as writer:
        writer.add_statements(statements)
    report.seconds = round(time.perf_counter() - clock, 3)
    return GraphErasure(report=report, texts=texts, needles=needles, entity_iris=gone)
