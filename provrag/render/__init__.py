"""Rendering shared by the CLI, the HTTP server and the Python API: SPARQL results in
the SPARQL 1.1 formats (:mod:`~provrag.render.sparql`) and lineage trees for a
terminal (:mod:`~provrag.render.trace_tree`). No I/O here: callers print or send."""
