"""Every policy, mode and format of provrag, as a ``Literal`` defined once.

Each ``Literal`` has a tuple of its values beside it (``typing.get_args``), so
that a CLI choice, an HTTP parameter, a settings field and a runtime check all
read the same list: add a value here and every one of them accepts it.
Nothing else of provrag may restate these values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeVar, get_args

_T = TypeVar("_T", bound=str)


def literal_value(values: Iterable[_T], value: object) -> _T | None:
    """``value`` typed as one of ``values`` (a tuple below), or None when it is none of them."""
    for v in values:
        if v == value:
            return v
    return None


# ------------------------------------------------------------------ samples

#: where a sample's content came from
Origin = Literal["real", "synthetic"]
ORIGINS: tuple[Origin, ...] = get_args(Origin)

#: what a sample is
SampleKind = Literal["passage", "question", "answer", "turn"]
SAMPLE_KINDS: tuple[SampleKind, ...] = get_args(SampleKind)

#: who gave a label: an expert, a model or a heuristic
AnnotatorKind = Literal["human", "model", "heuristic"]
ANNOTATOR_KINDS: tuple[AnnotatorKind, ...] = get_args(AnnotatorKind)

#: how sensitive a sample is, lowest first; a caller's clearance is one of these levels
Sensitivity = Literal["public", "internal", "restricted"]
SENSITIVITIES: tuple[Sensitivity, ...] = get_args(Sensitivity)
#: the highest sensitivity a caller may see (public < internal < restricted)
Clearance = Sensitivity
CLEARANCES: tuple[Clearance, ...] = SENSITIVITIES
#: rank of each level: a caller cleared for ``internal`` sees public + internal
SENSITIVITY_ORDER: dict[str, int] = {s: n for n, s in enumerate(SENSITIVITIES)}

# ------------------------------------------------------------------- ingest

#: what to do with a record that fails validation
OnInvalid = Literal["fail", "skip", "quarantine"]
ON_INVALID: tuple[OnInvalid, ...] = get_args(OnInvalid)

#: what to do with an id repeated within one input
OnDuplicate = Literal["skip", "overwrite", "fail"]
ON_DUPLICATE: tuple[OnDuplicate, ...] = get_args(OnDuplicate)

#: what to do when the spaCy model is missing: a rule-based pipeline, or fail
OnMissingModel = Literal["fallback", "fail"]
ON_MISSING_MODEL: tuple[OnMissingModel, ...] = get_args(OnMissingModel)

#: what finds the entity mentions of passages (at ingest) and of queries (at search):
#: ``ner`` spaCy's statistical NER plus the gazetteer; ``noun_chunks`` spaCy's noun
#: chunks (lemmatised, stop words dropped) plus the gazetteer, for domain text where
#: general NER finds little; ``gazetteer`` only the gazetteer's names, no model
ExtractorKind = Literal["ner", "noun_chunks", "gazetteer"]
EXTRACTOR_KINDS: tuple[ExtractorKind, ...] = get_args(ExtractorKind)

#: entity type of a sample's title (``metadata.title``): the entity the sample is
#: *about*, written at ingest beside the extractor's mentions. Entity PageRank
#: speaks only for a query that names one (``retrieval.ppr_gate_subject``).
TITLE_ENTITY_TYPE = "TITLE"

#: spaCy (OntoNotes) entity types the ``ner`` extractor keeps by default: names of
#: things. Numbers, dates, ordinals, money, percent, quantity, time and cardinals
#: are not entities of the graph (they would join unrelated passages).
DEFAULT_ENTITY_TYPES: tuple[str, ...] = (
    "ORG", "PERSON", "GPE", "LOC", "PRODUCT", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART",
)  # fmt: skip

#: input file formats of ``provrag ingest``
FileFormat = Literal["jsonl", "csv", "parquet"]
FILE_FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)

# ------------------------------------------------------------------ storage

#: graph store backend
StoreKind = Literal["embedded", "memory", "remote"]
STORE_KINDS: tuple[StoreKind, ...] = get_args(StoreKind)

#: RDF serialisations a store dumps and loads
RdfFormatName = Literal["nquads", "trig", "turtle", "ntriples"]
RDF_FORMAT_NAMES: tuple[RdfFormatName, ...] = get_args(RdfFormatName)

#: RDF formats of ``provrag export`` (``kg.io.export_graph``; nquads and trig keep
#: the named graphs)
ExportFormat = Literal["turtle", "nquads", "trig"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
#: the lineage graph (``kg.netview.lineage_graph``) as a file for graph tools
LineageGraphFormat = Literal["graphml", "gexf"]
LINEAGE_GRAPH_FORMATS: tuple[LineageGraphFormat, ...] = get_args(LineageGraphFormat)
#: ``provrag export --format``: RDF, or the lineage graph
ExportFileFormat = Literal[ExportFormat, LineageGraphFormat]
EXPORT_FILE_FORMATS: tuple[ExportFileFormat, ...] = get_args(ExportFileFormat)

#: output of ``provrag sparql`` (turtle: CONSTRUCT and DESCRIBE only)
SparqlFormat = Literal["table", "json", "csv", "turtle"]
SPARQL_FORMATS: tuple[SparqlFormat, ...] = get_args(SparqlFormat)

#: a lineage as a document (``GET /trace/{id}``, ``provrag trace --format``)
TraceDocumentFormat = Literal["json", "turtle", "prov-json", "prov-n"]
TRACE_DOCUMENT_FORMATS: tuple[TraceDocumentFormat, ...] = get_args(TraceDocumentFormat)
#: ``provrag trace --format``: a tree on the terminal, or a document
TraceFormat = Literal["tree", TraceDocumentFormat]
TRACE_FORMATS: tuple[TraceFormat, ...] = get_args(TraceFormat)

# ---------------------------------------------------------------- retrieval

#: channels a retriever fuses: dense | lexical | dense + lexical | + graph
RetrieverMode = Literal["dense", "lexical", "hybrid", "enriched"]
RETRIEVER_MODES: tuple[RetrieverMode, ...] = get_args(RetrieverMode)

#: how channel lists are fused: standardised scores (z), reciprocal ranks, min-max scores
FusionMethod = Literal["zscore", "rrf", "weighted"]
FUSION_METHODS: tuple[FusionMethod, ...] = get_args(FusionMethod)

#: order of the graph channel: by entity evidence, or by similarity among its matches
GraphOrder = Literal["entities", "similarity"]
GRAPH_ORDERS: tuple[GraphOrder, ...] = get_args(GraphOrder)

#: what the graph channel may do in fusion: add unseen samples, or vote on all
GraphRole = Literal["rerank", "expand"]
GRAPH_ROLES: tuple[GraphRole, ...] = get_args(GraphRole)

#: how the graph ranks in the ``enriched`` mode: Personalized PageRank over the
#: passage-entity graph (gated), expansion below the fused hits, or not at all
GraphRanking = Literal["ppr", "expand", "off"]
GRAPH_RANKINGS: tuple[GraphRanking, ...] = get_args(GraphRanking)

#: where a source found through a derived sample ranks in a channel's list: below
#: the samples the channel found itself, or at the best rank of it and its derived ones
DerivedRank = Literal["below", "best"]
DERIVED_RANKS: tuple[DerivedRank, ...] = get_args(DerivedRank)

#: trust class of a sample for provenance weighting: a human label beats the
#: origin; "unknown" without one
ProvenanceClass = Literal["human_labelled", "real", "synthetic", "unknown"]
PROVENANCE_CLASSES: tuple[ProvenanceClass, ...] = get_args(ProvenanceClass)

#: a vector index structure
IndexKind = Literal["flat", "hnsw"]
INDEX_KINDS: tuple[IndexKind, ...] = get_args(IndexKind)
#: the index structure asked for: one of :data:`IndexKind`, or chosen by size
IndexType = Literal["auto", IndexKind]
INDEX_TYPES: tuple[IndexType, ...] = get_args(IndexType)

# --------------------------------------------------------------- evaluation

#: ranking metric families (``ndcg@10``, ``recall@100``, ...)
MetricKind = Literal["ndcg", "recall", "precision", "mrr", "map", "hit_rate"]
METRIC_KINDS: tuple[MetricKind, ...] = get_args(MetricKind)

#: the part of a golden set a query belongs to: "dev" (settings may be tuned on it)
#: or "holdout" (reported, never tuned on)
GoldenSplit = Literal["dev", "holdout"]
GOLDEN_SPLITS: tuple[GoldenSplit, ...] = get_args(GoldenSplit)

#: why a judged query failed (see :mod:`evaluation.failures`): no relevant sample in
#: the results at all (to the run's depth, 100 by default); relevant samples found,
#: but none in the top k; the relevant samples it found were all reached only through a
#: synthetic sample derived from them; a relevant sample the caller's clearance hides
FailureReason = Literal["no_gold_in_depth", "gold_below_k", "gold_via_synthetic", "gold_restricted"]
FAILURE_REASONS: tuple[FailureReason, ...] = get_args(FailureReason)

#: how ``provrag tune`` walks its search space: every point of the grid (when it
#: fits the budget), or a seeded random sample of the points
TuneStrategy = Literal["grid", "random"]
TUNE_STRATEGIES: tuple[TuneStrategy, ...] = get_args(TuneStrategy)

#: a judged query the run has no results for: scores zero, or is left out
MissingPolicy = Literal["zero", "skip"]
MISSING_POLICIES: tuple[MissingPolicy, ...] = get_args(MissingPolicy)

#: percent agreement: all annotators agree, or the share of agreeing pairs
PercentMethod = Literal["unanimous", "pairwise"]
PERCENT_METHODS: tuple[PercentMethod, ...] = get_args(PercentMethod)

# ----------------------------------------------------------------- security

#: the role of an API token: a clearance (``public`` < ``internal`` < ``restricted``)
#: for reads, or ``admin`` (every sample, the full store, writes, the audit graph)
Role = Literal["public", "internal", "restricted", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
#: what a route needs: nothing (``open``), any valid caller (``read``), an admin (``admin``)
Access = Literal["open", "read", "admin"]
ACCESSES: tuple[Access, ...] = get_args(Access)

#: How a value must compare with a threshold to pass (KPI gates, monitor thresholds).
Comparator = Literal[">=", ">", "<=", "<"]
COMPARATORS: tuple[Comparator, ...] = get_args(Comparator)

#: The data monitors whose runs and alerts the graph records (``gate``: a KPI gate of
#: an evaluation run).
MonitorName = Literal["coverage", "drift", "agreement", "testset", "gate", "audit"]
MONITOR_NAMES: tuple[MonitorName, ...] = get_args(MonitorName)
