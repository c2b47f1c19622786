"""Results as pandas DataFrames, for notebooks (:mod:`provrag.api`).

pandas is imported inside each function, so nothing pays for it but a caller
that asks for a frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluation.agreement import AgreementReport, GroupAgreement
    from evaluation.drift import Distribution, DriftReport
    from evaluation.results import EvalResult
    from kg.model import ScoredPassage

#: columns of a hits frame, in order (the provenance summary's fields follow)
HIT_COLUMNS = ("rank", "sample_id", "dataset", "score", "text", "channels", "graph_path")


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> Any:  # noqa: ANN401
    """A DataFrame of ``rows`` (dicts), with ``columns`` in this order even when empty."""
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(columns) if columns is not None else None)


def hits_frame(hits: Sequence[ScoredPassage]) -> Any:  # noqa: ANN401
    """One row per hit, best first: id, dataset, score, text, channel ranks, graph path
    and the provenance summary (origin, generator, prompt version, annotators...)."""
    rows = []
    for rank, h in enumerate(hits, 1):
        row: dict[str, Any] = {
            "rank": rank,
            "sample_id": h.sample_id,
            "dataset": h.dataset,
            "score": h.score,
            "text": h.text,
            "channels": dict(h.channel_ranks),
            "graph_path": list(h.graph_path or []),
        }
        if h.provenance is not None:
            row.update(h.provenance.model_dump(mode="json"))
        row["sample_iri"] = h.sample_iri
        rows.append(row)
    return frame(rows, None if rows else [*HIT_COLUMNS, "sample_iri"])


def per_query_frame(result: EvalResult) -> Any:  # noqa: ANN401
    """One row per query (index ``query_id``): its text and every metric's value."""
    qids = sorted({q for values in result.per_query.values() for q in values} | set(result.qrels))
    rows = [
        {
            "query_id": qid,
            "query": result.queries.get(qid, ""),
            **{m: values.get(qid) for m, values in result.per_query.items()},
        }
        for qid in qids
    ]
    columns = ["query_id", "query", *result.per_query]
    return frame(rows, columns).set_index("query_id")


def overall_frame(result: EvalResult) -> Any:  # noqa: ANN401
    """One row per metric: mean, 95% interval and query count over all queries."""
    rows = [s.to_dict() | {"metric": name} for name, s in result.overall.items()]
    return frame(rows, ["metric", "mean", "ci_low", "ci_high", "query_count"])


def slices_frame(result: EvalResult) -> Any:  # noqa: ANN401
    """One row per slice and metric (tidy): slice name and value, query count, small,
    metric, mean and 95% interval."""
    rows = [
        {
            "slice": s.name,
            "value": s.value,
            "query_count": s.query_count,
            "small": s.small,
            "metric": name,
            "mean": m.mean,
            "ci_low": m.ci_low,
            "ci_high": m.ci_high,
        }
        for s in result.slices
        for name, m in s.metrics.items()
    ]
    columns = ["slice", "value", "query_count", "small", "metric", "mean", "ci_low", "ci_high"]
    return frame(rows, columns)


def stats_frames(data: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`kg.stats.graph_stats` as frames: ``totals`` (one row), ``by_origin`` and
    each breakdown."""
    out = {
        "totals": frame([data["totals"]]),
        "by_origin": frame(
            [{"origin": k, "samples": v} for k, v in data["by_origin"].items()],
            ["origin", "samples"],
        ),
    }
    for key, value in data.items():
        if key not in out:
            out[key] = frame(value)
    return out


def groups_frame(groups: Mapping[str, GroupAgreement], key: str) -> Any:  # noqa: ANN401
    rows = [{key: k, **vars(g)} for k, g in groups.items()]
    columns = [key, "items", "labels", "disagreements", "percent_agreement", "alpha"]
    return frame(rows, columns)


def agreement_frames(r: AgreementReport) -> dict[str, Any]:
    """The agreement report as frames: ``summary`` (one row), ``pairs``,
    ``by_guideline_version``, ``by_origin`` and ``disagreements`` (one column per
    annotator)."""
    summary = {
        "field": r.field,
        "dataset": r.dataset,
        "version": r.version,
        "annotators": len(r.annotators),
        "items": r.items,
        "single_labelled": r.single_labelled,
        "labels": r.labels,
        "percent_agreement": r.percent_agreement,
        "pairwise_agreement": r.pairwise_agreement,
        "disagreement_rate": r.disagreement_rate,
        "alpha": r.alpha,
        "fleiss_kappa": r.fleiss_kappa,
    }
    return {
        "summary": frame([summary]),
        "pairs": frame([vars(p) for p in r.pairs], ["a", "b", "items", "agreement", "kappa"]),
        "by_guideline_version": groups_frame(r.by_guideline_version, "guideline_version"),
        "by_origin": groups_frame(r.by_origin, "origin"),
        "disagreements": frame(
            [{"sample": d.item, "origin": d.origin, **d.values} for d in r.disagreements],
            ["sample", "origin", *r.annotators],
        ),
    }


def _distribution_rows(name: str, dist: Distribution) -> list[dict[str, Any]]:
    keys = sorted(set(dist.counts_a) | set(dist.counts_b))
    return [
        {
            "distribution": name,
            "value": key,
            "count_a": dist.counts_a.get(key, 0),
            "share_a": dist.share(dist.counts_a, key),
            "count_b": dist.counts_b.get(key, 0),
            "share_b": dist.share(dist.counts_b, key),
        }
        for key in keys
    ]


def drift_frames(r: DriftReport) -> dict[str, Any]:
    """The drift report as frames: ``samples`` (one row of counts), ``distributions``
    (origin, prompt versions and each label field: value counts and shares in A and B),
    ``divergence`` (JS divergence and chi-square per distribution) and ``lengths``."""
    s = r.samples
    dists = {"origin": r.origin, "prompt_version": r.prompt_versions}
    dists.update({f"label:{k}": v for k, v in r.labels.items()})
    divergence = [
        {
            "distribution": name,
            "js_divergence": d.js_divergence,
            "chi_square": None if d.chi_square is None else d.chi_square.statistic,
            "dof": None if d.chi_square is None else d.chi_square.dof,
            "p_value": None if d.chi_square is None else d.chi_square.p_value,
        }
        for name, d in dists.items()
    ]
    columns = ["distribution", "value", "count_a", "share_a", "count_b", "share_b"]
    return {
        "samples": frame(
            [
                {
                    "size_a": s.size_a,
                    "size_b": s.size_b,
                    "unchanged": s.unchanged,
                    "changed": s.changed,
                    "new": s.new,
                    "removed": s.removed,
                }
            ]
        ),
        "distributions": frame(
            [row for name, d in dists.items() for row in _distribution_rows(name, d)], columns
        ),
        "divergence": frame(divergence),
        "lengths": frame(
            [
                {"version": r.version_a, **vars(r.length_a)},
                {"version": r.version_b, **vars(r.length_b)},
            ]
        ),
    }
