"""Dataset reads: which current samples a selector (ids, dataset version, generator) names.

``provrag delete`` invalidates what :func:`select_current_samples` returns. The
selector's parts combine with AND; a version belongs to a dataset and a prompt
version to a generator, so neither selects alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from kg import ids as kg_ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.queries.current import is_current


class SampleSelector(BaseModel):
    """Which samples to select; the parts given combine with AND."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: external ids (in any dataset, unless ``dataset`` is given too)
    ids: tuple[str, ...] = ()
    dataset: str | None = None
    #: a version of ``dataset``
    version: str | None = None
    #: the generator name of synthetic samples
    generator: str | None = None
    #: a prompt version of ``generator``
    prompt_version: str | None = None


@dataclass(frozen=True, slots=True)
class SelectedSample:
    """A current sample revision a selector names."""

    iri: str
    external_id: str


def selection_query(selector: SampleSelector) -> str:
    """SPARQL selecting the current samples ``selector`` names (``?s ?id``, by ``?s``).

    Raises :class:`~kg.errors.QueryError` for a selector that would select every
    sample (nothing given) or that gives a version without what it belongs to.
    """
    if not (selector.ids or selector.dataset is not None or selector.generator is not None):
        raise QueryError(
            f"the selector {selector.model_dump(exclude_defaults=True)} names no sample: "
            "give ids, a dataset (and version) or a generator (and prompt version)"
        )
    if selector.version is not None and selector.dataset is None:
        raise QueryError(
            f"version {selector.version!r} needs a dataset: a version belongs to a dataset"
        )
    if selector.prompt_version is not None and selector.generator is None:
        raise QueryError(
            f"prompt version {selector.prompt_version!r} needs a generator: "
            "a prompt version belongs to one"
        )
    parts = ["?s a pr:Sample ; pr:externalId ?id ."]
    if selector.ids:
        values = " ".join(lit(i) for i in selector.ids)
        parts.append(f"VALUES ?id {{ {values} }}")
    if selector.dataset is not None:
        if selector.version is not None:
            dv = kg_ids.dataset_version_iri(selector.dataset, selector.version)
            parts.append(f"?s pr:inDatasetVersion <{dv}> .")
        else:
            d = kg_ids.dataset_iri(selector.dataset)
            parts.append(f"?s pr:inDatasetVersion ?dv . ?dv dcterms:isVersionOf <{d}> .")
    if selector.generator is not None:
        parts.append(
            "?s prov:wasGeneratedBy/prov:used ?config . "
            f"?config pr:generatorName {lit(selector.generator)} ."
        )
        if selector.prompt_version is not None:
            parts.append(f"?config pr:promptVersion {lit(selector.prompt_version)} .")
    parts.append(is_current("?s"))
    body = "\n  ".join(parts)
    return f"SELECT DISTINCT ?s ?id WHERE {{\n  {body}\n}} ORDER BY ?s"


def select_current_samples(kg: KnowledgeGraph, selector: SampleSelector) -> list[SelectedSample]:
    """The current samples ``selector`` names, ordered by IRI (see :func:`selection_query`)."""
    return [
        SelectedSample(iri=str(row["s"]), external_id=str(row["id"]))
        for row in kg.select(selection_query(selector))
        if "s" in row
    ]
