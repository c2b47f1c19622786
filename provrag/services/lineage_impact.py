"""Lineage impact: ``provrag lineage stale`` (reads of :mod:`kg.queries.impact`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kg.queries.impact import StaleGoldenItem, StaleSample
from provrag.services.session import Session


@dataclass
class StaleReport:
    """Stale synthetic samples and stale golden items (of one dataset, or all)."""

    dataset: str | None
    samples: list[StaleSample] = field(default_factory=list)
    golden_items: list[StaleGoldenItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "stale_samples": [asdict(s) for s in self.samples],
            "stale_golden_items": [asdict(g) for g in self.golden_items],
        }


def stale_report(session: Session, dataset: str | None = None) -> StaleReport:
    """What was derived from, or judges, samples revised or deleted since."""
    from kg.queries.impact import golden_set_label, stale_golden_items, stale_samples

    items = [
        StaleGoldenItem(golden_set_label(g.golden_set), g.item, g.query_id, g.sample_id, g.reason)
        for g in stale_golden_items(session.kg, dataset)
    ]
    return StaleReport(dataset, stale_samples(session.kg, dataset), items)
