"""Errors of the knowledge-graph layer. Each says what was wrong and how to fix it."""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error raised by :mod:`kg`."""


class StoreError(KGError):
    """The graph store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store open for writing."""


class RemoteStoreError(StoreError):
    """A remote SPARQL endpoint answered with an error or could not be reached."""


class QueryError(KGError):
    """A SPARQL query is malformed or not allowed (e.g. an update where reads only are)."""


class NotFoundError(KGError):
    """No sample, answer or run has the given id."""


class ValidationReportError(KGError):
    """SHACL validation found violations."""


class FilterError(KGError):
    """A search filter is malformed (a label filter that is not FIELD=VALUE, ...)."""
