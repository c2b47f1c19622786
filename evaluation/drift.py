"""Drift between two versions of a dataset: what changed, and how the data moved.

Membership
----------
A sample belongs to dataset version ``V`` when it has ``pr:inDatasetVersion`` the
version's IRI (:func:`kg.ids.dataset_version_iri`). An unchanged sample joins a new
version by an extra ``pr:inDatasetVersion`` triple, so it is a member of both; a
revised sample is a new revision IRI in the new version (``prov:wasRevisionOf`` the
old one), while the old revision stays a member of the old version. So a version is
read *as it was ingested*, with two exceptions
(:func:`kg.queries.versions.version_members_pattern`):

- a sample invalidated by a deletion (``prov:wasInvalidatedBy`` a ``pr:Deletion``)
  leaves every version, as ``provrag delete`` promises;
- a revision superseded by another revision *in the same version* (the same id
  repeated in one input with ``on_duplicate=overwrite``) gives way to it.

Between version A and version B, per logical sample (dataset + external id):
*unchanged* the same revision is in both, *changed* a different revision of the
same id, *new* only in B, *removed* only in A.

Distributions
-------------
For the label values of every field (all annotator kinds unless restricted), the
origin mix (real / synthetic), and the ``<generator>/<prompt version>`` mix of the
synthetic samples, each version's counts are compared with

- the Jensen-Shannon divergence in bits (:func:`js_divergence`, 0 = same
  distribution, 1 = disjoint supports);
- Pearson's chi-square test of homogeneity on the 2 x k table of counts
  (:func:`chi_square_homogeneity`), without continuity correction. Read its
  p-value as a screening signal, not an exact test: the versions share their
  unchanged samples, and the labels of one sample are not independent.

Text lengths are in characters (Unicode code points). With an ``embedder``, every
member text is embedded (each distinct text once), L2-normalised, averaged per
version, and the report gives the cosine distance between the two centroids.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from evaluation.errors import EvaluationError, MetricError, UnknownVersionError
from kg.graph import KnowledgeGraph
from kg.queries.versions import (
    VersionMember,
    dataset_versions,
    has_dataset_version,
    version_label_counts,
    version_members,
    version_texts,
)

#: prompt-version key of a synthetic sample whose config names no prompt version
NO_PROMPT_VERSION = "(none)"


class TextEmbedder(Protocol):
    """``embed(texts) -> (len(texts), dim) array``, e.g. ``retrieval.Embedder.embed``."""

    def __call__(self, texts: Sequence[str], /) -> np.ndarray: ...


# ------------------------------------------------------------------ membership


def check_version(kg: KnowledgeGraph, dataset: str, version: str) -> None:
    """Raise :class:`UnknownVersionError` unless the graph knows the dataset version."""
    if not has_dataset_version(kg, dataset, version):
        raise UnknownVersionError(dataset, version, dataset_versions(kg, dataset))


# ------------------------------------------------------------------ statistics


def _probabilities(counts: Mapping[str, float], keys: Sequence[str]) -> np.ndarray:
    arr = np.array([float(counts.get(k, 0.0)) for k in keys], dtype=np.float64)
    if (arr < 0).any():
        raise MetricError(f"counts must not be negative, got {dict(counts)!r}")
    total = arr.sum()
    if total <= 0:
        raise MetricError("a distribution with no mass has no divergence; got all zero counts")
    return arr / total


def js_divergence(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Jensen-Shannon divergence in bits of two count (or probability) vectors.

    ``JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M)`` with ``M = (P + Q) / 2`` and
    ``KL(P || M) = sum_i p_i log2(p_i / m_i)`` (terms with ``p_i = 0`` are 0). Counts
    are normalised first; keys missing from one side count 0. Symmetric, in [0, 1].

    J. Lin, "Divergence measures based on the Shannon entropy", *IEEE Transactions
    on Information Theory* 37(1):145-151, 1991.
    """
    keys = sorted(set(p) | set(q))
    pa = _probabilities(p, keys)
    qa = _probabilities(q, keys)
    m = (pa + qa) / 2.0

    def kl(x: np.ndarray) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / m[nz])))

    # clip rounding noise (e.g. -1e-17 for identical inputs)
    return min(1.0, max(0.0, 0.5 * kl(pa) + 0.5 * kl(qa)))


def chi2_sf(x: float, dof: int) -> float:
    """Upper tail ``P(X >= x)`` of the chi-square distribution with integer ``dof``.

    The regularised upper incomplete gamma ``Q(dof/2, x/2)`` by the recurrence
    ``Q(a + 1, y) = Q(a, y) + y^a e^-y / Gamma(a + 1)`` from ``Q(1/2, y) = erfc(sqrt y)``
    (odd ``dof``) or ``Q(1, y) = e^-y`` (even ``dof``); Abramowitz & Stegun,
    *Handbook of Mathematical Functions*, 1964, 26.4.4-26.4.5 and 6.5.21.
    """
    if dof < 1:
        raise MetricError(f"chi-square needs at least 1 degree of freedom, got {dof}")
    if x <= 0:
        return 1.0
    y = x / 2.0
    if dof % 2:
        q, a = math.erfc(math.sqrt(y)), 0.5
    else:
        q, a = math.exp(-y), 1.0
    while a < dof / 2.0:
        q += math.exp(a * math.log(y) - y - math.lgamma(a + 1.0))
        a += 1.0
    return min(1.0, q)


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    dof: int
    p_value: float


def chi_square_homogeneity(a: Mapping[str, int], b: Mapping[str, int]) -> ChiSquare | None:
    """Pearson's chi-square test that two count vectors come from one distribution.

    On the 2 x k table (rows: a, b; columns: the categories with a non-zero total),
    ``E_rc = row_r * col_c / N`` and ``X^2 = sum (O_rc - E_rc)^2 / E_rc`` with
    ``k - 1`` degrees of freedom; no continuity correction (what
    ``scipy.stats.chi2_contingency(..., correction=False)`` computes).

    K. Pearson, "On the criterion that a given system of deviations from the probable
    ...", *Philosophical Magazine* 5(50):157-175, 1900.

    ``None`` when either side is empty or only one category occurs (nothing to test).
    """
    keys = sorted(k for k in set(a) | set(b) if a.get(k, 0) + b.get(k, 0) > 0)
    table = np.array([[a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]], dtype=float)
    if len(keys) < 2 or (table.sum(axis=1) == 0).any():
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    stat = float(np.sum((table - expected) ** 2 / expected))
    dof = len(keys) - 1
    return ChiSquare(statistic=stat, dof=dof, p_value=chi2_sf(stat, dof))


# ------------------------------------------------------------------ report


@dataclass(frozen=True)
class Distribution:
    """Counts of one categorical variable in version A and in version B."""

    counts_a: dict[str, int]
    counts_b: dict[str, int]
    js_divergence: float | None
    chi_square: ChiSquare | None

    @classmethod
    def of(cls, a: Mapping[str, int], b: Mapping[str, int]) -> Distribution:
        ca = dict(sorted((k, int(v)) for k, v in a.items() if v))
        cb = dict(sorted((k, int(v)) for k, v in b.items() if v))
        js = js_divergence(ca, cb) if ca and cb else None
        return cls(ca, cb, js, chi_square_homogeneity(ca, cb))

    @staticmethod
    def share(counts: Mapping[str, int], key: str) -> float | None:
        total = sum(counts.values())
        return None if total == 0 else counts.get(key, 0) / total


@dataclass(frozen=True)
class LengthStats:
    """Text length in characters over one version's samples."""

    n: int
    mean: float | None
    std: float | None
    min: int | None
    median: float | None
    p90: float | None
    max: int | None

    @classmethod
    def of(cls, lengths: Sequence[int]) -> LengthStats:
        if not lengths:
            return cls(0, None, None, None, None, None, None)
        arr = np.asarray(lengths, dtype=np.float64)
        return cls(
            n=len(lengths),
            mean=float(arr.mean()),
            std=float(arr.std()),
            min=int(arr.min()),
            median=float(np.percentile(arr, 50)),
            p90=float(np.percentile(arr, 90)),
            max=int(arr.max()),
        )


@dataclass(frozen=True)
class SampleChanges:
    """Per logical sample between A and B; the id lists are sorted external ids."""

    size_a: int
    size_b: int
    unchanged: int
    changed: int
    new: int
    removed: int
    changed_ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    removed_ids: list[str] = field(default_factory=list)


@dataclass
class DriftReport:
    dataset: str
    version_a: str
    version_b: str
    samples: SampleChanges
    origin: Distribution
    #: ``<generator>/<prompt version>`` of the synthetic samples
    prompt_versions: Distribution
    #: label field -> value distribution (label values as text)
    labels: dict[str, Distribution]
    length_a: LengthStats
    length_b: LengthStats
    annotator_kinds: list[str] | None = None
    #: cosine distance of the L2-normalised embedding centroids (with an embedder)
    centroid_distance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _prompt_key(member: VersionMember) -> str | None:
    """``<generator>/<prompt version>`` of a generated sample, else None."""
    if member.generator is None:
        return None
    return f"{member.generator}/{member.prompt_version or NO_PROMPT_VERSION}"


def _prompt_counts(members: Sequence[VersionMember]) -> Counter[str]:
    keys = (_prompt_key(m) for m in members if m.origin == "synthetic")
    return Counter(k for k in keys if k)


def _label_counts(
    kg: KnowledgeGraph, dataset: str, version: str, kinds: Collection[str] | None
) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for row in version_label_counts(kg, dataset, version, kinds):
        out.setdefault(row.field, Counter())[row.value] += row.count
    return out


def _centroid_distance(
    texts_a: Mapping[str, str], texts_b: Mapping[str, str], embed: TextEmbedder
) -> float | None:
    if not texts_a or not texts_b:
        return None
    distinct = sorted(set(texts_a.values()) | set(texts_b.values()))
    vectors = np.asarray(embed(distinct), dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] != len(distinct):
        raise EvaluationError(
            f"the embedder returned shape {vectors.shape} for {len(distinct)} texts; "
            "it must return one row per text"
        )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    row = {t: i for i, t in enumerate(distinct)}
    ca = vectors[[row[t] for t in texts_a.values()]].mean(axis=0)
    cb = vectors[[row[t] for t in texts_b.values()]].mean(axis=0)
    na, nb = float(np.linalg.norm(ca)), float(np.linalg.norm(cb))
    if na == 0 or nb == 0:
        return None
    return float(1.0 - np.dot(ca, cb) / (na * nb))


def _changes(a: Sequence[VersionMember], b: Sequence[VersionMember]) -> SampleChanges:
    rev_a = {m.logical: m for m in a}
    rev_b = {m.logical: m for m in b}
    common = rev_a.keys() & rev_b.keys()
    changed = sorted(rev_b[k].external_id for k in common if rev_a[k].revision != rev_b[k].revision)
    return SampleChanges(
        size_a=len(rev_a),
        size_b=len(rev_b),
        unchanged=len(common) - len(changed),
        changed=len(changed),
        new=len(rev_b.keys() - rev_a.keys()),
        removed=len(rev_a.keys() - rev_b.keys()),
        changed_ids=changed,
        new_ids=sorted(rev_b[k].external_id for k in rev_b.keys() - rev_a.keys()),
        removed_ids=sorted(rev_a[k].external_id for k in rev_a.keys() - rev_b.keys()),
    )


def drift_report(
    kg: KnowledgeGraph,
    dataset: str,
    version_a: str,
    version_b: str,
    *,
    embedder: TextEmbedder | None = None,
    annotator_kinds: Collection[str] | None = None,
) -> DriftReport:
    """How ``dataset`` moved from ``version_a`` to ``version_b`` (see the module docstring).

    ``embedder`` is a function ``texts -> array`` (e.g. the ``embed`` method of a
    retrieval embedder); without it no embedding is computed. ``annotator_kinds``
    restricts the label distributions to labels of those kinds (default: all).
    Raises :class:`UnknownVersionError` when a version is not in the graph.
    """
    check_version(kg, dataset, version_a)
    check_version(kg, dataset, version_b)
    a = version_members(kg, dataset, version_a)
    b = version_members(kg, dataset, version_b)
    labels_a = _label_counts(kg, dataset, version_a, annotator_kinds)
    labels_b = _label_counts(kg, dataset, version_b, annotator_kinds)
    distance = None
    if embedder is not None:
        distance = _centroid_distance(
            version_texts(kg, dataset, version_a), version_texts(kg, dataset, version_b), embedder
        )
    return DriftReport(
        dataset=dataset,
        version_a=version_a,
        version_b=version_b,
        samples=_changes(a, b),
        origin=Distribution.of(
            Counter(m.origin or "unknown" for m in a), Counter(m.origin or "unknown" for m in b)
        ),
        prompt_versions=Distribution.of(
            _prompt_counts(a),
            _prompt_counts(b),
        ),
        labels={
            f: Distribution.of(labels_a.get(f, Counter()), labels_b.get(f, Counter()))
            for f in sorted(labels_a.keys() | labels_b.keys())
        },
        length_a=LengthStats.of([m.length for m in a]),
        length_b=LengthStats.of([m.length for m in b]),
        annotator_kinds=None if annotator_kinds is None else sorted(annotator_kinds),
        centroid_distance=distance,
    )
