"""Synthetic coverage: which real samples and golden queries have a synthetic sample
near them in embedding space, which real clusters have none (where to generate next),
and which synthetic samples are far from every real one (possible generator artefacts).

Pure numbers over vectors: the caller (``provrag.services.coverage``) brings the
vectors (from the index, embedding only what is not there) and the samples' labels,
entities and generator configurations. Deterministic: the same input gives the same
report, clusters included (connected components at a cosine threshold, in id order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from evaluation.errors import CoverageError

#: entities and labels that name a cluster
NAME_TERMS = 3
#: rows of a similarity block (memory: _BLOCK x samples floats)
_BLOCK = 1024


@dataclass(frozen=True)
class CoverageItem:
    """One real sample, synthetic sample or golden query, with what names it."""

    id: str
    text: str = ""
    labels: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    #: generator configuration of a synthetic sample
    config: str | None = None


@dataclass(frozen=True)
class Thresholds:
    #: cosine similarity at which a synthetic sample covers a real one (or a query)
    neighbour: float = 0.6
    #: a synthetic sample whose nearest real sample is below this is "far"
    far: float = 0.45
    #: uncovered real samples at least this similar are one cluster
    cluster: float = 0.55

    def check(self) -> None:
        for name, value in asdict(self).items():
            if not -1.0 <= value <= 1.0:
                raise CoverageError(
                    f"coverage threshold {name} = {value!r} is not a cosine similarity; "
                    "give a number between -1 and 1"
                )


@dataclass
class UncoveredCluster:
    """Real samples with no synthetic neighbour, similar to one another."""

    size: int
    name: str
    entities: list[tuple[str, int]]
    labels: list[tuple[str, int]]
    sample_ids: list[str]


@dataclass
class FarSynthetic:
    """Synthetic samples of one generator configuration far from every real sample."""

    config: str
    count: int
    of: int
    sample_ids: list[str]


@dataclass
class CoverageReport:
    dataset: str
    thresholds: Thresholds
    real: int
    real_covered: int
    synthetic: int
    golden: int | None = None
    golden_covered: int | None = None
    uncovered: list[UncoveredCluster] = field(default_factory=list)
    far: list[FarSynthetic] = field(default_factory=list)
    uncovered_golden_ids: list[str] = field(default_factory=list)

    @property
    def real_covered_share(self) -> float | None:
        return self.real_covered / self.real if self.real else None

    @property
    def golden_covered_share(self) -> float | None:
        if not self.golden or self.golden_covered is None:
            return None
        return self.golden_covered / self.golden

    @property
    def far_count(self) -> int:
        return sum(f.count for f in self.far)

    def measurements(self) -> dict[str, float]:
        """The headline numbers recorded in the graph."""
        out: dict[str, float] = {
            "uncovered_clusters": float(len(self.uncovered)),
            "far_synthetic": float(self.far_count),
        }
        if self.real_covered_share is not None:
            out["real_covered_share"] = self.real_covered_share
        if self.golden_covered_share is not None:
            out["golden_covered_share"] = self.golden_covered_share
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "thresholds": asdict(self.thresholds),
            "real": self.real,
            "real_covered": self.real_covered,
            "real_covered_share": self.real_covered_share,
            "synthetic": self.synthetic,
            "golden": self.golden,
            "golden_covered": self.golden_covered,
            "golden_covered_share": self.golden_covered_share,
            "uncovered_golden_ids": self.uncovered_golden_ids,
            "uncovered_clusters": [
                {
                    "name": c.name,
                    "size": c.size,
                    "entities": [{"name": n, "count": k} for n, k in c.entities],
                    "labels": [{"label": n, "count": k} for n, k in c.labels],
                    "sample_ids": c.sample_ids,
                }
                for c in self.uncovered
            ],
            "far_synthetic": [asdict(f) for f in self.far],
        }


def _unit(vectors: np.ndarray, what: str, n: int) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2 or v.shape[0] != n:
        raise CoverageError(f"{what}: {v.shape} vectors for {n} items; give one row per item")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


def _best(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row of ``a``, its best cosine similarity to a row of ``b`` (-1 if none)."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(b) == 0:
        return np.full(len(a), -1.0, dtype=np.float32)
    best = np.full(len(a), -1.0, dtype=np.float32)
    for start in range(0, len(b), 4096):  # bounded memory on large sets
        sims = a @ b[start : start + 4096].T
        best = np.maximum(best, sims.max(axis=1))
    return best


def _components(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Connected components of the graph 'cosine >= threshold', in index order."""
    n = len(vectors)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start in range(0, n, _BLOCK):  # bounded memory: one block of rows at a time
        sims = vectors[start : start + _BLOCK] @ vectors.T
        rows, cols = np.nonzero(sims >= threshold)
        for i, j in zip((rows + start).tolist(), cols.tolist(), strict=True):
            if j <= i:
                continue
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:NAME_TERMS]


def _cluster(members: Sequence[CoverageItem]) -> UncoveredCluster:
    entities = _top(Counter(e for m in members for e in set(m.entities)))
    labels = _top(Counter(lb for m in members for lb in set(m.labels)))
    words = [n for n, _ in entities] + [n for n, _ in labels]
    return UncoveredCluster(
        size=len(members),
        name=", ".join(words) if words else members[0].id,
        entities=entities,
        labels=labels,
        sample_ids=[m.id for m in members],
    )


def coverage_report(
    dataset: str,
    real: Sequence[CoverageItem],
    real_vectors: np.ndarray,
    synthetic: Sequence[CoverageItem],
    synthetic_vectors: np.ndarray,
    *,
    golden: Sequence[CoverageItem] | None = None,
    golden_vectors: np.ndarray | None = None,
    thresholds: Thresholds | None = None,
) -> CoverageReport:
    """Coverage of ``real`` samples (and ``golden`` queries) by ``synthetic`` ones.

    Uncovered clusters come largest first (then by their first sample id); far
    synthetic samples are grouped by generator configuration, most first.
    """
    t = thresholds or Thresholds()
    t.check()
    if not real:
        raise CoverageError(
            f"dataset {dataset!r} has no current real samples to cover; check the name "
            "(`provrag stats` lists the datasets)"
        )
    r = _unit(real_vectors, "real samples", len(real))
    s = _unit(synthetic_vectors, "synthetic samples", len(synthetic))
    real_best = _best(r, s)
    covered = real_best >= t.neighbour
    uncovered_idx = np.flatnonzero(~covered)
    clusters = [
        _cluster([real[int(uncovered_idx[i])] for i in comp])
        for comp in _components(r[uncovered_idx], t.cluster)
    ]
    clusters.sort(key=lambda c: (-c.size, c.sample_ids[0]))

    far: list[FarSynthetic] = []
    if len(synthetic):
        syn_best = _best(s, r)
        by_config: dict[str, list[int]] = {}
        for i, item in enumerate(synthetic):
            by_config.setdefault(item.config or "unknown", []).append(i)
        for config, members in sorted(by_config.items()):
            far_ids = [synthetic[i].id for i in members if syn_best[i] < t.far]
            if far_ids:
                far.append(FarSynthetic(config, len(far_ids), len(members), far_ids))
        far.sort(key=lambda f: (-f.count, f.config))

    report = CoverageReport(
        dataset=dataset,
        thresholds=t,
        real=len(real),
        real_covered=int(covered.sum()),
        synthetic=len(synthetic),
        uncovered=clusters,
        far=far,
    )
    if golden is not None:
        g = _unit(
            golden_vectors if golden_vectors is not None else np.zeros((0, r.shape[1])),
            "golden queries",
            len(golden),
        )
        g_best = _best(g, s)
        report.golden = len(golden)
        report.golden_covered = int((g_best >= t.neighbour).sum())
        report.uncovered_golden_ids = [
            golden[i].id for i in range(len(golden)) if g_best[i] < t.neighbour
        ]
    return report
