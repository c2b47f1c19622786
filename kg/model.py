"""Shared data model (pydantic v2). How these become triples lives in :mod:`kg.mapping` only.

``SampleRecord`` is the input contract of ``provrag ingest`` (one JSONL line, one
CSV/Parquet row with nested fields as dotted columns). Unknown top-level fields
are an error unless placed under ``metadata``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kg.errors import ModelValueError

Origin = Literal["real", "synthetic"]
Sensitivity = Literal["public", "internal", "restricted"]
AnnotatorKind = Literal["human", "model", "heuristic"]
SampleKind = Literal["passage", "question", "answer", "turn"]
LabelValue = str | int | float | bool

#: Order of clearance levels: a caller cleared for ``internal`` sees public + internal.
SENSITIVITY_ORDER: dict[str, int] = {"public": 0, "internal": 1, "restricted": 2}


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class GenerationIn(_Strict):
    """How a synthetic sample was generated (the generator configuration + the run)."""

    generator: str = Field(min_length=1, description="name of the generator / simulator")
    model: str | None = Field(default=None, description="model or simulator behind it")
    prompt_template: str | None = None
    prompt_version: str | None = None
    seed: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    generated_at: datetime | None = None

    _utc = field_validator("generated_at")(_as_utc)


class LabelIn(_Strict):
    """One label given to a sample by one annotator (a person or software)."""

    field: str = Field(min_length=1, description="what is labelled: intent, sentiment, ...")
    value: LabelValue
    annotator: str = Field(min_length=1)
    annotator_kind: AnnotatorKind = "human"
    guideline_version: str = Field(min_length=1)
    guideline: str = "default"
    labeled_at: datetime | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)

    _utc = field_validator("labeled_at")(_as_utc)


class SampleRecord(_Strict):
    """One input record. ``dataset``/``version`` may be filled from the CLI."""

    id: str | None = Field(
        default=None, min_length=1, description="external id, unique per dataset"
    )
    text: str = Field(min_length=1)
    origin: Origin
    dataset: str = Field(min_length=1)
    version: str = Field(default="1", min_length=1)
    kind: SampleKind = "passage"
    generation: GenerationIn | None = None
    labels: list[LabelIn] = Field(default_factory=list)
    sensitivity: Sensitivity = "internal"
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ModelValueError(f"text is blank ({v!r}); give the sample's content")
        return v

    @model_validator(mode="after")
    def _synthetic_needs_generation(self) -> SampleRecord:
        if self.origin == "synthetic" and self.generation is None:
            raise ModelValueError(
                "a synthetic sample needs 'generation' (generator, prompt_version, seed, ...)"
            )
        if self.origin == "real" and self.generation is not None:
            raise ModelValueError(
                f"a real sample cannot have 'generation' (got generator "
                f"{self.generation.generator!r}); set origin to synthetic or drop 'generation'"
            )
        return self

    def content(self) -> dict[str, Any]:
        """What the content hash covers: everything but dataset and version."""
        return self.model_dump(mode="json", exclude={"dataset", "version", "id"})


class ProvenanceSummary(BaseModel):
    """Where a sample came from, in one line of facts."""

    origin: Origin | None = None
    dataset: str | None = None
    version: str | None = None
    generator: str | None = None
    model: str | None = None
    prompt_template: str | None = None
    prompt_version: str | None = None
    seed: int | None = None
    annotators: list[str] = Field(default_factory=list)
    guideline_versions: list[str] = Field(default_factory=list)
    batch: str | None = None
    source_sha256: str | None = None


class ScoredPassage(BaseModel):
    """One retrieval hit with its why."""

    sample_iri: str
    sample_id: str
    dataset: str | None = None
    text: str
    score: float
    channel_scores: dict[str, float] = Field(default_factory=dict)
    channel_ranks: dict[str, int] = Field(default_factory=dict)
    graph_path: list[str] | None = None
    provenance: ProvenanceSummary | None = None


class GoldenItem(BaseModel):
    """One expert query with graded relevant samples and optional gold answers."""

    query_id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    relevant: dict[str, int] = Field(default_factory=dict, description="sample id -> grade")
    gold_answers: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    author: str | None = None
    guideline_version: str | None = None


def now_utc() -> datetime:
    return datetime.now(UTC)
