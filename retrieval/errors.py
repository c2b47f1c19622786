"""Errors of the retrieval layer. Each says what was wrong and how to fix it."""

from __future__ import annotations

from kg.errors import ProvragError


class RetrievalError(ProvragError):
    """Base class of every error raised by :mod:`retrieval`."""


class EmbedderError(RetrievalError):
    """The embedding model could not be found, loaded or run."""


class SearchIndexError(RetrievalError):
    """The vector or lexical index is missing, unreadable or inconsistent."""


class IndexNotFoundError(SearchIndexError):
    """No index has been built at the given directory yet."""


class IndexMismatchError(SearchIndexError):
    """The index on disk was built with another model, dimension or id scheme."""


class AnswerError(RetrievalError):
    """An answer could not be built, or the configured generator endpoint failed."""


class PageRankError(RetrievalError):
    """A PageRank input is malformed (edge out of range, negative weight, empty seeds...)."""
