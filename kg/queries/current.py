"""The one definition of a *current* sample revision: one that was never invalidated.

A revision leaves the current set when it gets ``prov:invalidatedAtTime`` (a delete,
an expiry or a newer revision of the same sample). Every query that means "current"
composes these fragments instead of restating the rule.
"""

from __future__ import annotations

from kg.errors import QueryError


def _check_var(var: str) -> str:
    if not (var.startswith("?") and var[1:].replace("_", "a").isalnum()):
        raise QueryError(f"{var!r} is not a SPARQL variable: pass it as '?name'")
    return var


def is_current(var: str = "?s") -> str:
    """A ``FILTER`` keeping the bindings of ``var`` that are current revisions."""
    v = _check_var(var)
    return f"FILTER NOT EXISTS {{ {v} prov:invalidatedAtTime ?_invalidated_{v[1:]} }}"


def is_invalidated(var: str = "?s") -> str:
    """A ``FILTER`` keeping the bindings of ``var`` that are no longer current."""
    v = _check_var(var)
    return f"FILTER EXISTS {{ {v} prov:invalidatedAtTime ?_invalidated_{v[1:]} }}"


def bind_current(var: str = "?s", into: str = "?current") -> str:
    """``BIND`` of a boolean ``into``: whether ``var`` is a current revision."""
    v = _check_var(var)
    return (
        f"BIND(NOT EXISTS {{ {v} prov:invalidatedAtTime ?_invalidated_{v[1:]} }} "
        f"AS {_check_var(into)})"
    )


def current_sample(var: str = "?s") -> str:
    """The pattern of a current ``pr:Sample`` bound to ``var``."""
    return f"{_check_var(var)} a pr:Sample . {is_current(var)}"
