"""One sample as it stands: its current revision's record and its provenance summary.

``GET /samples/{id}`` runs :func:`current_sample`; the lineage in full is
:func:`provrag.services.tracing.trace`'s.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from kg.errors import NotFoundError
from kg.graph import KnowledgeGraph
from kg.model import ProvenanceSummary
from kg.terms import PR


class SampleView(BaseModel):
    """The current revision of a sample: what was ingested, and where it came from."""

    sample_id: str = Field(description="the external id")
    iri: str = Field(description="IRI of the current revision")
    dataset: str | None
    version: str | None
    text: str
    origin: str | None
    kind: str | None
    sensitivity: str | None
    metadata: dict[str, Any] = Field(default_factory=dict)
    provenance: ProvenanceSummary


def _first(props: dict[str, list[Any]], term: Any) -> Any:  # noqa: ANN401 - a term's value
    values = props.get(str(term)) or []
    return values[0] if values else None


def current_sample(kg: KnowledgeGraph, ref: str, *, dataset: str | None = None) -> SampleView:
    """The current revision of sample ``ref`` (external id, or sample / logical IRI;
    ``dataset`` when an id is ambiguous).

    Raises :class:`~kg.errors.NotFoundError` when no sample has that id or when every
    revision of it is invalidated (deleted or expired), and
    :class:`~kg.errors.AmbiguousIdError` when the id names samples in several datasets.
    """
    from kg.provenance import resolve
    from kg.queries.hits import hit_details
    from kg.queries.lineage import node_properties

    kind, iri = resolve(kg, ref, dataset=dataset)
    if kind != "sample":
        raise NotFoundError(f"no sample has the id {ref!r} (it names a recorded answer)")
    details = hit_details(kg, [iri]).get(iri)
    if details is None:
        raise NotFoundError(f"no sample has the id {ref!r}")
    if details.invalidated:
        raise NotFoundError(
            f"sample {ref!r} has no current revision (every revision is invalidated); "
            f"`GET /trace/{ref}` shows its history"
        )
    props = node_properties(kg, iri)
    raw_metadata = _first(props, PR.metadata)
    try:
        metadata = json.loads(str(raw_metadata)) if raw_metadata is not None else {}
    except ValueError:
        metadata = {"_unparsed": str(raw_metadata)}
    return SampleView(
        sample_id=details.external_id,
        iri=iri,
        dataset=details.dataset,
        version=details.provenance.version,
        text=details.text,
        origin=details.provenance.origin,
        kind=_first(props, PR.kind),
        sensitivity=_first(props, PR.sensitivity),
        metadata=metadata if isinstance(metadata, dict) else {"value": metadata},
        provenance=details.provenance,
    )
