"""``provrag coverage``: the synthetic coverage monitor of one dataset.

Vectors come from the search index (each sample's stored vector); only samples the
index does not hold, and golden queries, are embedded. The run is recorded as a
``pr:MonitorRun`` (monitor ``coverage``) with its headline shares, and each share
below its threshold (``[monitors]`` settings) is an alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kg.graph import KnowledgeGraph
from kg.mapping.monitors import MonitorRunIn
from kg.monitors import record_monitor_run
from kg.queries.coverage import CoverageSample, dataset_samples
from provrag.services.alerts import check_threshold
from provrag.settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from evaluation.coverage import CoverageReport, Thresholds


@dataclass
class CoverageOutcome:
    report: CoverageReport
    run_id: str | None = None
    alerts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {**self.report.to_dict(), "run_id": self.run_id, "alerts": self.alerts}


def thresholds_of(settings: Settings, neighbour: float | None = None) -> Thresholds:
    from evaluation.coverage import Thresholds

    m = settings.monitors
    return Thresholds(
        neighbour=m.coverage_neighbour if neighbour is None else neighbour,
        far=m.coverage_far,
        cluster=m.coverage_cluster,
    )


def sample_vectors(settings: Settings, samples: list[CoverageSample]) -> np.ndarray:
    """Each sample's vector: the index's stored one, else embedded now."""
    import numpy as np

    from provrag import wiring
    from retrieval.index_bundle import IndexBundle

    bundle = (
        IndexBundle.load(settings.index_dir) if IndexBundle.exists(settings.index_dir) else None
    )
    dim: int | None = bundle.dimension if bundle is not None else None
    stored: dict[int, np.ndarray] = {}
    missing: list[int] = []
    if bundle is not None:
        ids = [IndexBundle.id_of(s.iri) for s in samples]
        present = [i for i, id_ in enumerate(ids) if bundle.has(id_)]
        if present:
            vecs = bundle.vectors.vectors_of(np.asarray([ids[i] for i in present], dtype=np.int64))
            stored = {i: vecs[j] for j, i in enumerate(present)}
        missing = [i for i in range(len(samples)) if i not in stored]
    else:
        missing = list(range(len(samples)))
    if missing:
        embedded = wiring.build_embedder(settings).embed([samples[i].text for i in missing])
        stored.update({i: embedded[j] for j, i in enumerate(missing)})
        dim = int(embedded.shape[1])
    if not samples:
        return np.zeros((0, dim or 1), dtype=np.float32)
    return np.vstack([stored[i] for i in range(len(samples))]).astype(np.float32)


def coverage(
    settings: Settings,
    kg: KnowledgeGraph,
    dataset: str,
    *,
    golden: str | None = None,
    neighbour: float | None = None,
    record: bool = True,
) -> CoverageOutcome:
    """Coverage of ``dataset``'s real samples (and of golden set ``golden``'s queries,
    a path or NAME[@VERSION]) by its synthetic samples; recorded unless ``record`` is
    false."""
    from evaluation.coverage import CoverageItem, coverage_report
    from evaluation.record import new_run_id
    from provrag import wiring
    from provrag.services.golden import resolve_golden

    started = datetime.now(UTC)
    samples = dataset_samples(kg, dataset)
    real = [s for s in samples if s.origin == "real"]
    synthetic = [s for s in samples if s.origin == "synthetic"]
    vectors = sample_vectors(settings, real + synthetic)

    def items(group: list[CoverageSample]) -> list[CoverageItem]:
        return [CoverageItem(s.external_id, s.text, s.labels, s.entities, s.config) for s in group]

    golden_items = golden_vectors = None
    if golden is not None:
        gs = resolve_golden(kg, golden)
        golden_items = [CoverageItem(i.query_id, i.query) for i in gs.items]
        golden_vectors = wiring.build_embedder(settings).embed([i.text for i in golden_items])
    report = coverage_report(
        dataset,
        items(real),
        vectors[: len(real)],
        items(synthetic),
        vectors[len(real) :],
        golden=golden_items,
        golden_vectors=golden_vectors,
        thresholds=thresholds_of(settings, neighbour),
    )
    outcome = CoverageOutcome(report)
    if not record:
        return outcome
    run_id = new_run_id(started)
    run_iri = record_monitor_run(
        kg,
        MonitorRunIn(
            run_id=run_id,
            monitor="coverage",
            started=started,
            ended=datetime.now(UTC),
            result=report.to_dict(),
            measurements=report.measurements(),
            dataset=dataset,
        ),
    )
    outcome.run_id = run_id
    m = settings.monitors
    for measure, value, threshold in (
        ("real_covered_share", report.real_covered_share, m.min_real_covered),
        ("golden_covered_share", report.golden_covered_share, m.min_golden_covered),
    ):
        aid = check_threshold(
            kg,
            monitor="coverage",
            measure=measure,
            value=value,
            threshold=threshold,
            comparator=">=",
            dataset=dataset,
            informed_by=run_iri,
        )
        if aid is not None:
            outcome.alerts.append(aid)
    return outcome
