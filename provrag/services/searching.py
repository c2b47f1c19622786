"""Search: the hits of a query under provenance filters, and why each was returned.

``provrag search``, ``GET /search`` and :meth:`provrag.api.Client.search` run
:func:`search` on a :class:`~provrag.services.session.Session`, whose retriever
of each mode is built once (:mod:`provrag.wiring`). :func:`filters_from` is the
one reading of the filter options (CLI flags, HTTP parameters, keyword arguments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.typing import Clearance, Origin, RetrieverMode
from provrag.errors import UsageError
from provrag.services.session import Session

if TYPE_CHECKING:
    from kg.model import Filters, ScoredPassage


def filters_from(
    *,
    origin: Origin | None = None,
    dataset: str | None = None,
    version: str | None = None,
    generator: str | None = None,
    prompt_version: str | None = None,
    annotator: str | None = None,
    labels: Sequence[str] | Sequence[tuple[str, str]] | dict[str, str] | str | None = None,
    clearance: Clearance | None = None,
    kinds: Sequence[str] | str | None = None,
    release: str | None = None,
) -> Filters:
    """The search filters of these options (``labels``: ``FIELD=VALUE`` texts or pairs;
    ``kinds``: the sample kinds to return, None: the settings' ``answer_kinds``;
    ``release``: a release to search, ``current`` for the current samples, None: the
    release served by default, :meth:`~provrag.services.session.Session.release`).

    Raises :class:`~kg.errors.FilterError` for a malformed label and
    :class:`~provrag.errors.UsageError` for a value that is not one of its kind's.
    """
    from pydantic import ValidationError

    from kg.model import Filters

    values = {
        "origin": origin,
        "dataset": dataset,
        "version": version,
        "generator": generator,
        "prompt_version": prompt_version,
        "annotator": annotator,
        "labels": [] if labels is None else labels,
        "clearance": clearance,
        "kinds": kinds or None,
        "release": release,
    }
    try:
        return Filters.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        raise UsageError(f"bad filter: {problems}") from exc


@dataclass
class SearchOutcome:
    """The hits of one search and what produced them."""

    query: str
    k: int
    mode: RetrieverMode
    filters: Filters
    #: the clearance the search ran with (the filters', else the settings' default)
    clearance: Clearance
    #: the retriever's settings (:meth:`retrieval.retriever.GraphRetriever.describe`)
    settings: dict[str, Any]
    hits: list[ScoredPassage]
    #: entities linked in the query (asked with ``explain``, when the graph channel runs)
    linked_entities: list[dict[str, str]] = field(default_factory=list)
    #: whether the entity PageRank ranked the hits and why (``{"spoke", "reason"}``;
    #: None when the retriever runs no PageRank)
    graph: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``provrag search --json`` (``GET /search`` returns its ``hits``)."""
        return {
            "query": self.query,
            "k": self.k,
            "retriever": self.mode,
            "filters": self.filters.describe(),
            "clearance": self.clearance,
            "settings": self.settings,
            "linked_entities": self.linked_entities,
            "graph": self.graph,
            "hits": self.hits_json(),
        }

    def hits_json(self) -> list[dict[str, Any]]:
        return [h.model_dump(mode="json") for h in self.hits]

    def to_dataframe(self) -> Any:  # noqa: ANN401 - a pandas DataFrame
        """The hits as a pandas DataFrame, one row each, best first."""
        from provrag.render.frames import hits_frame

        return hits_frame(self.hits)


def search(
    session: Session,
    text: str,
    *,
    k: int = 10,
    mode: RetrieverMode | None = None,
    filters: Filters | None = None,
    explain: bool = False,
) -> SearchOutcome:
    """The top ``k`` hits of ``text`` with the retriever of ``mode`` (default: the
    settings'); ``explain`` also links the query's entities (graph channel only)."""
    from kg.model import Filters

    filters, release = session.serve(filters if filters is not None else Filters())
    engine = session.retriever(mode, release)
    explained = getattr(engine, "search_explained", None)  # GraphRetriever: and the gate's why
    hits, decision = (
        explained(text, k, filters) if explained else (engine.search(text, k, filters), None)
    )
    linked = engine.linked_entities(text) if explain and "graph" in engine.channels else []
    return SearchOutcome(
        query=text,
        k=k,
        mode=engine.mode,
        filters=filters,
        clearance=filters.clearance or session.settings.retrieval.default_clearance,
        settings=engine.describe(),
        hits=hits,
        linked_entities=linked,
        graph=None if decision is None else {"spoke": decision.spoke, "reason": decision.reason},
    )
