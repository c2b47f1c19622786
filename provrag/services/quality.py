"""The quality reads: graph counts, label agreement and dataset drift.

``provrag stats``, ``agreement`` and ``drift`` and the Python API's
:meth:`~provrag.api.Client.stats`, :meth:`~provrag.api.Client.agreement` and
:meth:`~provrag.api.Client.drift` run these: the checks of what was asked, the
embedder of a drift with ``embed`` (:mod:`provrag.wiring`), and an empty
agreement turned into an error naming the label fields the graph holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evaluation.agreement import DEFAULT_KINDS
from kg.graph import KnowledgeGraph
from provrag.errors import ServiceError, UsageError
from provrag.settings import Settings

if TYPE_CHECKING:
    from evaluation.agreement import AgreementReport
    from evaluation.drift import DriftReport


def stats(kg: KnowledgeGraph) -> dict[str, Any]:
    """Counts of current samples by origin, dataset version, generator config,
    annotator and label field, and totals (:func:`kg.stats.graph_stats`)."""
    from kg.stats import graph_stats

    return graph_stats(kg)


def agreement(
    kg: KnowledgeGraph,
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Sequence[str] | None = DEFAULT_KINDS,
) -> AgreementReport:
    """Inter-annotator agreement on label ``field`` (``annotator_kinds``: by default
    experts only, None: every kind).

    Without ``version``: the current samples; with it, that version of ``dataset`` as
    ingested. Raises :class:`~provrag.errors.UsageError` for a version without its
    dataset and :class:`~provrag.errors.ServiceError` when no label is in scope.
    """
    from evaluation.agreement import agreement_report, label_fields

    if version is not None and dataset is None:
        raise UsageError(f"--version {version!r} needs --dataset (the dataset it is a version of)")
    kinds = None if annotator_kinds is None else tuple(annotator_kinds)
    report = agreement_report(kg, field, dataset=dataset, version=version, annotator_kinds=kinds)
    if report.labels == 0:
        fields = label_fields(kg)
        kinds_text = "any" if kinds is None else "/".join(kinds)
        known = ", ".join(fields) if fields else "none"
        raise ServiceError(
            f"no labels of field {field!r} from {kinds_text} annotators in scope; "
            f"label fields in the graph: {known}"
        )
    return report


def drift(
    settings: Settings,
    kg: KnowledgeGraph,
    dataset: str,
    version_a: str,
    version_b: str,
    *,
    embed: bool = False,
    annotator_kinds: Sequence[str] | None = None,
) -> DriftReport:
    """How ``dataset`` moved from ``version_a`` to ``version_b``; with ``embed``, also
    the cosine distance between the versions' embedding centroids (the settings'
    embedder, loaded on first use)."""
    from evaluation.drift import drift_report
    from provrag import wiring

    embedder = wiring.build_embedder(settings).embed if embed else None
    return drift_report(
        kg,
        dataset,
        version_a,
        version_b,
        embedder=embedder,
        annotator_kinds=tuple(annotator_kinds) if annotator_kinds else None,
    )
