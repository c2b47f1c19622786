"""Writing monitor runs, alerts and alert notes to the graph (shape in
:mod:`kg.mapping.monitors`; reads in :mod:`kg.queries.monitors`).

:func:`record_alert` is THE way an alert gets into the graph: the services call it
through :func:`provrag.services.alerts.raise_alert`. An alert's id is given by its
caller; recording an id that is already recorded is a no-op (``None``), so the same
breach measured again is not logged twice.
"""

from __future__ import annotations

from kg import ids
from kg.errors import NotFoundError
from kg.graph import KnowledgeGraph
from kg.mapping.monitors import (
    AlertIn,
    AlertNoteIn,
    MonitorRunIn,
    alert_note_triples,
    alert_triples,
    monitor_run_triples,
)


def record_monitor_run(kg: KnowledgeGraph, run: MonitorRunIn) -> str:
    """Write the run's graph ``prid:monitor/<run id>`` (atomically); its IRI."""
    graph = ids.monitor_run_iri(run.run_id)
    if kg.graph_status(graph) is None:
        with kg.write_graph(graph) as writer:
            writer.add_statements(monitor_run_triples(run))
    return graph


def record_alert(kg: KnowledgeGraph, alert: AlertIn) -> str | None:
    """Write the alert's graph ``prid:alert/<alert id>`` (atomically); its IRI, or
    ``None`` when that alert is already recorded."""
    graph = ids.alert_iri(alert.alert_id)
    if kg.graph_status(graph) is not None:
        return None
    with kg.write_graph(graph) as writer:
        writer.add_statements(alert_triples(alert))
    return graph


def add_alert_note(kg: KnowledgeGraph, note: AlertNoteIn) -> str:
    """Write a note on a recorded alert (its own graph); the note's IRI.

    Raises :class:`~kg.errors.NotFoundError` when the graph holds no such alert.
    """
    if kg.graph_status(ids.alert_iri(note.alert_id)) != "committed":
        raise NotFoundError(
            f"the graph holds no alert {note.alert_id!r}; list the alerts with `provrag alerts`"
        )
    graph = ids.alert_note_iri(note.alert_id, note.note_id)
    with kg.write_graph(graph) as writer:
        writer.add_statements(alert_note_triples(note))
    return graph
