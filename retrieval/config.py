"""The retriever's configuration: the ``[retrieval]`` section of the settings, as is.

``provrag.settings.Settings.retrieval`` is a :class:`RetrieverConfig`, loaded from
``provrag.toml`` and ``PROVRAG_RETRIEVAL__*`` variables like any other section,
and handed to :class:`retrieval.retriever.GraphRetriever` unchanged. It is also
what an evaluation run records of its retriever (``evaluation.spec.RunSpec``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kg.typing import Clearance, FusionMethod, GraphOrder, GraphRole, RetrieverMode


class RetrieverConfig(BaseModel):
    """How a :class:`~retrieval.retriever.GraphRetriever` ranks and filters.

    Frozen: the settings and every retriever built from them share one instance
    (derive a variant with ``model_copy(update=...)``).
    """

    model_config = ConfigDict(frozen=True)

    #: how channel lists are fused: reciprocal rank fusion ("rrf") or "weighted" scores
    fusion: FusionMethod = "rrf"
    rrf_k: int = Field(default=60, ge=0)
    #: RRF weight per channel; lexical 0.5: BM25 alone is weaker than dense on both
    #: public sets, and at 1.0 it pulls hybrid below dense (scripts/compare_retrievers.py).
    #: A channel of weight 0 is not run at all.
    weights: dict[str, float] = Field(
        default_factory=lambda: {"dense": 1.0, "lexical": 0.5, "graph": 1.0}
    )
    #: multiply fused scores by a trust weight per provenance class (off by default)
    provenance_weighting: bool = False
    provenance_weights: dict[str, float] = Field(
        default_factory=lambda: {"human_labelled": 1.2, "real": 1.0, "synthetic": 0.8}
    )
    graph_hops: int = Field(default=1, ge=1, le=2)
    max_graph_candidates: int = Field(default=200, ge=0)
    #: order of the graph channel: "entities" (idf-weighted entity matches first) or
    #: "similarity" (dense similarity among the entity-matched samples)
    graph_order: GraphOrder = "entities"
    #: what the graph channel may do in fusion: "expand" (add only samples that no
    #: other channel found, ranked after the other channels' lists: it never reorders
    #: what they found; a hit it reached still shows its graph rank, score and path)
    #: or "rerank" (vote on every sample it reaches, like the other channels; lowers
    #: nDCG@10 on both public sets, see scripts/compare_retrievers.py)
    graph_role: GraphRole = "expand"
    #: retriever used by search, ask and eval when none is named
    mode: RetrieverMode = "enriched"
    #: clearance of a caller who names none: sees public + internal samples
    default_clearance: Clearance = "internal"
    #: candidates taken from each channel before fusion (at least k)
    candidate_depth: int = Field(default=100, ge=1)
    #: also link query words to entity names known to the graph (not only NER)
    link_names: bool = True
    #: torch and FAISS threads while serving one query (None: leave them as they are);
    #: 1 is fastest here, see :func:`retrieval.threads.limit_threads`
    query_threads: int | None = Field(default=1, ge=1)
