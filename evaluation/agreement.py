"""Inter-annotator agreement on the labels of the graph.

The coefficients (percent agreement, Cohen's and Fleiss' kappa, Krippendorff's
alpha) are pure functions on a label matrix, in :mod:`evaluation.coefficients`.
Here, graph side: :func:`label_matrix` reads the labels of one field and
:func:`agreement_report` puts everything together, per guideline version and per
origin, with the list of disagreements. Which samples count
(:func:`kg.queries.labels.field_labels` reads them):

- no ``version``: the *current* samples (not invalidated), of ``dataset`` when
  given;
- with ``version``: the members of that dataset version as it was ingested
  (:func:`kg.queries.versions.version_members_pattern`): a revision later
  superseded still counts for the version it belongs to, a deleted sample
  counts for none. So the agreement of an old version does not change when a
  newer version revises some of its samples.

Only labels of the given annotator kinds count (default: ``human``; software
annotators such as keyword heuristics are left out). When one annotator gave one
item several values for the same field, the most recent label
(``prov:endedAtTime`` of its annotation; ties and undated ones by value) is kept
and the report counts the case in ``repeated_labels``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import datetime
from itertools import combinations
from typing import Any

from evaluation.coefficients import (
    LabelMatrix,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairable_rows,
    percent_agreement,
    value_sort_key,
)
from evaluation.drift import check_version
from evaluation.errors import MetricError
from kg.graph import KnowledgeGraph
from kg.model import LabelValue
from kg.queries import labels as label_queries
from kg.typing import AnnotatorKind

#: annotator kinds counted when none are given
DEFAULT_KINDS: tuple[AnnotatorKind, ...] = ("human",)


# ------------------------------------------------------------------ observations


@dataclass(frozen=True)
class LabelObservation:
    """One label of one field, as read from the graph."""

    item: str
    annotator: str
    value: LabelValue
    origin: str | None = None
    guideline_version: str | None = None
    labeled_at: datetime | None = None


def _latest_first(obs: LabelObservation) -> tuple[bool, str, tuple[str, str]]:
    when = obs.labeled_at
    return when is not None, when.isoformat() if when else "", value_sort_key(obs.value)


def deduplicate(
    observations: Iterable[LabelObservation],
) -> tuple[list[LabelObservation], int]:
    """One observation per (item, annotator): the most recent one; and how many pairs had
    several distinct values."""
    groups: dict[tuple[str, str], list[LabelObservation]] = defaultdict(list)
    for o in observations:
        groups[(o.item, o.annotator)].append(o)
    kept: list[LabelObservation] = []
    repeated = 0
    for group in groups.values():
        if len({value_sort_key(o.value) for o in group}) > 1:
            repeated += 1
        kept.append(max(group, key=_latest_first))
    return kept, repeated


def matrix_of(observations: Iterable[LabelObservation]) -> LabelMatrix:
    """``item -> annotator -> value`` (observations already deduplicated)."""
    out: LabelMatrix = {}
    for o in observations:
        out.setdefault(o.item, {})[o.annotator] = o.value
    return out


# ------------------------------------------------------------------ graph reads


def label_observations(
    kg: KnowledgeGraph,
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Collection[str] | None = DEFAULT_KINDS,
) -> list[LabelObservation]:
    """Every label of ``field`` on the samples in scope (see the module docstring).

    Items are sample external ids; when no ``dataset`` is given and the same external
    id occurs in two datasets, every item is ``<dataset>/<external id>`` instead.
    """
    if version is not None:
        if dataset is None:
            raise MetricError(f"a dataset version ({version!r}) needs its dataset; give dataset")
        check_version(kg, dataset, version)
    rows = label_queries.field_labels(
        kg, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
    )
    datasets_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        datasets_of[r.external_id].add(r.dataset)
    qualify = dataset is None and any(len(d) > 1 for d in datasets_of.values())
    return [
        LabelObservation(
            item=f"{r.dataset}/{r.external_id}" if qualify else r.external_id,
            annotator=r.annotator,
            value=r.value,
            origin=r.origin,
            guideline_version=r.guideline_version,
            labeled_at=r.labeled_at,
        )
        for r in rows
    ]


def label_matrix(
    kg: KnowledgeGraph,
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Collection[str] | None = DEFAULT_KINDS,
) -> LabelMatrix:
    """``sample external id -> annotator name -> value`` for ``field`` (see the module
    docstring for which samples and labels count)."""
    obs = label_observations(
        kg, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
    )
    return matrix_of(deduplicate(obs)[0])


def label_fields(kg: KnowledgeGraph) -> list[str]:
    """The label fields present on current samples (for error messages and listings)."""
    return label_queries.label_fields(kg)


# ------------------------------------------------------------------------ report


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators over the items both labelled."""

    a: str
    b: str
    items: int
    agreement: float | None
    kappa: float | None


@dataclass(frozen=True)
class GroupAgreement:
    """Agreement within one group (a guideline version, an origin)."""

    items: int
    labels: int
    disagreements: int
    percent_agreement: float | None
    alpha: float | None


@dataclass(frozen=True)
class Disagreement:
    item: str
    values: dict[str, LabelValue]
    origin: str | None = None


@dataclass
class AgreementReport:
    """Agreement on one label field. ``items`` counts items with at least two labels
    (the ones every coefficient is computed on); ``single_labelled`` the others."""

    field: str
    dataset: str | None
    version: str | None
    annotator_kinds: list[str] | None
    annotators: list[str]
    labels: int
    items: int
    single_labelled: int
    percent_agreement: float | None
    pairwise_agreement: float | None
    alpha: float | None
    #: only when every item has the same number of labels, else ``None``
    fleiss_kappa: float | None
    pairs: list[PairAgreement] = dc_field(default_factory=list)
    by_guideline_version: dict[str, GroupAgreement] = dc_field(default_factory=dict)
    by_origin: dict[str, GroupAgreement] = dc_field(default_factory=dict)
    disagreements: list[Disagreement] = dc_field(default_factory=list)
    repeated_labels: int = 0

    @property
    def disagreement_rate(self) -> float | None:
        return None if self.items == 0 else len(self.disagreements) / self.items

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["disagreement_rate"] = self.disagreement_rate
        return out


def _group(observations: Sequence[LabelObservation]) -> GroupAgreement:
    matrix = matrix_of(observations)
    rows = pairable_rows(matrix)
    return GroupAgreement(
        items=len(rows),
        labels=sum(len(r) for r in rows),
        disagreements=sum(1 for r in rows if len(set(r)) > 1),
        percent_agreement=percent_agreement(matrix),
        alpha=krippendorff_alpha(matrix),
    )


def _grouped(observations: Sequence[LabelObservation], key: str) -> dict[str, GroupAgreement]:
    groups: dict[str, list[LabelObservation]] = defaultdict(list)
    for o in observations:
        groups[str(getattr(o, key))].append(o)
    return {k: _group(v) for k, v in sorted(groups.items())}


def report_from_observations(
    observations: Iterable[LabelObservation],
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Collection[str] | None = DEFAULT_KINDS,
) -> AgreementReport:
    """The agreement report of already-read observations (no graph needed)."""
    obs, repeated = deduplicate(observations)
    matrix = matrix_of(obs)
    origin_of = {o.item: o.origin for o in obs}
    annotators = sorted({o.annotator for o in obs})
    pairable = {item: row for item, row in matrix.items() if len(row) >= 2}
    sizes = {len(row) for row in pairable.values()}
    fleiss = fleiss_kappa(pairable) if len(sizes) == 1 else None
    pairs = []
    for a, b in combinations(annotators, 2):
        va = {item: row[a] for item, row in matrix.items() if a in row}
        vb = {item: row[b] for item, row in matrix.items() if b in row}
        common = [k for k in va if k in vb]
        if not common:
            continue
        pairs.append(
            PairAgreement(
                a=a,
                b=b,
                items=len(common),
                agreement=sum(1 for k in common if va[k] == vb[k]) / len(common),
                kappa=cohen_kappa(va, vb),
            )
        )
    disagreements = [
        Disagreement(
            item=item,
            values=dict(sorted(row.items())),
            origin=origin_of.get(item),
        )
        for item, row in sorted(pairable.items())
        if len(set(row.values())) > 1
    ]
    kept = [o for o in obs if o.item in pairable]
    return AgreementReport(
        field=field,
        dataset=dataset,
        version=version,
        annotator_kinds=None if annotator_kinds is None else sorted(annotator_kinds),
        annotators=annotators,
        labels=len(obs),
        items=len(pairable),
        single_labelled=len(matrix) - len(pairable),
        percent_agreement=percent_agreement(matrix),
        pairwise_agreement=percent_agreement(matrix, method="pairwise"),
        alpha=krippendorff_alpha(matrix),
        fleiss_kappa=fleiss,
        pairs=pairs,
        by_guideline_version=_grouped(kept, "guideline_version"),
        by_origin=_grouped(kept, "origin"),
        disagreements=disagreements,
        repeated_labels=repeated,
    )


def agreement_report(
    kg: KnowledgeGraph,
    field: str,
    *,
    dataset: str | None = None,
    version: str | None = None,
    annotator_kinds: Collection[str] | None = DEFAULT_KINDS,
) -> AgreementReport:
    """Agreement of the annotators on ``field``: percent agreement, Krippendorff's alpha,
    Fleiss' kappa (when applicable), pairwise Cohen's kappa, per guideline version and
    per origin, and every disagreement.

    Per guideline version, each annotator's label counts under the guideline version
    it was made with, so an item appears in a version's group only when two labels
    of it were made under that version.
    """
    obs = label_observations(
        kg, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
    )
    return report_from_observations(
        obs, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
    )
