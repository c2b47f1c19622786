"""The use cases of provrag, one small module each, shared by the CLI, the HTTP server
and the Python API (a command is parse -> service -> render).

- :mod:`~provrag.services.session`: an open project (settings, graph, retrievers);
- :mod:`~provrag.services.ingesting`: ingest files or a DataFrame, then index;
- :mod:`~provrag.services.deleting`: invalidate samples, then index;
- :mod:`~provrag.services.indexing`: index sync and check;
- :mod:`~provrag.services.searching`, :mod:`~provrag.services.asking`: search, ask
  (optionally recording the answer);
- :mod:`~provrag.services.tracing`: a lineage in each format (one writer table);
- :mod:`~provrag.services.golden`, :mod:`~provrag.services.evaluating`,
  :mod:`~provrag.services.eval_outcome`, :mod:`~provrag.services.beir`,
  :mod:`~provrag.services.rerun`: evaluation;
- :mod:`~provrag.services.quality`: stats, agreement, drift.

Services take typed inputs and return typed results; they never print (progress
is passed in as a callback) and never exit: they raise
:class:`~kg.errors.ProvragError` subclasses. Only :mod:`provrag.wiring` picks
the concrete classes they use.
"""
