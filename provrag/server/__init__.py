"""The HTTP server (FastAPI): one router per module, on one session of the project.

- :mod:`provrag.server.app`: :func:`create_app`, error handlers, the routers;
- :mod:`provrag.server.sparql`: ``GET/POST /sparql`` (SPARQL 1.1 Protocol) and
  ``POST /sparql/update``; :mod:`provrag.server.negotiation` picks the media type;
- :mod:`provrag.server.data`: ``/search``, ``/ask``, ``/trace/{id}``, ``/samples/{id}``;
- :mod:`provrag.server.uploads`: ``POST /ingest`` and ``GET /jobs/{id}``;
- :mod:`provrag.server.evals`: ``/eval/runs`` and ``/eval/runs/{id}``;
- :mod:`provrag.server.metrics`: ``/metrics`` (Prometheus) and the request counters;
- :mod:`provrag.server.explorer`: the provenance explorer page, ``/`` and ``/explorer/``;
- :mod:`provrag.server.access`: the access dependencies (``require_admin``);
- :mod:`provrag.server.deps`: the session, jobs and filters every route depends on;
- :mod:`provrag.server.models`: the response models /openapi.json shows.

Routes parse the request, call a service (:mod:`provrag.services`) and answer.
Start it with ``provrag serve --host 127.0.0.1 --port 8765``.
"""

from provrag.server.app import create_app

__all__ = ["create_app"]
