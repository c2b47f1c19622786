"""Inter-annotator agreement on the labels of the graph.

Pure functions on a *label matrix* (``item -> annotator -> value``; an annotator
who did not label an item is simply absent), in the style of ranx / trec tools:

- :func:`percent_agreement` raw agreement (unanimous items, or mean pairwise);
- :func:`cohen_kappa` two annotators (Cohen 1960);
- :func:`fleiss_kappa` a fixed number of raters per item (Fleiss 1971);
- :func:`krippendorff_alpha` nominal alpha, any number of annotators per item,
  missing labels allowed (Krippendorff 2011).

All values are compared as nominal categories (equal or not). A coefficient that
is undefined for its input (no pairable item, or no variation at all so the
chance agreement is 1) is ``None``, never ``NaN``, so reports stay valid JSON.

Graph side: :func:`label_matrix` reads the labels of one field and
:func:`agreement_report` puts everything together, per guideline version and per
origin, with the list of disagreements. Which samples count:

- no ``version``: the *current* samples (not invalidated), of ``dataset`` when
  given;
- with ``version``: the members of that dataset version as it was ingested
  (:func:`evaluation.drift.version_members_pattern`): a revision later
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

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import datetime
from itertools import combinations
from typing import Any

from evaluation.drift import check_version, version_members_pattern
from evaluation.errors import MetricError
from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import LabelValue
from kg.typing import AnnotatorKind, PercentMethod

#: item (sample external id) -> annotator name -> label value
LabelMatrix = dict[str, dict[str, LabelValue]]

#: annotator kinds counted when none are given
DEFAULT_KINDS: tuple[AnnotatorKind, ...] = ("human",)


# ------------------------------------------------------------------ coefficients


def _sort_key(value: object) -> tuple[str, str]:
    """Order of mixed-type label values in tables: by type name, then text."""
    return type(value).__name__, str(value)


def _pairable(matrix: Mapping[str, Mapping[str, LabelValue]]) -> list[list[LabelValue]]:
    """The values of every item labelled by at least two annotators."""
    return [list(row.values()) for row in matrix.values() if len(row) >= 2]


def percent_agreement(
    matrix: Mapping[str, Mapping[str, LabelValue]], *, method: PercentMethod = "unanimous"
) -> float | None:
    """Raw agreement over the items labelled by at least two annotators.

    ``unanimous``: the share of those items on which every annotator gave the same
    value (``1 -`` the disagreement rate).

    ``pairwise``: the mean over items of the share of agreeing annotator pairs,
    ``A_o = 1/N * sum_i sum_c n_ic (n_ic - 1) / (m_i (m_i - 1))`` with ``m_i`` labels on
    item ``i`` and ``n_ic`` of them equal to ``c`` (the observed agreement of
    Artstein & Poesio, "Inter-coder agreement for computational linguistics",
    *Computational Linguistics* 34(4), 2008, sec. 2.6, allowing ``m_i`` to vary).

    ``None`` when no item has two labels.
    """
    rows = _pairable(matrix)
    if not rows:
        return None
    if method == "unanimous":
        return sum(1 for r in rows if len(set(r)) == 1) / len(rows)
    if method != "pairwise":
        raise MetricError(f"unknown percent agreement method {method!r}; use unanimous|pairwise")
    total = 0.0
    for r in rows:
        m = len(r)
        total += sum(n * (n - 1) for n in Counter(r).values()) / (m * (m - 1))
    return total / len(rows)


def cohen_kappa(a: Mapping[str, LabelValue], b: Mapping[str, LabelValue]) -> float | None:
    """Cohen's kappa of two annotators over the items both labelled.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the share of common items with
    equal values and ``p_e = sum_c p_a(c) p_b(c)``, the agreement expected by chance
    from each annotator's own value distribution over the common items.

    J. Cohen, "A coefficient of agreement for nominal scales", *Educational and
    Psychological Measurement* 20(1):37-46, 1960.

    ``None`` when there is no common item or ``p_e = 1`` (both used one and the same
    value throughout: kappa is undefined).
    """
    common = [k for k in a if k in b]
    n = len(common)
    if n == 0:
        return None
    p_o = sum(1 for k in common if a[k] == b[k]) / n
    count_a = Counter(a[k] for k in common)
    count_b = Counter(b[k] for k in common)
    p_e = sum(count_a[c] * count_b.get(c, 0) for c in count_a) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(matrix: Mapping[str, Mapping[str, LabelValue]]) -> float | None:
    """Fleiss' kappa: every item rated by the same number ``n >= 2`` of raters.

    With ``N`` items, ``n_ij`` raters putting item ``i`` in category ``j``:
    ``p_j = sum_i n_ij / (N n)``, ``P_i = (sum_j n_ij^2 - n) / (n (n - 1))``,
    ``P = mean_i P_i``, ``P_e = sum_j p_j^2`` and ``kappa = (P - P_e) / (1 - P_e)``.
    The raters need not be the same people on every item, only as many.

    J. L. Fleiss, "Measuring nominal scale agreement among many raters",
    *Psychological Bulletin* 76(5):378-382, 1971.

    Items without any label are ignored. Raises :class:`MetricError` when the
    number of raters varies between items: use :func:`krippendorff_alpha`, which
    allows any number of labels per item. ``None`` for no items or ``P_e = 1``.
    """
    rows = [list(r.values()) for r in matrix.values() if r]
    if not rows:
        return None
    sizes = Counter(len(r) for r in rows)
    if len(sizes) > 1:
        raise MetricError(
            "Fleiss' kappa needs the same number of labels on every item, got "
            f"{dict(sorted(sizes.items()))} (labels per item -> items); "
            "use krippendorff_alpha for a varying number"
        )
    n = len(rows[0])
    if n < 2:
        raise MetricError(f"Fleiss' kappa needs at least 2 labels per item, got {n}")
    big_n = len(rows)
    totals: Counter[LabelValue] = Counter()
    p_bar = 0.0
    for r in rows:
        counts = Counter(r)
        totals.update(counts)
        p_bar += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
    p_bar /= big_n
    p_e = sum((t / (big_n * n)) ** 2 for t in totals.values())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(matrix: Mapping[str, Mapping[str, LabelValue]]) -> float | None:
    """Krippendorff's alpha for nominal values; any annotators per item, missing allowed.

    Only items with ``m_u >= 2`` labels are pairable. From the coincidence matrix
    ``o_ck = sum_u n_uc n_uk / (m_u - 1)`` (``n_uc (n_uc - 1)`` on the diagonal), with
    ``n_c = sum_k o_ck`` and ``n = sum_c n_c`` the number of pairable values:

    ``alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``

    where ``sum_{c != k} o_ck = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)`` and
    ``sum_{c != k} n_c n_k = n^2 - sum_c n_c^2``.

    K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", Annenberg School
    for Communication, Departmental Papers 43, 2011; A. F. Hayes & K. Krippendorff,
    "Answering the call for a standard reliability measure for coding data",
    *Communication Methods and Measures* 1(1):77-89, 2007.

    ``None`` when fewer than two pairable values exist or all of them are equal
    (no variation: the expected disagreement is 0 and alpha is undefined).
    """
    rows = _pairable(matrix)
    n_c: Counter[LabelValue] = Counter()
    observed = 0.0
    for r in rows:
        m = len(r)
        counts = Counter(r)
        n_c.update(counts)
        observed += (m * m - sum(c * c for c in counts.values())) / (m - 1)
    n = sum(n_c.values())
    expected = n * n - sum(c * c for c in n_c.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


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
    return when is not None, when.isoformat() if when else "", _sort_key(obs.value)


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
        if len({_sort_key(o.value) for o in group}) > 1:
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


def _kinds_filter(kinds: Collection[str] | None) -> str:
    if kinds is None:
        return ""
    values = " ".join(f'"{k}"' for k in sorted(kinds))
    return f"VALUES ?kind {{ {values} }}"


def _scope(dataset: str | None, version: str | None) -> str:
    if version is not None:
        if dataset is None:
            raise MetricError(f"a dataset version ({version!r}) needs its dataset; give dataset")
        return version_members_pattern("?s", dataset, version)
    pattern = "?s a pr:Sample . FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?invalidated }"
    if dataset is not None:
        dataset_node = f"<{ids.dataset_iri(dataset)}>"
        pattern += f"\n  ?s pr:inDatasetVersion ?dv . ?dv dcterms:isVersionOf {dataset_node} ."
    return pattern


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
    scope = _scope(dataset, version)
    if version is not None and dataset is not None:
        check_version(kg, dataset, version)
    field_lit = field.replace("\\", "\\\\").replace('"', '\\"')
    rows = kg.select(
        f"""
SELECT DISTINCT ?s ?id ?ds ?origin ?l ?name ?value ?gv ?at WHERE {{
  {scope}
  ?s pr:externalId ?id ; pr:inDatasetVersion ?sdv .
  ?sdv pr:datasetName ?ds .
  OPTIONAL {{ ?s pr:origin ?origin }}
  ?s pr:hasLabel ?l .
  ?l pr:labelField "{field_lit}" ; pr:labelValue ?value ; prov:wasAttributedTo ?agent .
  ?agent rdfs:label ?name .
  ?l prov:wasGeneratedBy ?a .
  ?a pr:annotatorKind ?kind .
  {_kinds_filter(annotator_kinds)}
  OPTIONAL {{ ?a pr:guideline ?g . ?g pr:guidelineVersion ?gv }}
  OPTIONAL {{ ?a prov:endedAtTime ?at }}
}}"""
    )
    datasets_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        datasets_of[r["id"]].add(r["ds"])
    qualify = dataset is None and any(len(d) > 1 for d in datasets_of.values())
    seen: set[str] = set()
    out: list[LabelObservation] = []
    for r in rows:
        if r["l"] in seen:  # one label, one observation (whatever joins repeated it)
            continue
        seen.add(r["l"])
        at = r.get("at")
        out.append(
            LabelObservation(
                item=f"{r['ds']}/{r['id']}" if qualify else r["id"],
                annotator=r["name"],
                value=r["value"],
                origin=r.get("origin"),
                guideline_version=r.get("gv"),
                labeled_at=at if isinstance(at, datetime) else None,
            )
        )
    return out


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
    rows = kg.select(
        "SELECT DISTINCT ?f WHERE { ?s a pr:Sample ; pr:hasLabel ?l . ?l pr:labelField ?f . "
        "FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?t } } ORDER BY ?f"
    )
    return [str(r["f"]) for r in rows]


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
    rows = _pairable(matrix)
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
