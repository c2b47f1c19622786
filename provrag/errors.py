"""Errors of the app layer (settings, usage, use cases), under the one root :class:`ProvragError`.

Every error provrag raises on purpose derives from :class:`ProvragError`
(defined in :mod:`kg.errors`, the bottom layer, and re-exported here): the
CLI catches that one class, prints the message and exits 1 (64 for a
:class:`UsageError`). Each message says what was wrong and how to fix it, and
carries the offending value.
"""

from __future__ import annotations

from kg.errors import ProvragError

__all__ = [
    "AppError",
    "AuditError",
    "CommandModuleError",
    "ProvragError",
    "ReleaseError",
    "ReleaseRefusedError",
    "ServiceError",
    "SettingsError",
    "TokenError",
    "UsageError",
]


class AppError(ProvragError):
    """Base class of every error raised by :mod:`provrag` itself (not by a lower package)."""


class SettingsError(AppError):
    """The settings file or a ``PROVRAG_*`` variable holds a value that is not valid."""


class UsageError(AppError):
    """A command or request asks for something that cannot be done as given
    (options that do not go together, a format that does not fit the query).
    The CLI exits 64 (``ExitCode.USAGE``); the server answers 400."""


class ServiceError(AppError):
    """A use case refused to run, or stopped, for a reason of the app layer
    (e.g. quickstart asked to start afresh in a home holding other data)."""


class CommandModuleError(AppError):
    """A CLI command module could not be imported (a bug or a broken install)."""


class ReleaseError(ServiceError):
    """A release that does not exist, or a release operation that cannot be done as asked."""


class ReleaseRefusedError(ReleaseError):
    """A release check said no (a name taken, a gate failed without --override, an
    unapproved release promoted): nothing was changed; the CLI exits 2."""


class TokenError(AppError):
    """An API token operation cannot be done (an unknown token id, a role or scope
    that does not fit, an expiry in the past)."""


class AuditError(AppError):
    """The audit trail cannot be read as asked (a bad ``--since``)."""
