"""What an evaluation run does, typed once: :class:`RunSpec`.

A run spec holds everything needed to run an evaluation again: the golden set
version, the retriever mode and its configuration, the cutoffs, metrics and
depth, the filters, the bootstrap settings and seed, and the models and index
the retriever used. :func:`evaluation.runner.run_evaluation` runs one,
:func:`evaluation.record.record_run` stores it with the run (``pr:runSpec``, JSON)
and :meth:`RunSpec.from_record` reads it back from the run's record
(:func:`evaluation.record.read_run_record`), so a re-run starts from the very
spec the run was made with.

``to_dict``/``from_dict`` give and take plain JSON data. Runs recorded before
specs were (their settings JSON only) still read back: :meth:`RunSpec.from_legacy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evaluation.errors import EvaluationError, RunSpecError
from kg.model import Filters
from kg.queries.runs import RunRecord
from kg.typing import RETRIEVER_MODES, ExtractorKind, GoldenSplit, RetrieverMode, literal_value
from retrieval.config import RetrieverConfig

if TYPE_CHECKING:
    from evaluation.golden import GoldenSet

#: bootstrap resamples, slice size and seed of a run that names none
DEFAULT_BOOTSTRAP_SAMPLES = 1000
DEFAULT_MIN_SLICE_QUERIES = 5
DEFAULT_SEED = 13


class RunSpec(BaseModel):
    """Everything an evaluation run needs besides the objects it runs on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the golden set, by name and version
    golden: str = Field(min_length=1)
    golden_version: str = Field(min_length=1)
    #: the one split of the golden set scored (None: every item)
    split: GoldenSplit | None = None
    #: the retriever: its mode and its configuration (settings ``[retrieval]``)
    mode: RetrieverMode = "enriched"
    retrieval: RetrieverConfig = Field(default_factory=RetrieverConfig)
    #: cutoffs; the first is the primary one (``k``)
    ks: tuple[int, ...] = (10,)
    #: metric names (None: nDCG, recall, precision, MRR, MAP, hit rate at each cutoff)
    metrics: tuple[str, ...] | None = None
    #: results asked per query (None: max(100, deepest cutoff))
    depth: int | None = Field(default=None, ge=1)
    #: what the retriever may return (dataset, clearance, ...)
    filters: Filters | None = None
    seed: int = DEFAULT_SEED
    bootstrap_samples: int = Field(default=DEFAULT_BOOTSTRAP_SAMPLES, ge=1)
    #: slices with fewer queries are flagged small (never dropped)
    min_slice_queries: int = Field(default=DEFAULT_MIN_SLICE_QUERIES, ge=0)
    #: also answer the items with gold answers (exact match, token F1)
    answers: bool = False
    #: drop a hit whose id is the query's own id (BEIR's convention)
    ignore_identical_ids: bool = False
    #: models and index behind the retriever (None: not known, e.g. a test double)
    embedding_model: str | None = None
    index_generation: str | None = None
    ner: bool | None = None
    #: which entity extractor ran (``ner_extractor``) and the types it kept
    ner_extractor: ExtractorKind | None = None
    ner_model: str | None = None
    ner_labels: tuple[str, ...] | None = None
    gazetteer: str | None = None
    generator_url: str | None = None
    generator_model: str | None = None

    @field_validator("ks")
    @classmethod
    def _cutoffs(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise RunSpecError("give at least one cutoff k, e.g. (10,)")
        bad = [k for k in value if k < 1]
        if bad:
            raise RunSpecError(f"a cutoff k is a positive integer, got {bad[0]}")
        return tuple(dict.fromkeys(value))

    @property
    def k(self) -> int:
        """The primary cutoff."""
        return self.ks[0]

    @property
    def cutoffs(self) -> list[int]:
        """Every cutoff, ascending."""
        return sorted(set(self.ks))

    @classmethod
    def for_golden(cls, golden: GoldenSet, **fields: Any) -> RunSpec:
        """A spec for ``golden`` (its name and version), with ``fields`` set."""
        return cls(golden=golden.name, golden_version=golden.version, **fields)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (what the graph records)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """The spec :meth:`to_dict` gave."""
        return cls.model_validate(dict(data))

    @classmethod
    def from_record(cls, record: RunRecord) -> RunSpec:
        """What a recorded run did: its ``pr:runSpec``; a run recorded before specs
        gets one from its settings (:meth:`from_legacy`)."""
        if record.run_spec is not None:
            return cls.from_dict(record.run_spec)
        return cls.from_legacy(
            record.retriever_settings,
            golden=record.golden_name or record.golden_iri,
            golden_version=record.golden_version,
            retriever_kind=record.retriever_kind,
            k=record.k,
            seed=record.seed,
        )

    @classmethod
    def from_legacy(
        cls,
        settings: Mapping[str, Any],
        *,
        golden: str,
        golden_version: str,
        retriever_kind: str,
        k: int,
        seed: int,
    ) -> RunSpec:
        """The spec of a run recorded before specs were: its settings JSON (keys
        ``retrieval``, ``runner``, ``embedding_model``, ``ner``, ...) and run facts."""
        mode = literal_value(RETRIEVER_MODES, retriever_kind)
        if mode is None:
            raise EvaluationError(
                f"the run was made with retriever {retriever_kind!r}, which is none of "
                f"{', '.join(RETRIEVER_MODES)}; it cannot be re-run"
            )
        runner: Mapping[str, Any] = settings.get("runner") or {}
        filters = runner.get("filters")
        gazetteer = settings.get("gazetteer")
        return cls(
            golden=golden,
            golden_version=golden_version,
            mode=mode,
            retrieval=RetrieverConfig.model_validate(settings.get("retrieval") or {}),
            ks=(k, *(c for c in runner.get("cutoffs") or () if c != k)),
            metrics=runner.get("metrics"),
            depth=runner.get("depth"),
            filters=Filters.model_validate(filters) if filters else None,
            seed=seed,
            bootstrap_samples=runner.get("bootstrap_samples") or DEFAULT_BOOTSTRAP_SAMPLES,
            min_slice_queries=runner.get("min_slice_queries", DEFAULT_MIN_SLICE_QUERIES),
            answers=bool(runner.get("answers")),
            ignore_identical_ids=bool(runner.get("ignore_identical_ids")),
            embedding_model=settings.get("embedding_model"),
            ner=settings.get("ner"),
            ner_extractor=settings.get("ner_extractor"),
            ner_model=settings.get("ner_model"),
            ner_labels=settings.get("ner_labels"),
            gazetteer=str(gazetteer) if gazetteer else None,
            generator_url=settings.get("generator_url"),
            generator_model=settings.get("generator_model"),
        )
