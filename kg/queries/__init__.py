"""Every SPARQL text of provrag, as named, typed read functions.

The other packages never write SPARQL: they call a function here and get pydantic
models or plain rows back. Modules by subject:

- :mod:`kg.queries.current`: the one definition of a *current* sample (not
  invalidated), as pattern fragments every other query composes;
- :mod:`kg.queries.documented`: the queries ``docs/sparql.md`` quotes verbatim;
- :mod:`kg.queries.versions`: dataset versions and their members, as ingested (drift);
- :mod:`kg.queries.labels`: labels of one field, for inter-annotator agreement;
- :mod:`kg.queries.slices`: provenance of judged and retrieved samples (evaluation slices);
- :mod:`kg.queries.golden`: golden sets read back from the graph;
- :mod:`kg.queries.runs`: recorded evaluation runs and their metric values;
- :mod:`kg.queries.graph_info`: facts about the graph as a whole (entity mentions);
- :mod:`kg.queries.netview`: the reads behind the networkx views of :mod:`kg.netview`;
- :mod:`kg.queries.revisions`: what the graph holds of the samples a batch brings
  (head revision, revision hashes, dataset versions; whether a dataset has samples)
  and the current revision of the sources its records are derived from;
- :mod:`kg.queries.nodes`: which shared nodes the graph already describes;
- :mod:`kg.queries.datasets`: the current samples a delete selector names;
- :mod:`kg.queries.lineage`: the reads behind a provenance trace (:mod:`kg.provenance`),
  the samples derived from a revision included;
- :mod:`kg.queries.rows`: raw SELECT rows for the reads on hot paths;
- :mod:`kg.queries.state`: a key of the sample state, for caches of sample reads;
- :mod:`kg.queries.corpus`: current samples and their texts, what an index covers;
- :mod:`kg.queries.filters`: the samples a provenance/governance filter allows;
- :mod:`kg.queries.hits`: text and provenance summary of search hits;
- :mod:`kg.queries.mentions`: entity mentions and names, for graph enrichment;
- :mod:`kg.queries.derivation`: derivation edges between current samples (answerable units);
- :mod:`kg.queries.releases`: releases, their members, approvals and the served release;
- :mod:`kg.queries.impact`: lineage impact (stale derived samples and golden items, the
  samples a cascading delete reaches).

provrag's prefixes are predeclared by :meth:`kg.graph.KnowledgeGraph.query`, so
no query repeats them.
"""

from __future__ import annotations

from kg.queries.documented import (
    CURRENT_SAMPLES_QUERY,
    DOCUMENTED_QUERIES,
    LABEL_DISAGREEMENTS_QUERY,
    LIST_COLUMNS,
    PROVENANCE_COLUMNS,
    PROVENANCE_QUERY,
    SAMPLES_BY_PROMPT_VERSION_QUERY,
    SELECTOR_LINE,
    SEPARATOR,
    provenance_of,
    provenance_query_for,
)
from kg.queries.releases import RELEASES_QUERY, SERVING_HISTORY_QUERY

__all__ = [
    "CURRENT_SAMPLES_QUERY",
    "DOCUMENTED_QUERIES",
    "LABEL_DISAGREEMENTS_QUERY",
    "LIST_COLUMNS",
    "PROVENANCE_COLUMNS",
    "PROVENANCE_QUERY",
    "RELEASES_QUERY",
    "SAMPLES_BY_PROMPT_VERSION_QUERY",
    "SELECTOR_LINE",
    "SERVING_HISTORY_QUERY",
    "SEPARATOR",
    "provenance_of",
    "provenance_query_for",
]
