"""Which release is served by default: promote one, roll back to the previous one.

The served release is read from the graph: every ``release promote`` and ``release
rollback`` is an activity there (:mod:`kg.mapping.releases`: who, when, why, and the
release it replaced). Replaying them in time order gives a stack of served releases: a
promotion pushes a release, a rollback pops back to the one served before it. The top
is served by default (:func:`served_release`); settings ``[release] serve`` and
``--release`` override it. A promotion needs an approved release; a refused one
changes nothing (:class:`~provrag.errors.ReleaseRefusedError`, exit 2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kg.queries.releases import release_row, served_release, served_stack, serving_history
from provrag.errors import ReleaseError, ReleaseRefusedError
from provrag.services.session import Session


@dataclass
class ServingOutcome:
    """A promotion or a rollback: the activity written and what is served now."""

    activity: str
    kind: str
    release: str
    replaced: str | None
    by: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _write(
    session: Session, kind: str, release: str, by: str, replaced: str | None, note: str | None
) -> ServingOutcome:
    from kg import ids
    from kg.mapping.releases import serving_change_triples
    from kg.model import now_utc

    at = now_utc()
    change_id = f"{at:%Y%m%dT%H%M%S%f}-{kind}-{release}"
    activity = ids.serving_change_iri(change_id)
    with session.write_lock:
        with session.kg.write_graph(activity) as writer:
            writer.add_statements(
                serving_change_triples(
                    activity,
                    "promotion" if kind == "promotion" else "rollback",
                    release,
                    by,
                    at,
                    replaced=replaced,
                    note=note,
                )  # fmt: skip
            )
        session.changed()
    return ServingOutcome(activity, kind, release, replaced, by, note)


def promote(session: Session, name: str, *, by: str, note: str | None = None) -> ServingOutcome:
    """Serve the release ``name`` by default from now on (it must be approved)."""
    row = release_row(session.kg, name)
    if row is None:
        raise ReleaseError(f"there is no release {name!r}; see `provrag release list`")
    if not row.approved:
        raise ReleaseRefusedError(
            f"release {name!r} is not approved, so it cannot be promoted; approve it first "
            f"(`provrag release approve {name} --by PERSON`)"
        )
    current = served_release(session.kg)
    if current == name:
        raise ReleaseRefusedError(f"release {name!r} is already the one served; nothing to do")
    return _write(session, "promotion", name, by, current, note)


def rollback(session: Session, *, by: str, note: str | None = None) -> ServingOutcome:
    """Serve again the approved release served before the current one."""
    stack = served_stack(serving_history(session.kg))
    if len(stack) < 2:
        raise ReleaseRefusedError(
            "there is no earlier release to roll back to: "
            + (f"{stack[0]!r} is the only one ever promoted" if stack else "none was promoted")
        )
    return _write(session, "rollback", stack[-2], by, stack[-1], note)
