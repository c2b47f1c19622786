"""Who is calling and what each route needs: the access rule of every door.

A :class:`Caller` is what a request is allowed: a clearance (``public`` <
``internal`` < ``restricted``), optional dataset scopes, and whether it is an
admin (every sample, the full store, writes, the audit graph). :func:`route_access`
classifies each route: ``open`` (no data: health, the API description, the explorer
page's static files, whose calls to the API carry the token), ``read``
(any valid caller, what it sees bounded by its clearance and scopes) or ``admin``.
A route not in the table is ``admin``: a new route is closed until classified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from kg.typing import Access, Clearance, Role
from provrag.security.tokens import TokenRecord, TokenStore

#: (method, path pattern, access); the first match wins, none matching: admin
ROUTES: tuple[tuple[str, str, Access], ...] = (
    ("GET", r"/health", "open"),
    ("GET", r"/openapi\.json|/docs(/.*)?|/redoc", "open"),
    # the explorer page's static files hold no data: its calls carry the token
    ("GET", r"/|/explorer(/[\w.\-/]*)?", "open"),
    ("GET", r"/search|/ask", "read"),
    ("GET|POST", r"/sparql", "read"),
    ("GET", r"/trace/.+", "read"),
    ("GET", r"/samples/.+", "read"),
    ("GET", r"/eval/runs(/.+)?", "read"),
    ("GET", r"/metrics", "read"),  # counters and latencies, no sample
)
_COMPILED = tuple((frozenset(m.split("|")), re.compile(f"(?:{p})"), a) for m, p, a in ROUTES)
#: read routes that are writes with one parameter (``/ask?record=true`` stores the answer)
_WRITE_PARAMS = {"/ask": ("record",)}
_TRUE = {"1", "true", "yes", "on"}


def route_access(method: str, path: str, query: dict[str, str] | None = None) -> Access:
    """What ``method path`` needs (HEAD as GET); unknown routes need an admin."""
    verb = "GET" if method == "HEAD" else method
    for methods, pattern, access in _COMPILED:
        if verb in methods and pattern.fullmatch(path):
            if access == "read" and query:
                for name in _WRITE_PARAMS.get(path, ()):
                    if query.get(name, "").lower() in _TRUE:
                        return "admin"
            return access
    return "admin"


@dataclass(frozen=True)
class Caller:
    """What one request may see and do."""

    #: the token id; ``anonymous`` without a token, ``auth-off`` with security off
    who: str
    role: Role
    clearance: Clearance
    #: the datasets it may read; None: every dataset
    scopes: tuple[str, ...] | None = None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def may(self, access: Access) -> bool:
        return access != "admin" or self.admin

    def cap(self, asked: Clearance | None) -> Clearance:
        """The clearance a request runs with: what it asked for, at most its own."""
        from kg.typing import SENSITIVITY_ORDER

        if asked is None or SENSITIVITY_ORDER[asked] > SENSITIVITY_ORDER[self.clearance]:
            return self.clearance
        return asked


#: a caller when security is off (``security.auth = false``): everything
NO_AUTH = Caller(who="auth-off", role="admin", clearance="restricted")
#: a caller without a token when ``security.anonymous_public`` is on
ANONYMOUS = Caller(who="anonymous", role="public", clearance="public")
_CLEARANCE: dict[Role, Clearance] = {
    "public": "public",
    "internal": "internal",
    "restricted": "restricted",
    "admin": "restricted",
}


def caller_of(record: TokenRecord) -> Caller:
    return Caller(
        who=record.id, role=record.role, clearance=_CLEARANCE[record.role], scopes=record.datasets
    )


class Guard:
    """Turns an ``Authorization`` header into a :class:`Caller` (or None: 401)."""

    def __init__(self, tokens: TokenStore, *, anonymous_public: bool = False) -> None:
        self.tokens = tokens
        self.anonymous_public = anonymous_public

    def authenticate(self, header: str | None) -> Caller | None:
        """The caller of ``header``; None for no token (unless anonymous access is on),
        a malformed header, a token never issued, a revoked or an expired one."""
        if not header:
            return ANONYMOUS if self.anonymous_public else None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        record = self.tokens.lookup(secret.strip())
        if record is None or not record.usable(datetime.now(UTC)):
            return None
        return caller_of(record)
