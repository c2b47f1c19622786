"""Triples of monitor runs, alerts and alert notes (see :mod:`kg.monitors`).

Shape of a monitor run ``R``, its measurements ``M``, an alert ``A`` and a note ``N``::

    R a pr:MonitorRun, prov:Activity ; rdfs:label ; pr:monitor "coverage" ;
      [pr:datasetName] ; [pr:monitoredVersion] ; pr:monitorResult (rdf:JSON) ;
      prov:startedAtTime ; prov:endedAtTime ; prov:wasAssociatedWith <agent/software/provrag> ;
      pr:measurement M ...
    M a pr:Measurement, prov:Entity ; prov:wasGeneratedBy R ; pr:measureName ; pr:measureValue
    A a pr:Alert, prov:Activity ; rdfs:label ; pr:monitor ; pr:measureName ;
      [pr:measureValue] ; pr:threshold ; pr:comparator ; pr:alertMessage ;
      [pr:datasetName] ; prov:startedAtTime ; [prov:wasInformedBy R | evaluation run]
    N a pr:AlertNote, prov:Entity ; pr:aboutAlert A ; pr:noteText ;
      prov:generatedAtTime ; [prov:wasAttributedTo Person]

``R`` is ``prid:monitor/<run id>``, ``M`` is ``<R>/measure/<name>``, ``A`` is
``prid:alert/<alert id>`` and ``N`` is ``<A>/note/<note id>``; each is written to its
own named graph of the same IRI (an alert's notes each to their own).
``pr:monitoredVersion`` of a run is the dataset version it looked at (drift: ``A..B``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kg import ids
from kg.errors import MappingError
from kg.mapping import RDFS, A, iri, json_lit, lit, pr, prov
from kg.mapping.activity import activity_triples
from kg.typing import Comparator, MonitorName


@dataclass(frozen=True)
class MonitorRunIn:
    """One run of a data monitor and its headline numbers."""

    run_id: str
    monitor: MonitorName
    started: datetime
    ended: datetime
    result: Mapping[str, Any]
    measurements: Mapping[str, float] = field(default_factory=dict)
    dataset: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class AlertIn:
    """A breached threshold: ``value comparator threshold`` did not hold."""

    alert_id: str
    monitor: MonitorName
    measure: str
    value: float | None
    threshold: float
    comparator: Comparator
    message: str
    time: datetime
    dataset: str | None = None
    #: the monitor run or evaluation run that measured the value
    informed_by: str | None = None


@dataclass(frozen=True)
class AlertNoteIn:
    alert_id: str
    note_id: str
    text: str
    time: datetime
    author: str | None = None


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise MappingError(f"measurement {name!r} is {value!r}; only finite numbers are recorded")
    return number


def monitor_run_triples(run: MonitorRunIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of a monitor run."""
    node = ids.monitor_run_iri(run.run_id)
    r = iri(node)
    out = [
        *activity_triples(
            r,
            "MonitorRun",
            label=f"{run.monitor} monitor run {run.run_id}",
            started=run.started,
            ended=run.ended,
        ),
        f"{r} {pr('monitor')} {lit(run.monitor)}",
        f"{r} {pr('monitorResult')} {json_lit(dict(run.result))}",
    ]
    if run.dataset is not None:
        out.append(f"{r} {pr('datasetName')} {lit(run.dataset)}")
    if run.version is not None:
        out.append(f"{r} {pr('monitoredVersion')} {lit(run.version)}")
    for name, value in sorted(run.measurements.items()):
        m = iri(f"{node}/measure/{ids.seg(name)}")
        out += [
            f"{r} {pr('measurement')} {m}",
            f"{m} {A} {pr('Measurement')}",
            f"{m} {A} {prov('Entity')}",
            f"{m} {prov('wasGeneratedBy')} {r}",
            f"{m} {pr('measureName')} {lit(name)}",
            f"{m} {pr('measureValue')} {lit(_finite(name, value))}",
        ]
    return out


def alert_triples(alert: AlertIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of an alert."""
    a = iri(ids.alert_iri(alert.alert_id))
    out = [
        *activity_triples(
            a, "Alert", label=f"{alert.monitor} alert {alert.alert_id}", started=alert.time
        ),
        f"{a} {pr('monitor')} {lit(alert.monitor)}",
        f"{a} {pr('measureName')} {lit(alert.measure)}",
        f"{a} {pr('threshold')} {lit(_finite('threshold', alert.threshold))}",
        f"{a} {pr('comparator')} {lit(alert.comparator)}",
        f"{a} {pr('alertMessage')} {lit(alert.message)}",
    ]
    if alert.value is not None:
        out.append(f"{a} {pr('measureValue')} {lit(_finite(alert.measure, alert.value))}")
    if alert.dataset is not None:
        out.append(f"{a} {pr('datasetName')} {lit(alert.dataset)}")
    if alert.informed_by is not None:
        out.append(f"{a} {prov('wasInformedBy')} {iri(alert.informed_by)}")
    return out


def alert_note_triples(note: AlertNoteIn) -> list[str]:
    """N-Triples statements (without the final `` .``) of a note on an alert."""
    n = iri(ids.alert_note_iri(note.alert_id, note.note_id))
    out = [
        f"{n} {A} {pr('AlertNote')}",
        f"{n} {A} {prov('Entity')}",
        f"{n} {pr('aboutAlert')} {iri(ids.alert_iri(note.alert_id))}",
        f"{n} {pr('noteText')} {lit(note.text)}",
        f"{n} {prov('generatedAtTime')} {lit(note.time)}",
    ]
    if note.author is not None:
        person = iri(ids.agent_iri("person", note.author))
        out += [
            f"{n} {prov('wasAttributedTo')} {person}",
            f"{person} {A} {prov('Person')}",
            f"{person} {A} {prov('Agent')}",
            f"{person} <{RDFS}label> {lit(note.author)}",
        ]
    return out
