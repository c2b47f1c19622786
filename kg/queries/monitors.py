"""Reading monitor runs and alerts (shape in :mod:`kg.mapping.monitors`), and the
documented queries giving each monitor's latest result (``docs/sparql.md``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kg import ids
from kg.graph import KnowledgeGraph
from kg.queries.current import is_current

#: headline measurements of each monitor (what its documented query pivots)
COVERAGE_MEASURES = (
    "real_covered_share",
    "golden_covered_share",
    "uncovered_clusters",
    "far_synthetic",
)
DRIFT_MEASURES = ("changed_share", "new_share", "removed_share", "label_js_divergence")
AGREEMENT_MEASURES = ("alpha", "percent_agreement", "items")
TESTSET_MEASURES = ("kendall_tau", "kendall_p_value", "variants", "mean_abs_gap")


def latest_monitor_query(monitor: str, measures: tuple[str, ...], comment: str) -> str:
    """The latest run of ``monitor`` per dataset, its measures as columns."""
    columns = " ".join(f"?{m}" for m in measures)
    optional = "".join(
        f'  OPTIONAL {{ ?run pr:measurement [ pr:measureName "{m}" ; pr:measureValue ?{m} ] }}\n'
        for m in measures
    )
    return f"""\
# {comment}
SELECT ?run ?dataset ?version ?ended {columns}
WHERE {{
  ?run a pr:MonitorRun ;
       pr:monitor "{monitor}" ;
       pr:datasetName ?dataset ;
       prov:endedAtTime ?ended .
  OPTIONAL {{ ?run pr:monitoredVersion ?version }}
  FILTER NOT EXISTS {{
    ?later a pr:MonitorRun ;
           pr:monitor "{monitor}" ;
           pr:datasetName ?dataset ;
           prov:endedAtTime ?later_ended .
    FILTER(?later_ended > ?ended || (?later_ended = ?ended && STR(?later) > STR(?run)))
  }}
{optional}}}
ORDER BY ?dataset
"""


LATEST_COVERAGE_QUERY = latest_monitor_query(
    "coverage",
    COVERAGE_MEASURES,
    "Latest synthetic coverage per dataset: shares of real samples and golden queries\n"
    "# with a synthetic neighbour, uncovered real clusters, far synthetic samples.",
)
LATEST_DRIFT_QUERY = latest_monitor_query(
    "drift",
    DRIFT_MEASURES,
    "Latest drift per dataset (version: from..to): shares of changed, new and removed\n"
    "# samples, largest Jensen-Shannon divergence of a label distribution (bits).",
)
LATEST_AGREEMENT_QUERY = latest_monitor_query(
    "agreement",
    AGREEMENT_MEASURES,
    "Latest label agreement per dataset: Krippendorff's alpha, percent agreement and\n"
    "# the items with two labels or more, for the dataset version checked.",
)
LATEST_TESTSET_QUERY = latest_monitor_query(
    "testset",
    TESTSET_MEASURES,
    "Latest synthetic test set validation per dataset: Kendall's tau between the\n"
    "# retriever rankings on the synthetic and the expert set, its p-value, the gap.",
)

LATEST_EVALUATION_QUERY = """\
# Latest evaluation run per golden set and retriever: overall nDCG at the run's
# cutoff with its bootstrap 95% interval.
SELECT ?run ?golden ?retriever ?ended ?metric ?value ?low ?high
WHERE {
  ?run a pr:EvaluationRun ;
       pr:goldenSet/dcterms:title ?golden ;
       pr:retrieverKind ?retriever ;
       pr:cutoff ?k ;
       prov:endedAtTime ?ended .
  FILTER NOT EXISTS {
    ?later a pr:EvaluationRun ;
           pr:goldenSet/dcterms:title ?golden ;
           pr:retrieverKind ?retriever ;
           prov:endedAtTime ?later_ended .
    FILTER(?later_ended > ?ended || (?later_ended = ?ended && STR(?later) > STR(?run)))
  }
  BIND(CONCAT("ndcg@", STR(?k)) AS ?metric)
  ?run pr:metric ?m .
  ?m pr:metricName ?metric ;
     pr:sliceName "overall" ;
     pr:metricValue ?value .
  OPTIONAL { ?m pr:ciLow ?low ; pr:ciHigh ?high }
}
ORDER BY ?golden ?retriever
"""

SYNTHETIC_SHARE_QUERY = f"""\
# Synthetic share of each dataset version: current samples by origin.
SELECT ?dataset ?version (COUNT(?sample) AS ?samples)
       (SUM(IF(?origin = "synthetic", 1, 0)) AS ?synthetic)
       (SUM(IF(?origin = "synthetic", 1, 0)) / COUNT(?sample) AS ?synthetic_share)
WHERE {{
  ?sample a pr:Sample ;
          pr:origin ?origin ;
          pr:inDatasetVersion ?dataset_version .
  ?dataset_version pr:datasetName ?dataset ;
                   pr:versionLabel ?version .
  {is_current("?sample")}
}}
GROUP BY ?dataset ?version
ORDER BY ?dataset ?version
"""

ALERTS_QUERY = """\
# The risk log: every alert, newest first, with its latest note.
SELECT ?alert ?monitor ?measure ?value ?comparator ?threshold ?time ?message ?note
WHERE {
  ?alert a pr:Alert ;
         pr:monitor ?monitor ;
         pr:measureName ?measure ;
         pr:comparator ?comparator ;
         pr:threshold ?threshold ;
         pr:alertMessage ?message ;
         prov:startedAtTime ?time .
  OPTIONAL { ?alert pr:measureValue ?value }
  OPTIONAL {
    ?n pr:aboutAlert ?alert ; pr:noteText ?note ; prov:generatedAtTime ?noted .
    FILTER NOT EXISTS {
      ?n2 pr:aboutAlert ?alert ; prov:generatedAtTime ?noted2 .
      FILTER(?noted2 > ?noted || (?noted2 = ?noted && STR(?n2) > STR(?n)))
    }
  }
}
ORDER BY DESC(?time) ?alert
"""

#: name -> query, in the order ``docs/sparql.md`` presents them
MONITOR_QUERIES: dict[str, str] = {
    "latest-evaluation": LATEST_EVALUATION_QUERY,
    "latest-coverage": LATEST_COVERAGE_QUERY,
    "latest-drift": LATEST_DRIFT_QUERY,
    "latest-agreement": LATEST_AGREEMENT_QUERY,
    "latest-testset": LATEST_TESTSET_QUERY,
    "synthetic-share": SYNTHETIC_SHARE_QUERY,
    "alerts": ALERTS_QUERY,
}


# ----------------------------------------------------------------------------- reads


class MonitorRunRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    monitor: str
    dataset: str | None
    version: str | None
    ended: datetime
    measurements: dict[str, float] = Field(default_factory=dict)
    result: dict[str, Any] = Field(default_factory=dict)


class AlertNoteRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    time: datetime
    author: str | None = None


class AlertRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    alert_id: str
    monitor: str
    measure: str
    value: float | None
    comparator: str
    threshold: float
    message: str
    time: datetime
    dataset: str | None = None
    informed_by: str | None = None
    notes: list[AlertNoteRecord] = Field(default_factory=list)


_RUNS = """
SELECT ?run ?monitor ?dataset ?version ?ended ?result WHERE {
  ?run a pr:MonitorRun ; pr:monitor ?monitor ; prov:endedAtTime ?ended ;
       pr:monitorResult ?result .
  OPTIONAL { ?run pr:datasetName ?dataset }
  OPTIONAL { ?run pr:monitoredVersion ?version }
  %s
}
ORDER BY ?ended ?run
"""

_MEASURES = """
SELECT DISTINCT ?run ?name ?value WHERE {
  ?run a pr:MonitorRun ; pr:measurement ?m .
  ?m pr:measureName ?name ; pr:measureValue ?value .
}
"""

_ALERTS = """
SELECT ?alert ?monitor ?measure ?value ?comparator ?threshold ?message ?time ?dataset ?informed
WHERE {
  ?alert a pr:Alert ; pr:monitor ?monitor ; pr:measureName ?measure ;
         pr:comparator ?comparator ; pr:threshold ?threshold ;
         pr:alertMessage ?message ; prov:startedAtTime ?time .
  OPTIONAL { ?alert pr:measureValue ?value }
  OPTIONAL { ?alert pr:datasetName ?dataset }
  OPTIONAL { ?alert prov:wasInformedBy ?informed }
}
ORDER BY ?time ?alert
"""

_NOTES = """
SELECT DISTINCT ?n ?alert ?text ?time ?author WHERE {
  ?n a pr:AlertNote ; pr:aboutAlert ?alert ; pr:noteText ?text ; prov:generatedAtTime ?time .
  OPTIONAL { ?n prov:wasAttributedTo/rdfs:label ?author }
}
ORDER BY ?time ?n
"""


def _tail(iri: str, prefix: str) -> str:
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def monitor_runs(kg: KnowledgeGraph, monitor: str | None = None) -> list[MonitorRunRecord]:
    """Recorded monitor runs (of ``monitor``, or all), oldest first, with measurements."""
    where = "" if monitor is None else f"FILTER(?monitor = {json.dumps(monitor)})"
    measures: dict[str, dict[str, float]] = {}
    for r in kg.select(_MEASURES):
        measures.setdefault(str(r["run"]), {})[str(r["name"])] = float(r["value"])
    prefix = ids.monitor_run_iri("")
    out = []
    for r in kg.select(_RUNS % where):
        run = str(r["run"])
        out.append(
            MonitorRunRecord(
                run_id=_tail(run, prefix),
                monitor=str(r["monitor"]),
                dataset=r.get("dataset"),
                version=r.get("version"),
                ended=r["ended"],
                measurements=measures.get(run, {}),
                result=json.loads(str(r["result"])),
            )
        )
    return out


def latest_monitor_run(
    kg: KnowledgeGraph, monitor: str, dataset: str | None = None
) -> MonitorRunRecord | None:
    """The newest run of ``monitor`` (on ``dataset``, if given)."""
    runs = [r for r in monitor_runs(kg, monitor) if dataset is None or r.dataset == dataset]
    return runs[-1] if runs else None


def alerts(kg: KnowledgeGraph) -> list[AlertRecord]:
    """Every recorded alert, oldest first, with its notes (oldest first)."""
    notes: dict[str, list[AlertNoteRecord]] = {}
    for r in kg.select(_NOTES):
        notes.setdefault(str(r["alert"]), []).append(
            AlertNoteRecord(text=str(r["text"]), time=r["time"], author=r.get("author"))
        )
    prefix = ids.alert_iri("")
    out = []
    for r in kg.select(_ALERTS):
        alert = str(r["alert"])
        value = r.get("value")
        informed = r.get("informed")
        out.append(
            AlertRecord(
                alert_id=_tail(alert, prefix),
                monitor=str(r["monitor"]),
                measure=str(r["measure"]),
                value=None if value is None else float(value),
                comparator=str(r["comparator"]),
                threshold=float(r["threshold"]),
                message=str(r["message"]),
                time=r["time"],
                dataset=r.get("dataset"),
                informed_by=None if informed is None else str(informed),
                notes=notes.get(alert, []),
            )
        )
    return out
