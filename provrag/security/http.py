"""The access rule and the audit on every route of the HTTP server.

:func:`install` puts :class:`SecurityMiddleware` in front of the whole app: before
any route runs (so before any id is looked up) it reads ``Authorization: Bearer
TOKEN`` and answers 401 (no token, or one unknown, revoked or expired) or 403 (a
token without the role the route needs, :func:`~provrag.security.access.route_access`);
then, once the answer is sent, it queues the request's audit entry. Routes learn
who calls from :func:`caller` and read through :func:`graph_for` (an admin: the
store; anyone else: their view, :mod:`kg.view`) and :func:`bounded_filters`
(search and ask: the caller's clearance and dataset scopes); they name the samples
their answer held with :func:`returned` (the middleware also records every sample
IRI it sees in the answer's body), and a body worth auditing with
:func:`audit_parameters`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from kg.typing import Clearance
from provrag.errors import ServiceError
from provrag.security.access import NO_AUTH, Caller, Guard, route_access
from provrag.security.tokens import TokenStore

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from kg.graph import KnowledgeGraph
    from kg.model import Filters
    from provrag.security.audit import AuditTrail
    from provrag.services.session import Session
    from provrag.settings import Settings

log = logging.getLogger("provrag.security")
#: parameters longer than this are cut in the audit (a SPARQL text, a big form)
MAX_AUDITED_PARAMETERS = 8192
_SEG = rb"[A-Za-z0-9%._~\-]+"
#: a sample's IRI (revision or logical) in an answer body, in full or as ``prid:``
_SAMPLE_IN_BODY = re.compile(
    rb"(https://w3id\.org/provrag/id/|prid:)sample/" + _SEG + rb"/" + _SEG + rb"(?:/[0-9a-f]{16})?"
)
_ID_NS = b"https://w3id.org/provrag/id/"


def samples_in(body: bytes) -> list[str]:
    """The sample IRIs an answer body names (what the audit records as returned)."""
    out = []
    for m in _SAMPLE_IN_BODY.finditer(body):
        found = m.group(0)
        if found.startswith(b"prid:"):
            found = _ID_NS + found[5:]
        out.append(found.decode("ascii", "replace"))
    return out


@dataclass
class AuditNote:
    """What a route adds to its request's audit entry."""

    parameters: str | None = None
    samples: list[str] = field(default_factory=list)


class Security:
    """The token guard, the callers' views and the audit trail of one server."""

    def __init__(self, session: Session, settings: Settings) -> None:
        from kg.view import ViewCache

        self.session = session
        self.enabled = settings.security.auth
        self.default_clearance: Clearance = settings.retrieval.default_clearance
        self.guard = Guard(
            TokenStore(settings.tokens_path), anonymous_public=settings.security.anonymous_public
        )
        self.views = ViewCache(session.kg)
        self.audit: AuditTrail | None = None
        if self.enabled:
            from provrag.security.audit import AuditTrail

            self.audit = AuditTrail(
                session.kg,
                queue_size=settings.security.audit_queue,
                batch=settings.security.audit_batch,
            )
        else:
            log.warning(
                "SECURITY IS OFF (security.auth = false): anyone who can reach this server "
                "reads every sample, restricted ones included, and writes; nothing is "
                "audited. Use it only for a benchmark or alone on this machine."
            )

    def graph_for(self, who: Caller) -> KnowledgeGraph:
        """The store for an admin; for anyone else the view of their clearance and scopes."""
        if who.admin:
            return self.session.kg
        return self.views.view(who.clearance, who.scopes)

    def close(self) -> None:
        if self.audit is not None:
            self.audit.close()
        self.views.clear()


def install(app: FastAPI, session: Session, settings: Settings) -> Security:
    """Guard and audit every route of ``app`` (call it before the app starts)."""
    security = Security(session, settings)
    app.state.security = security
    app.add_middleware(SecurityMiddleware, security=security)
    return security


def _security(request: Request) -> Security:
    found = getattr(request.app.state, "security", None)
    if not isinstance(found, Security):
        raise ServiceError(
            "the server has no access control installed (provrag.security.http.install); "
            "refusing to answer: build the app with provrag.server.create_app"
        )
    return found


def caller(request: Request) -> Caller:
    """Who sent ``request`` (set by the middleware before the route ran)."""
    who = request.scope.get("state", {}).get("caller")
    if isinstance(who, Caller):
        return who
    if not _security(request).enabled:
        return NO_AUTH
    raise ServiceError(
        f"no caller was established for {request.url.path}: the security middleware did "
        "not run; refusing to answer"
    )


def graph_for(request: Request) -> KnowledgeGraph:
    """The graph ``request`` may read: the store (admin) or the caller's view."""
    return _security(request).graph_for(caller(request))


def bounded_filters(request: Request, filters: Filters) -> Filters:
    """``filters`` bounded by the caller: clearance at most theirs, their dataset scopes.
    An admin keeps the filters as given."""
    who = caller(request)
    if who.admin:
        return filters
    return filters.model_copy(
        update={"clearance": who.cap(filters.clearance), "scopes": who.scopes}
    )


def _note(request: Request) -> AuditNote | None:
    note = request.scope.get("state", {}).get("audit")
    return note if isinstance(note, AuditNote) else None


def returned(request: Request, samples: Iterable[str]) -> None:
    """Name the sample revisions (IRIs) the answer to ``request`` holds, for the audit."""
    note = _note(request)
    if note is not None:
        note.samples.extend(samples)


def audit_parameters(request: Request, text: str) -> None:
    """Audit ``text`` (a SPARQL body, an uploaded file's name) as the request's parameters."""
    note = _note(request)
    if note is not None:
        note.parameters = text


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="provrag"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class SecurityMiddleware:
    """Authenticate, authorise and audit each HTTP request (pure ASGI: no extra task)."""

    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app = app
        self.security = security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.security.enabled:
            await send({"type": "websocket.close", "code": 1008})  # no route takes one
            return
        if scope["type"] != "http" or not self.security.enabled:
            if scope["type"] == "http":
                scope.setdefault("state", {})["caller"] = NO_AUTH
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        raw_query: bytes = scope.get("query_string", b"")
        query = dict(parse_qsl(raw_query.decode("latin-1"))) if raw_query else {}
        need = route_access(method, path, query)
        if need == "open":
            await self.app(scope, receive, send)
            return
        started = datetime.now(UTC)
        header = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        who = self.security.guard.authenticate(header)
        note = AuditNote(parameters=raw_query.decode("utf-8", "replace"))
        status = 500
        if who is None:
            status = 401
            await _send_json(
                send, 401,
                {"error": "Unauthorized", "message": "send a valid API token: "
                 "'Authorization: Bearer TOKEN' (made with provrag token create); "
                 "the one sent, if any, is unknown, revoked or expired"},
            )  # fmt: skip
        elif not who.may(need):
            status = 403
            await _send_json(
                send, 403,
                {"error": "Forbidden", "message": f"{method} {path} needs an admin token; "
                 f"token {who.who} has the role {who.role!r}"},
            )  # fmt: skip
        else:
            state = scope.setdefault("state", {})
            state["caller"] = who
            state["audit"] = note

            async def send_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                elif message["type"] == "http.response.body" and status < 400:
                    note.samples.extend(samples_in(message.get("body", b"")))
                await send(message)

            try:
                await self.app(scope, receive, send_status)
            finally:
                self._audit(who, header, method, path, note, status, started)
            return
        self._audit(who, header, method, path, note, status, started)

    def _audit(
        self,
        who: Caller | None,
        header: str | None,
        method: str,
        path: str,
        note: AuditNote,
        status: int,
        started: datetime,
    ) -> None:
        from kg.mapping.audit import AuditEntry

        if self.security.audit is None:
            return
        token = who.who if who is not None else ("invalid" if header else "anonymous")
        self.security.audit.record(
            AuditEntry(
                request_id=uuid.uuid4().hex,
                token_id=token,
                method=method,
                route=path,
                parameters=(note.parameters or "")[:MAX_AUDITED_PARAMETERS],
                status=status,
                started=started,
                ended=datetime.now(UTC),
                samples=tuple(note.samples),
            )
        )
