"""Retention reads: the current samples of a dataset ingested before a cut-off time.

A sample's ingest time is the end of the ingest batch that wrote its revision
(``pr:ingestedIn`` / ``prov:endedAtTime``); a sample seen again unchanged in a later
version keeps the time it was first written.
"""

from __future__ import annotations

from datetime import datetime

from kg import ids as kg_ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.queries.current import current_sample
from kg.queries.datasets import SelectedSample


def expired_query(dataset: str, cutoff: datetime) -> str:
    """SPARQL: current samples of ``dataset`` whose batch ended before ``cutoff``."""
    d = kg_ids.dataset_iri(dataset)
    return f"""SELECT DISTINCT ?s ?id WHERE {{
  {current_sample("?s")}
  ?s pr:externalId ?id ;
     pr:inDatasetVersion ?dv ;
     pr:ingestedIn ?batch .
  ?dv dcterms:isVersionOf <{d}> .
  ?batch prov:endedAtTime ?ingested .
  FILTER(?ingested < {lit(cutoff)})
}} ORDER BY ?s"""


def expired_samples(kg: KnowledgeGraph, dataset: str, cutoff: datetime) -> list[SelectedSample]:
    """The current samples of ``dataset`` ingested before ``cutoff``, ordered by IRI."""
    return [
        SelectedSample(iri=str(row["s"]), external_id=str(row["id"]))
        for row in kg.select(expired_query(dataset, cutoff))
        if "s" in row
    ]
