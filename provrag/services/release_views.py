"""Read releases: list them, show one (with its stale share), diff two.

``diff A B`` compares the members by logical sample: added (in B only), removed (in A
only) and revised (both, another revision), each broken down by origin and generator
configuration; and, when both were evaluated on the same golden set at creation, the
metric deltas with paired randomisation p-values from the runs' per-query scores
(:func:`evaluation.compare.compare_runs`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kg.queries.releases import ReleaseMember, ReleaseRow, release_row
from provrag.errors import ReleaseError
from provrag.services.session import Session


def _row(session: Session, name: str) -> ReleaseRow:
    row = release_row(session.kg, name)
    if row is None:
        raise ReleaseError(f"there is no release {name!r}; see `provrag release list`")
    return row


def release_json(row: ReleaseRow, *, served: bool) -> dict[str, Any]:
    return {
        "name": row.name,
        "iri": row.iri,
        "dataset": row.dataset,
        "versions": list(row.versions),
        "created": row.created.isoformat() if hasattr(row.created, "isoformat") else row.created,
        "members": row.member_count,
        "manifest_hash": row.manifest_hash,
        "gates_passed": row.gates_passed,
        "approved": row.approved,
        "served": served,
    }


def list_releases(session: Session) -> list[dict[str, Any]]:
    """Every release, oldest first, with whether it is approved and served."""
    from kg.queries.releases import release_names

    served = session.release()
    out = []
    for name in release_names(session.kg):
        out.append(release_json(_row(session, name), served=name == served))
    return out


def show_release(session: Session, name: str) -> dict[str, Any]:
    """Everything recorded of release ``name``, its approvals and its stale share."""
    from kg.queries.impact import release_stale_count

    row = _row(session, name)
    stale = release_stale_count(session.kg, name)
    out = release_json(row, served=session.release() == name)
    out.update(
        {
            "runs": list(row.run_ids),
            "gates": [
                {"gate": g.expression, "value": g.value, "passed": g.passed} for g in row.gates
            ],
            "approvals": [
                {
                    "by": a.by,
                    "at": a.at.isoformat() if hasattr(a.at, "isoformat") else a.at,
                    "override": a.override,
                    "note": a.note,
                }
                for a in row.approvals
            ],
            "retriever_settings": row.retriever_settings,
            "index": {
                "directory": str(session.settings.release_index_dir(name)),
                "generation": (row.index_manifest or {}).get("generation"),
                "count": (row.index_manifest or {}).get("count"),
            },
            "stale": stale,
            "stale_share": stale / row.member_count if row.member_count else 0.0,
        }
    )
    return out


def _by(members: list[ReleaseMember]) -> dict[str, dict[str, int]]:
    return {
        "origin": dict(sorted(Counter(m.origin or "unknown" for m in members).items())),
        "generator_config": dict(
            sorted(Counter(m.generator_config or "none" for m in members).items())
        ),
    }


@dataclass
class ReleaseDiff:
    a: str
    b: str
    added: list[ReleaseMember]
    removed: list[ReleaseMember]
    #: (A's revision, B's revision) of the samples in both, revised
    revised: list[tuple[ReleaseMember, ReleaseMember]]
    unchanged: int
    metrics: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "added": {"count": len(self.added), **_by(self.added),
                      "ids": [m.external_id for m in self.added]},
            "removed": {"count": len(self.removed), **_by(self.removed),
                        "ids": [m.external_id for m in self.removed]},
            "revised": {"count": len(self.revised), **_by([b for _, b in self.revised]),
                        "ids": [b.external_id for _, b in self.revised]},
            "unchanged": self.unchanged,
            "metrics": self.metrics,
            "warnings": self.warnings,
        }  # fmt: skip


def diff_releases(session: Session, a: str, b: str) -> ReleaseDiff:
    """What changed from release ``a`` to release ``b`` (see the module docstring)."""
    from kg.queries.releases import release_members

    row_a, row_b = _row(session, a), _row(session, b)
    ma = {m.logical: m for m in release_members(session.kg, a)}
    mb = {m.logical: m for m in release_members(session.kg, b)}
    added = [mb[k] for k in sorted(mb.keys() - ma.keys())]
    removed = [ma[k] for k in sorted(ma.keys() - mb.keys())]
    both = sorted(ma.keys() & mb.keys())
    revised = [(ma[k], mb[k]) for k in both if ma[k].revision != mb[k].revision]
    out = ReleaseDiff(a, b, added, removed, revised, len(both) - len(revised))
    _metric_deltas(session, row_a, row_b, out)
    return out


def _metric_deltas(session: Session, a: ReleaseRow, b: ReleaseRow, out: ReleaseDiff) -> None:
    from evaluation.compare import compare_runs
    from evaluation.errors import EvaluationError
    from evaluation.record import load_run

    if not a.run_ids or not b.run_ids:
        out.warnings.append("no metric deltas: a release was created without --golden")
        return
    try:
        ra = load_run(session.settings.runs_dir, a.run_ids[0])
        rb = load_run(session.settings.runs_dir, b.run_ids[0])
        comparison = compare_runs(ra, rb, seed=session.settings.evaluation.seed)
    except EvaluationError as exc:
        out.warnings.append(f"no metric deltas: {exc}")
        return
    out.warnings += comparison.warnings
    out.metrics = [
        {
            "metric": d.metric,
            "a": d.mean_a,
            "b": d.mean_b,
            "delta": d.delta,
            "p_value": d.p_value,
            "queries": d.query_count,
        }  # fmt: skip
        for d in comparison.deltas
    ]
