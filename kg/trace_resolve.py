"""What a trace starts from: an answer or a sample revision, resolved from an id or an IRI.

:func:`resolve` (re-exported by :mod:`kg.provenance`) takes an answer id, an
answer IRI, a sample IRI, a logical sample IRI or a sample's external id in any
dataset; the graph reads are :mod:`kg.queries.lineage`.
"""

from __future__ import annotations

from collections import defaultdict

from kg import ids
from kg.errors import AmbiguousIdError, NotFoundError
from kg.graph import KnowledgeGraph
from kg.queries import lineage
from kg.terms import ID_NS
from kg.trace_model import short


def _expand(ref: str) -> str:
    ref = ref.strip()
    if ref.startswith("<") and ref.endswith(">"):
        ref = ref[1:-1]
    if ref.startswith("prid:"):
        return ID_NS + ref[len("prid:") :]
    return ref


def _is_iri(ref: str) -> bool:
    return "://" in ref or ref.startswith("urn:")


def resolve(kg: KnowledgeGraph, ref: str, *, dataset: str | None = None) -> tuple[str, str]:
    """``("answer" | "sample", IRI)`` for an answer id/IRI or a sample IRI/external id.

    A logical sample IRI or an external id resolves to the current revision (or,
    when every revision is invalidated, to the one invalidated last). Raises
    :class:`NotFoundError` when nothing matches and :class:`AmbiguousIdError`
    when an external id names samples in several datasets (pass ``dataset``).
    """
    value = _expand(ref)
    if not value:
        raise NotFoundError("the id to trace is empty; give an answer id, a sample id or an IRI")
    if _is_iri(value):
        if lineage.is_answer(kg, value):
            return "answer", value
        if lineage.is_sample(kg, value):
            return "sample", value
        revision = lineage.revision_to_trace(kg, value)
        if revision is not None:
            return "sample", revision
        raise NotFoundError(
            f"no answer or sample has the IRI <{value}>; check it with "
            "`provrag sparql` or trace by answer id or external id"
        )

    answer = ids.answer_iri(value)
    has_answer = dataset is None and lineage.is_answer(kg, answer)
    logicals: dict[str, set[str]] = defaultdict(set)
    for match in lineage.samples_with_external_id(kg, value):
        logicals[match.logical].add(match.dataset if match.dataset is not None else "?")
    if dataset is not None:
        logicals = defaultdict(set, {k: v for k, v in logicals.items() if dataset in v})
    candidates = [
        {"kind": "sample", "iri": lg, "dataset": ", ".join(sorted(ds))}
        for lg, ds in sorted(logicals.items())
    ]
    if has_answer:
        candidates.insert(0, {"kind": "answer", "iri": answer, "dataset": ""})
    if not candidates:
        where = f" in dataset {dataset!r}" if dataset else ""
        raise NotFoundError(
            f"no recorded answer and no sample{where} has the id {value!r}; "
            "check the id (answers: `provrag ask --record` prints it) or pass an IRI"
        )
    if len(candidates) > 1:
        listing = "; ".join(
            f"{c['kind']} {short(c['iri'])}"
            + (f" (dataset {c['dataset']})" if c["dataset"] else "")
            for c in candidates
        )
        raise AmbiguousIdError(
            f"the id {value!r} names {len(candidates)} things: {listing}; "
            "pass one of these IRIs instead, or the dataset",
            candidates,
        )
    only = candidates[0]
    if only["kind"] == "answer":
        return "answer", only["iri"]
    revision = lineage.revision_to_trace(kg, only["iri"])
    if revision is None:  # pragma: no cover - the row above proved one exists
        raise NotFoundError(f"sample {value!r} has no revision in the graph")
    return "sample", revision
