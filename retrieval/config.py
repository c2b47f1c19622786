"""The retriever's configuration: the ``[retrieval]`` section of the settings, as is.

``provrag.settings.Settings.retrieval`` is a :class:`RetrieverConfig`, loaded from
``provrag.toml`` and ``PROVRAG_RETRIEVAL__*`` variables like any other section,
and handed to :class:`retrieval.retriever.GraphRetriever` unchanged. It is also
what an evaluation run records of its retriever (``evaluation.spec.RunSpec``).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from kg.typing import (
    Clearance,
    DerivedRank,
    FusionMethod,
    GraphOrder,
    GraphRanking,
    GraphRole,
    RetrieverMode,
    SampleKind,
)


class RetrieverConfig(BaseModel):
    """How a :class:`~retrieval.retriever.GraphRetriever` ranks and filters.

    Frozen: the settings and every retriever built from them share one instance
    (derive a variant with ``model_copy(update=...)``).
    """

    model_config = ConfigDict(frozen=True)

    #: how channel lists are fused: "zscore" (a convex combination of standardised
    #: scores), reciprocal rank fusion ("rrf") or min-max "weighted" scores. zscore,
    #: chosen on the development sets (SciFact train, MuSiQue; scripts/fusion_research.py):
    #: nDCG@10 over dense +0.053 and +0.022, where RRF at lexical 0.5 gave +0.029 and
    #: -0.011. RRF votes by rank alone, so a passage BM25 ranks first and dense ranks
    #: 40th outranks dense's clear leader; scores keep how sure each channel is
    fusion: FusionMethod = "zscore"
    #: RRF's k (only with fusion = "rrf")
    rrf_k: int = Field(default=60, ge=0)
    #: weight per channel; dense 0.7 / lexical 0.3 for zscore: of dense 0.5-0.8, the
    #: best worst-case nDCG@10 gain over dense on the development sets (SciFact train /
    #: MuSiQue: 0.5 +0.068 / +0.011, 0.6 +0.063 / +0.018, 0.7 +0.053 / +0.022, 0.8
    #: +0.037 / +0.017): one default serves every corpus, so the weakest gain counts.
    #: With rrf, lexical 0.5 was the choice. A channel of weight 0 is not run at all;
    #: graph counts only with graph_role = "rerank"
    weights: dict[str, float] = Field(
        default_factory=lambda: {"dense": 0.7, "lexical": 0.3, "graph": 0.3}
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

    # ------------------------------------------------ answerable units (derivation)
    #: kinds a search returns (the samples a user can cite); ``--kind`` overrides it
    answer_kinds: tuple[SampleKind, ...] = ("passage",)
    #: count a hit on a derived sample (synthetic question, paraphrase) for its source;
    #: off: hits that are not of ``answer_kinds`` are dropped
    derivation: bool = True
    #: where a source found through a derived sample ranks in each channel's list:
    #: "below" the samples the channel found itself (a synthetic question is phrased
    #: like a query and outranks passages by form: "best" lifts its source above the
    #: passage that answers; the bank golden set's lost-card query), or at the "best"
    #: rank of itself and its derived samples
    derived_rank: DerivedRank = "below"

    # ------------------------------------- entity Personalized PageRank (enriched)
    #: what the graph does in ``enriched``: "ppr" (Personalized PageRank over the
    #: passage-entity graph, gated), "expand" (add entity matches below the fused
    #: hits, never reordering them) or "off" (enriched ranks as hybrid)
    graph_ranking: GraphRanking = "ppr"
    #: synonym edges between entities whose name embeddings are close; off: on
    #: MuSiQue (development) they lowered R@5 by 0.035 through the real path
    #: (scripts/compare_retrievers.py), and they cost a name-vector search per entity
    synonyms: bool = False
    #: cosine at or above which two entity names are synonyms, and how many per entity
    synonym_threshold: float = Field(default=0.8, ge=-1.0, le=1.0)
    synonym_k: int = Field(default=5, ge=0)
    #: nearest entity names linked to each query mention, and the cosine they need
    link_k: int = Field(default=5, ge=0)
    link_threshold: float = Field(default=0.8, ge=-1.0, le=1.0)
    #: weight entity seeds by specificity (1 / samples mentioning the entity)
    specificity: bool = True
    #: probability of following an edge (HippoRAG 2: 0.5)
    ppr_damping: float = Field(default=0.5, ge=0.0, lt=1.0)
    #: forward-push residual threshold (smaller: more exact, slower)
    ppr_epsilon: float = Field(default=1e-5, gt=0.0)
    #: weight of the dense top ``candidate_depth`` passages as seeds, times their
    #: min-max-normalised dense score
    ppr_passage_weight: float = Field(default=0.01, ge=0.0)
    #: the graph speaks only when the query names a sample's subject: an entity that
    #: is some sample's title (``metadata.title``, entity type TITLE). Chosen on the
    #: development sets: on SciFact train, PageRank seeded by NER entities alone lowers
    #: nDCG@10 for most queries; on MuSiQue, a query naming a title is where it helps
    #: (scripts/compare_retrievers.py). Off: any linked entity lets it speak
    ppr_gate_subject: bool = True
    #: and, when > 0, only when PageRank's top passage is within the fused (hybrid)
    #: ranking's top ``ppr_gate_top`` (0: no agreement gate)
    ppr_gate_top: int = Field(default=0, ge=0)


class AnswerConfig(BaseModel):
    """How ``ask`` grounds its answers: the ``[answer]`` section of the settings.

    The *support* of an extractive answer is the score of its best sentence (cosine
    of query and sentence embeddings plus the query-word overlap bonus, see
    :mod:`retrieval.answerer`); of a generated one, the best cosine of the query and a
    passage. *Confidence* maps support into [0, 1] with a logistic curve, and below
    ``abstain_below`` the answer abstains: no grounded answer, only the passages found.
    Both are chosen on dev data by ``scripts/bench_abstention.py`` (CLAPNQ dev: the
    threshold that best separates the unanswerable questions, a Platt fit of the curve).
    """

    model_config = ConfigDict(frozen=True)

    #: abstain when the answer's support is below this (None: answer whatever the support)
    abstain_below: float | None = None
    #: confidence = 1 / (1 + exp(-(confidence_slope * support + confidence_intercept)));
    #: fitted on the dev half of CLAPNQ dev (ECE 0.047 on the test half; the threshold
    #: chosen there, 0.63, is a good start for abstain_below: scripts/bench_abstention.py)
    confidence_slope: float = 2.16
    confidence_intercept: float = -1.38

    def confidence(self, support: float | None) -> float:
        """The confidence of an answer of this support (0 without any)."""
        if support is None:
            return 0.0
        z = self.confidence_slope * support + self.confidence_intercept
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def abstains(self, support: float | None) -> bool:
        """Whether an answer of this support abstains (always without support)."""
        if support is None:
            return True
        return self.abstain_below is not None and support < self.abstain_below
