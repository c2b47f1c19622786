"""Who may do what: the access dependencies of the routes.

:func:`require_admin` guards the routes that change the graph outside ingest
(``POST /sparql/update``). The security middleware (:mod:`provrag.security.http`)
answers 401/403 before any route runs; this dependency says it again at the route,
so that the route stays closed even if the route table forgot it.
"""

from __future__ import annotations

from fastapi import HTTPException, Request


def require_admin(request: Request) -> None:
    """Let the request through when its caller is an admin; 403 otherwise."""
    from provrag.security.http import caller

    who = caller(request)
    if not who.admin:
        raise HTTPException(
            403,
            f"{request.method} {request.url.path} needs an admin token; token {who.who} "
            f"has the role {who.role!r}",
        )
