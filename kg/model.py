"""Shared data model (pydantic v2). How these become triples lives in :mod:`kg.mapping` only.

``SampleRecord`` is the input contract of ``provrag ingest`` (one JSONL line, one
CSV/Parquet row with nested fields as dotted columns). Unknown top-level fields
are an error unless placed under ``metadata``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kg import ids
from kg.errors import FilterError, ModelValueError
from kg.typing import AnnotatorKind, Clearance, Origin, SampleKind, Sensitivity

LabelValue = str | int | float | bool
#: the generator of an answer made of sentences taken from the passages, no model
EXTRACTIVE = "extractive"


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


class SourceRef(NamedTuple):
    """A sample another one was derived from: its dataset and external id."""

    dataset: str
    external_id: str


def parse_source(ref: str, dataset: str) -> SourceRef:
    """``ref`` of a ``derived_from`` list: ``id`` (in ``dataset``) or ``other-dataset:id``.

    The text before the first ``:`` is the dataset; an id holding a ``:`` is
    written with its dataset in front (``kb:doc:12``).
    """
    name, sep, external_id = ref.partition(":")
    return SourceRef(name, external_id) if sep else SourceRef(dataset, ref)


class SampleRecord(_Strict):
    """One input record. ``dataset``/``version`` may be filled from the CLI.

    ``derived_from`` names the samples this one was made from (the passage a
    synthetic question is about, the source of a paraphrase): ``id`` in the same
    dataset, ``dataset:id`` in another. Ingest links the sample to the revision
    of each source that is current then (``prov:wasDerivedFrom``).
    """

    id: str | None = Field(
        default=None, min_length=1, description="external id, unique per dataset"
    )
    text: str = Field(min_length=1)
    origin: Origin
    dataset: str = Field(min_length=1)
    version: str = Field(default="1", min_length=1)
    kind: SampleKind = "passage"
    derived_from: list[str] = Field(
        default_factory=list,
        description="ids of the samples it was made from: 'id' (same dataset) or 'dataset:id'",
    )
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

    @field_validator("derived_from")
    @classmethod
    def _sources_are_ids(cls, v: list[str], info: ValidationInfo) -> list[str]:
        """Each source an id or ``dataset:id``, none the sample itself; sorted, each once."""
        dataset = info.data.get("dataset")
        own = info.data.get("id")
        for ref in v:
            name, sep, external_id = ref.partition(":")
            if not ref.strip() or (sep and not (name.strip() and external_id.strip())):
                raise ModelValueError(
                    f"derived_from holds {ref!r}, which is not a sample id: give the id of "
                    "a sample in the same dataset, or 'dataset:id' for one in another"
                )
            if own is not None and parse_source(ref, str(dataset)) == (dataset, own):
                raise ModelValueError(
                    f"derived_from names the sample itself ({ref!r}); a sample cannot be "
                    "derived from itself: name the samples it was made from"
                )
        return sorted(set(v)) if len(v) > 1 else v

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
        """What the content hash covers: everything but id, dataset and version.

        ``derived_from`` only when it names a source (sorted, each once), so the
        hash of a record without sources is what it was before the field existed,
        and changing a sample's sources makes a new revision.
        """
        return self.model_dump(
            mode="json", exclude=_NOT_CONTENT if self.derived_from else _NOT_CONTENT_NOR_SOURCES
        )

    def sources(self) -> list[SourceRef]:
        """``derived_from`` parsed: the dataset and external id of each source."""
        return [parse_source(ref, self.dataset) for ref in self.derived_from]


_NOT_CONTENT: set[str] = {"dataset", "version", "id"}
_NOT_CONTENT_NOR_SOURCES = _NOT_CONTENT | {"derived_from"}


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


class DerivedMatch(BaseModel):
    """The derived sample (a synthetic question, a paraphrase) a hit was found through."""

    sample_iri: str
    sample_id: str
    kind: str | None = None
    generator: str | None = None
    prompt_version: str | None = None
    #: e.g. "matched synthetic question kb-0225, nw-question-gen prompt v2, derived from kb-0005"
    explanation: str = ""


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
    #: set when the hit counts a match on a sample derived from it
    matched_via: DerivedMatch | None = None


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


# ------------------------------------------------------------------ search filters


def parse_label(text: str) -> tuple[str, str]:
    """``"FIELD=VALUE"`` -> ``(FIELD, VALUE)``; both parts non-empty."""
    field, sep, value = text.partition("=")
    if not sep or not field.strip() or not value.strip():
        raise FilterError(
            f"label filter {text!r} is not FIELD=VALUE; write e.g. --label intent=refund"
        )
    return field.strip(), value.strip()


class Filters(BaseModel):
    """What a search may return. Every field set must hold (AND); ``None`` = any.

    ``labels``: ``(field, value)`` pairs; a sample matches a pair when one of its
    labels has that field and a value whose lexical form is ``value`` (``true``,
    ``3``, ``refund``). ``clearance``: the caller's clearance; ``None`` takes the
    retriever's default (settings ``retrieval.default_clearance``, "internal").
    Invalidated samples are never allowed, whatever the filters, unless ``release``
    names a release: then exactly its sample revisions are (revised or deleted since,
    or not); a sample is allowed only when its sensitivity is at most the clearance.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    origin: Origin | None = None
    dataset: str | None = None
    version: str | None = None
    generator: str | None = None
    prompt_version: str | None = None
    annotator: str | None = None
    labels: tuple[tuple[str, str], ...] = Field(default_factory=tuple)
    clearance: Clearance | None = None
    #: the datasets a caller may see (an API token's scope); None: every dataset.
    #: Unlike ``dataset`` (what the caller asks for), it bounds what any filter allows.
    scopes: tuple[str, ...] | None = None
    #: the kinds a search returns (answerable units); None: the retriever's
    #: ``answer_kinds``. A hit on a sample derived from one of them counts for it.
    kinds: tuple[SampleKind, ...] | None = None
    #: the name of a release: its sample revisions instead of the current samples
    release: str | None = None

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return (parse_label(value),)
        if isinstance(value, dict):
            return tuple((str(k), str(v)) for k, v in value.items())
        if isinstance(value, list | tuple):
            out = []
            for item in value:
                if isinstance(item, str):
                    out.append(parse_label(item))
                elif isinstance(item, list | tuple) and len(item) == 2:
                    out.append((str(item[0]), str(item[1])))
                else:
                    raise FilterError(
                        f"a label filter is FIELD=VALUE or a (field, value) pair, got {item!r}"
                    )
            return tuple(out)
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scopes(cls, value: object) -> object:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple | set | frozenset):
            return tuple(sorted(str(v) for v in value))
        return value

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, value: object) -> object:
        if value is None or (isinstance(value, list | tuple) and not value):
            return None
        if isinstance(value, str):
            return (value,)
        return value

    def with_clearance(self, default: Clearance) -> Filters:
        """These filters with ``clearance`` filled in from ``default`` when unset."""
        if self.clearance is not None:
            return self
        return self.model_copy(update={"clearance": default})

    def key(self) -> str:
        """A canonical text of the filters (cache key, recorded with answers)."""
        data = self.model_dump(mode="json")
        if data.get("release") is None:  # the key of filters made before releases existed
            data.pop("release", None)
        return ids.canonical_json(data)

    def describe(self) -> dict[str, object]:
        """The filters that are set, JSON-able."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        if "labels" in data:
            data["labels"] = [f"{f}={v}" for f, v in self.labels]
        return data


@runtime_checkable
class Retriever(Protocol):
    """Anything that ranks samples for a query (``retrieval.retriever.GraphRetriever``)."""

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None
    ) -> list[ScoredPassage]: ...


# ------------------------------------------------------------------ recorded answers


class CitedSentence(BaseModel):
    """One sentence of an answer and the sample (revision) it was taken from or cites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, description="the sentence as it appears in the answer")
    sample_iri: str = Field(min_length=1, description="IRI of the cited sample revision")
    sample_id: str = Field(default="", description="external id of the cited sample")
    score: float | None = Field(default=None, description="retrieval score of the passage")

    @model_validator(mode="before")
    @classmethod
    def _from_tuple(cls, value: Any) -> Any:
        """Accept ``(text, sample_iri, sample_id, score)`` tuples as well as mappings."""
        if isinstance(value, list | tuple):
            names = ("text", "sample_iri", "sample_id", "score")
            if not 2 <= len(value) <= len(names):
                raise ModelValueError(
                    f"a cited sentence tuple has 2 to 4 items (text, sample IRI, external id, "
                    f"score); got {len(value)}: {value!r}"
                )
            return dict(zip(names, value, strict=False))
        return value


class RecordedAnswer(BaseModel):
    """An answer to record: query, text, cited sentences, settings, time and generator.

    ``id`` may be left empty; it is then derived from the query, the settings and
    the time (:func:`new_answer_id`), so the same ask at the same instant gets
    the same id. :func:`kg.answers.record_answer` writes it into the graph.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", description="answer id; empty: derived by new_answer_id()")
    query: str = Field(min_length=1)
    text: str = Field(description="the answer text (may be empty when nothing was found)")
    sentences: list[CitedSentence] = Field(default_factory=list)
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="retriever kind, k, filters, fusion weights, models ... (JSON-able)",
    )
    created: datetime = Field(default_factory=now_utc)
    generator: str = Field(
        default=EXTRACTIVE, min_length=1, description="'extractive' or the endpoint URL"
    )
    model: str | None = Field(default=None, description="model behind the generator endpoint")

    @field_validator("created")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _derive_id(self) -> RecordedAnswer:
        if not self.id:
            self.id = new_answer_id(self.query, self.settings, self.created)
        return self

    @property
    def iri(self) -> str:
        return ids.answer_iri(self.id)

    def cited_samples(self) -> list[str]:
        """IRIs of the cited samples, each once, in order of first citation."""
        return list(dict.fromkeys(s.sample_iri for s in self.sentences))


def new_answer_id(
    query: str, settings: Mapping[str, Any] | None = None, created: datetime | None = None
) -> str:
    """A short id: hash of the query, the settings and the time (now when not given)."""
    when = created or now_utc()
    payload = ids.canonical_json(
        {"query": query, "settings": dict(settings or {}), "created": when.isoformat()}
    )
    return ids.sha256_hex(payload)[:16]
