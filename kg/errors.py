"""Errors of the knowledge-graph layer, and :class:`ProvragError`, the root of all of provrag's.

The root lives here because :mod:`kg` is the bottom layer (it imports nothing else
of ours), so every package can derive its own base from it: :class:`KGError`,
``ingest.errors.IngestError``, ``retrieval.errors.RetrievalError``,
``evaluation.errors.EvaluationError`` and ``provrag.errors.AppError``. A caller
that wants "any provrag error" catches :class:`ProvragError` once.

Each error says what was wrong and how to fix it, and carries the offending value.
"""

from __future__ import annotations


class ProvragError(Exception):
    """Root of every error provrag raises on purpose (the CLI reports it and exits 1)."""


class KGError(ProvragError):
    """Base class of every error raised by :mod:`kg`."""


class StoreError(KGError):
    """The graph store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store open for writing."""


class RemoteStoreError(StoreError):
    """A remote SPARQL endpoint answered with an error or could not be reached."""


class QueryError(KGError):
    """A SPARQL query is malformed or not allowed (e.g. an update where reads only are)."""


class QueryTimeoutError(KGError):
    """A query ran past its time budget (``deadline`` of :meth:`kg.graph.KnowledgeGraph.query`)."""

    def __init__(self, message: str, timeout_s: float | None = None) -> None:
        super().__init__(message)
        #: the budget it ran past, in seconds (None: not known to the raiser)
        self.timeout_s = timeout_s


class NotFoundError(KGError):
    """No sample, answer or run has the given id."""


class AmbiguousIdError(KGError):
    """An id names samples in more than one dataset (or an answer and a sample)."""

    def __init__(self, message: str, candidates: list[dict[str, str]]) -> None:
        super().__init__(message)
        #: what the id could mean: one dict per match (kind, iri, dataset, ...)
        self.candidates = candidates


class ValidationReportError(KGError):
    """SHACL validation found violations."""


class FilterError(KGError):
    """A search filter is malformed (a label filter that is not FIELD=VALUE, an unknown
    clearance, ...). :class:`kg.model.Filters` and ``retrieval.filters`` raise it."""


class OntologyError(KGError):
    """The packaged ontology or shapes file is missing or does not parse."""


class RdfIOError(KGError):
    """An RDF file could not be read, parsed or written."""


class ModelValueError(KGError, ValueError):
    """A value given to a shared data model (``kg.model``, ``kg.answers``) is not valid.

    Raised inside pydantic validators, which only turn a ``ValueError`` into a
    ``pydantic.ValidationError`` (whose messages ingest shows per field): hence
    the second base.
    """


class MappingError(KGError):
    """A model cannot become triples as given (e.g. one metric value given twice)."""


class NetViewError(KGError):
    """A networkx view of the graph was asked for with a bad parameter (e.g. ``hops=0``)."""


class ProvExportError(KGError):
    """A lineage cannot be written as a W3C PROV document (it starts at the wrong kind of node)."""
