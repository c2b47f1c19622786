"""Retention: invalidate the current samples of a dataset past its retention period.

``provrag retention apply`` runs :func:`expire` for every dataset that has a
period in the settings. Each dataset with expired samples gets one
``pr:RetentionExpiry`` activity (a kind of ``pr:Deletion``: the samples get
``prov:invalidatedAtTime`` and ``prov:wasInvalidatedBy`` it, with the reason and
the cut-off in its selector), written atomically into its own named graph, like
``provrag delete``. Nothing is removed: ``provrag erase`` does that.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from ingest.delete import CHUNK, SAMPLES_LISTED, deletion_id
from kg import ids as kg_ids
from kg import mapping
from kg.graph import KnowledgeGraph
from kg.mapping.lifecycle import retention_triples
from kg.model import now_utc
from kg.queries.retention import expired_samples


class DatasetExpiry(BaseModel):
    """What retention did (or, dry, would do) to one dataset."""

    dataset: str
    period: str
    #: samples ingested before this time are past the period
    cutoff: datetime
    expired: int = 0
    #: external ids of the first samples expired
    samples: list[str] = Field(default_factory=list)
    #: IRI of the retention expiry activity; None when dry or nothing expired
    activity: str | None = None


class RetentionReport(BaseModel):
    """One ``retention apply``: a row per dataset with a period."""

    dry_run: bool = False
    at: datetime
    datasets: list[DatasetExpiry] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def expired(self) -> int:
        """Samples invalidated (dry: that would be)."""
        return sum(d.expired for d in self.datasets)


def expire(
    kg: KnowledgeGraph,
    periods: Mapping[str, tuple[str, timedelta]],
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionReport:
    """Invalidate, per dataset, the current samples ingested more than its period ago.

    ``periods`` maps a dataset name to its period as written (``"365d"``) and as a
    duration. ``dry_run``: report what would expire, write nothing.
    """
    clock = time.perf_counter()
    at = now or now_utc()
    report = RetentionReport(dry_run=dry_run, at=at)
    if not dry_run:
        kg.recover()
    for dataset, (label, period) in sorted(periods.items()):
        cutoff = at - period
        samples = expired_samples(kg, dataset, cutoff)
        row = DatasetExpiry(
            dataset=dataset,
            period=label,
            cutoff=cutoff,
            expired=len(samples),
            samples=[s.external_id for s in samples[:SAMPLES_LISTED]],
        )
        report.datasets.append(row)
        if dry_run or not samples:
            continue
        selector = {"dataset": dataset, "retention": label, "ingested_before": cutoff.isoformat()}
        activity = kg_ids.deletion_iri(deletion_id(selector, at))
        reason = (
            f"retention: {dataset} keeps samples for {label}; "
            f"ingested before {cutoff:%Y-%m-%dT%H:%M:%SZ}"
        )
        with kg.write_graph(activity) as writer:
            writer.add_statements(retention_triples(activity, selector, reason, at))
            for start in range(0, len(samples), CHUNK):
                stmts: list[str] = []
                for sample in samples[start : start + CHUNK]:
                    stmts.extend(mapping.invalidation_triples(sample.iri, activity, at))
                writer.add_statements(stmts)
        row.activity = activity
    report.seconds = round(time.perf_counter() - clock, 3)
    return report
