"""Invalidate samples: ``provrag delete``.

Nothing is removed. Each selected current sample gets ``prov:invalidatedAtTime``
and ``prov:wasInvalidatedBy`` a ``pr:Deletion`` activity (with the selector and
the reason), all written atomically into the deletion's own named graph
``prid:deletion/<id>``. Invalidated samples stay for audit but leave every
default query (they are not *current*) and the retrieval index.

Selectors combine with AND:

- ``ids``: external ids (with ``dataset``, only in that dataset);
- ``dataset`` (+ ``version``): every sample of the dataset (version);
- ``generator`` (+ ``prompt_version``): every sample generated with that
  generator (and prompt version).

A sample that is a member of several dataset versions is invalidated as a
whole: ``--dataset D --version V`` removes it from every version it is in. The
selection is a read of :mod:`kg.queries.datasets`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ingest.errors import SelectorError
from ingest.report import DeleteReport
from kg import ids as kg_ids
from kg import mapping
from kg.graph import KnowledgeGraph
from kg.model import now_utc
from kg.queries.datasets import SampleSelector, select_current_samples
from kg.queries.impact import derived_closure

#: how many external ids a delete report lists
SAMPLES_LISTED = 50
#: samples invalidated per chunk written into the deletion graph
CHUNK = 20_000


def selector_of(
    *,
    ids_: Sequence[str] = (),
    dataset: str | None = None,
    version: str | None = None,
    generator: str | None = None,
    prompt_version: str | None = None,
) -> dict[str, Any]:
    """The selector as recorded on the deletion (only the parts given)."""
    sel: dict[str, Any] = {}
    if ids_:
        sel["ids"] = sorted(set(ids_))
    for key, value in (
        ("dataset", dataset),
        ("version", version),
        ("generator", generator),
        ("prompt_version", prompt_version),
    ):
        if value is not None:
            sel[key] = value
    return sel


def check_selector(selector: dict[str, Any]) -> None:
    """Raise :class:`~ingest.errors.SelectorError` unless ``selector`` names samples alone."""
    if not any(k in selector for k in ("ids", "dataset", "generator")):
        raise SelectorError(
            "nothing to select: give --id, --dataset (with an optional --version) or "
            "--generator (with an optional --prompt-version)"
        )
    if "version" in selector and "dataset" not in selector:
        raise SelectorError("--version needs --dataset: a version belongs to a dataset")
    if "prompt_version" in selector and "generator" not in selector:
        raise SelectorError("--prompt-version needs --generator: the prompt belongs to one")


def deletion_id(selector: dict[str, Any], at: datetime) -> str:
    """``<UTC time>-<selector hash>``: readable, ordered, unique per selector and second."""
    digest = kg_ids.sha256_hex(kg_ids.canonical_json([selector, at.isoformat()]))[:8]
    return f"{at:%Y%m%dT%H%M%S}-{digest}"


def invalidate(
    kg: KnowledgeGraph,
    *,
    ids: Sequence[str] = (),
    dataset: str | None = None,
    version: str | None = None,
    generator: str | None = None,
    prompt_version: str | None = None,
    reason: str | None = None,
    cascade: bool = False,
) -> DeleteReport:
    """Invalidate the current samples the selectors name (AND); one deletion graph.

    ``cascade``: also the current samples derived from them, transitively (from any
    revision of theirs: :func:`kg.queries.impact.derived_closure`), in the same deletion.
    Nothing matched: the report says ``invalidated=0`` and nothing is written.
    Raises :class:`~ingest.errors.SelectorError` when no selector is given.
    """
    clock = time.perf_counter()
    selector = selector_of(
        ids_=ids,
        dataset=dataset,
        version=version,
        generator=generator,
        prompt_version=prompt_version,
    )
    check_selector(selector)
    kg.recover()
    samples = select_current_samples(kg, SampleSelector(**selector))
    report = DeleteReport(selector=selector, reason=reason, matched=len(samples))
    if cascade and samples:
        derived = derived_closure(kg, [sample.iri for sample in samples])
        report.cascaded = len(derived)
        report.cascaded_samples = [d.external_id for d in derived[:SAMPLES_LISTED]]
        samples = samples + derived
    if not samples:
        report.seconds = round(time.perf_counter() - clock, 3)
        return report
    at = now_utc()
    activity = kg_ids.deletion_iri(deletion_id(selector, at))
    written = 0
    with kg.write_graph(activity) as writer:
        writer.add_statements(mapping.deletion_triples(activity, selector, reason, at))
        for start in range(0, len(samples), CHUNK):
            stmts: list[str] = []
            for sample in samples[start : start + CHUNK]:
                stmts.extend(mapping.invalidation_triples(sample.iri, activity, at))
            writer.add_statements(stmts)
        written = writer.count
    report.deletion = activity
    report.invalidated = len(samples)
    report.samples = [
        sample.external_id for sample in samples[: min(SAMPLES_LISTED, report.matched)]
    ]
    report.triples_added = written
    report.seconds = round(time.perf_counter() - clock, 3)
    return report
