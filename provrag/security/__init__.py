"""Access control and audit of the HTTP server.

- :mod:`provrag.security.tokens`: API tokens, stored hashed (``<home>/tokens.sqlite``);
- :mod:`provrag.security.access`: callers, roles and what each route needs;
- :mod:`provrag.security.http`: the middleware that guards and audits every route,
  and what routes call to read as their caller (:func:`~provrag.security.http.graph_for`);
- :mod:`provrag.security.audit`: the audit trail's queue and writer thread.

What a caller may see of the graph is decided in :mod:`kg.view`.
"""
