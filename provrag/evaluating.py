"""App-layer wiring of evaluation: which golden set, which retriever, where the run goes.

- :func:`resolve_golden`: a golden set by PATH (our JSONL + ``.meta.json``: checked
  against the samples of its dataset, then ingested into the graph as a versioned
  GoldenSet, idempotently) or by NAME (``NAME`` or ``NAME@VERSION``: read back
  from the graph).
- :func:`evaluate`: builds the retriever of the settings (``provrag.wiring``),
  runs :func:`evaluation.runner.run_evaluation`, writes the run directory
  ``<home>/runs/<run id>/`` and records the run in the graph.
- :func:`evaluate_beir`: a BEIR dataset end to end (ingest the corpus as a
  dataset, with entity extraction when the retriever uses the entity graph, index
  it, score the split's queries against its qrels).
- :func:`rerun`: re-creates a recorded run from its graph record.

Evaluation runs with clearance ``restricted`` unless told otherwise: an expert's
golden set may cite restricted samples, and a retriever that cannot see them
would be scored on passages it was never allowed to return.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.errors import GoldenSetError
from evaluation.golden import (
    GoldenSet,
    golden_from_qrels,
    ingest_golden,
    load_beir,
    load_golden_jsonl,
    validate_against,
)
from evaluation.record import (
    RUN_FILE,
    RunNotFoundError,
    golden_versions,
    load_golden,
    load_run,
    new_run_id,
    read_run_record,
    record_run,
    recorded_numbers,
    save_run,
)
from evaluation.results import EvalResult
from evaluation.runner import AnswererLike, ProgressFn, run_evaluation
from evaluation.spec import RunSpec
from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import Retriever
from kg.queries.versions import dataset_external_ids
from kg.typing import Clearance, RetrieverMode
from provrag.errors import ServiceError
from provrag.settings import Settings

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor
    from ingest.pipeline import ProgressCallback
    from retrieval.retriever import GraphRetriever

#: clearance of an evaluation that names none (see the module docstring)
DEFAULT_EVAL_CLEARANCE: Clearance = "restricted"
#: the dataset version BEIR corpora are ingested under
BEIR_VERSION = "beir"


def provrag_version() -> str:
    try:
        return metadata.version("provrag")
    except metadata.PackageNotFoundError:
        return "unknown"


# -------------------------------------------------------------------- golden sets


def dataset_sample_ids(kg: KnowledgeGraph, dataset: str) -> set[str]:
    """External ids of every sample revision of ``dataset`` (current or not)."""
    return dataset_external_ids(kg, dataset)


def _natural(version: str) -> tuple[Any, ...]:
    parts = []
    for piece in version.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def resolve_golden(kg: KnowledgeGraph, spec: str) -> GoldenSet:
    """The golden set named by ``spec``: a JSONL path, or ``NAME`` / ``NAME@VERSION``.

    A path is loaded, checked against the graph's samples of its dataset (unknown
    sample ids are an error naming file, line and id) and ingested (a no-op when
    the same content is already stored; different content under the same
    version is an error asking for a new version). A name without a version
    takes the highest version stored.
    """
    path = Path(spec)
    if path.is_file() or spec.endswith(".jsonl"):
        golden = load_golden_jsonl(path)
        if golden.dataset is not None:
            known = dataset_sample_ids(kg, golden.dataset)
            if not known:
                raise GoldenSetError(
                    f"{path}: the golden set is about dataset {golden.dataset!r}, which the "
                    "graph does not hold; ingest the dataset first (provrag ingest FILE)"
                )
            problems = validate_against(golden, known)
            if problems:
                raise GoldenSetError(problems)
        ingest_golden(kg, golden)
        return golden
    name, _, version = spec.partition("@")
    if not version:
        versions = golden_versions(kg, name)
        if not versions:
            raise GoldenSetError(
                f"no golden set named {name!r} in the graph, and no file {spec!r}; give the "
                "path of a golden set .jsonl file, or the name of one ingested before"
            )
        version = max(versions, key=_natural)
    return load_golden(kg, name, version)


# ------------------------------------------------------------------------- runs


@dataclass
class EvalOptions:
    """What an evaluation is asked to do besides the golden set (None: from the settings)."""

    retriever_kind: RetrieverMode | None = None
    ks: Sequence[int] = (10,)
    metrics: Sequence[str] | None = None
    depth: int | None = None
    clearance: Clearance = DEFAULT_EVAL_CLEARANCE
    seed: int | None = None
    answers: bool = False
    ignore_identical_ids: bool = False
    bootstrap_samples: int | None = None
    min_slice_queries: int | None = None


def run_spec(settings: Settings, golden: GoldenSet, options: EvalOptions) -> RunSpec:
    """The complete spec of evaluating ``golden`` with ``options`` under ``settings``.

    The retriever searches only the golden set's dataset, with ``options.clearance``.
    """
    from kg.model import Filters

    ev = settings.evaluation
    return RunSpec.for_golden(
        golden,
        mode=options.retriever_kind or settings.retrieval.mode,
        retrieval=settings.retrieval,
        ks=tuple(options.ks) or (10,),
        metrics=tuple(options.metrics) if options.metrics else None,
        depth=options.depth,
        filters=Filters(dataset=golden.dataset, clearance=options.clearance),
        seed=options.seed if options.seed is not None else ev.seed,
        bootstrap_samples=options.bootstrap_samples or ev.bootstrap_samples,
        min_slice_queries=options.min_slice_queries
        if options.min_slice_queries is not None
        else ev.min_slice_queries,
        answers=options.answers,
        ignore_identical_ids=options.ignore_identical_ids,
        embedding_model=settings.embedding_model,
        ner=settings.ner,
        ner_extractor=settings.ner_extractor,
        ner_model=settings.ner_model,
        ner_labels=settings.ner_labels,
        gazetteer=None if settings.gazetteer is None else str(settings.gazetteer),
        generator_url=settings.generator_url,
        generator_model=settings.generator_model,
    )


def _index_manifest(settings: Settings) -> dict[str, Any] | None:
    from retrieval.index_bundle import read_manifest

    return read_manifest(settings.index_dir)


def evaluate(
    settings: Settings,
    kg: KnowledgeGraph,
    golden: GoldenSet,
    options: EvalOptions | RunSpec,
    *,
    retriever: Retriever | None = None,
    answerer: AnswererLike | None = None,
    progress: ProgressFn | None = None,
    record: bool = True,
) -> EvalResult:
    """Evaluate on ``golden`` what ``options`` ask.

    ``options`` resolve against the settings (:func:`run_spec`); a :class:`RunSpec`
    is run as it is, its retrieval configuration and models overriding the
    settings' (:func:`settings_for_rerun`). Without ``retriever``, the settings'
    retriever of the spec's mode runs. With ``record`` (default) the result gets a
    run id, its run directory under ``settings.runs_dir`` and its activity graph.
    """
    if isinstance(options, RunSpec):
        spec, settings = options, settings_for_rerun(settings, options)
    else:
        spec = run_spec(settings, golden, options)
    manifest = _index_manifest(settings)
    if manifest is not None:
        spec = spec.model_copy(update={"index_generation": manifest.get("generation")})
    built: GraphRetriever | None = None
    if retriever is None:
        from provrag.wiring import build_retriever

        retriever = built = build_retriever(settings, kg, mode=spec.mode)
    if spec.answers and answerer is None:
        from provrag.wiring import build_answerer

        answerer = build_answerer(settings, built, kg, mode=spec.mode)
    answers = answerer if spec.answers else None
    result = run_evaluation(spec, golden, retriever, kg=kg, answerer=answers, progress=progress)
    if record:
        result.run_id = new_run_id(result.started)
        directory = save_run(result, settings.runs_dir)
        describe = getattr(retriever, "describe", None)
        record_run(
            kg,
            result,
            retriever_settings=describe() if callable(describe) else {},
            provrag_version=provrag_version(),
            embedding_model=str(manifest["model"]) if manifest else settings.embedding_model,
            index_manifest=manifest,
            run_file=str((directory / RUN_FILE).resolve()),
        )
    return result


# -------------------------------------------------------------------------- BEIR


@dataclass
class BeirIngest:
    """What the BEIR flow put into the graph."""

    dataset: str
    documents: int
    skipped_empty: int
    new: int
    unchanged: int
    golden: GoldenSet


def beir_text(title: str, text: str) -> str:
    """A BEIR document as the embedding model sees it: ``title + " " + text``, stripped.

    This is what MTEB (``DRESModel.encode_corpus``) and BEIR's ``SentenceBERT``
    model (``sep=" "``) feed a sentence-transformers model such as
    all-MiniLM-L6-v2, so scores are comparable with the published ones.
    """
    return f"{title} {text}".strip()


def ingest_beir(
    settings: Settings,
    kg: KnowledgeGraph,
    directory: Path,
    *,
    split: str = "test",
    name: str | None = None,
    extractor: EntityExtractor | None = None,
    progress: ProgressCallback | None = None,
) -> BeirIngest:
    """Ingest a BEIR corpus as dataset ``name`` (default: the directory's name), and
    its split's queries + qrels as the golden set ``beir-<name>-<split>``.

    Documents become real, public passages (``metadata.title`` keeps the title);
    documents with neither title nor text are skipped (they cannot be embedded
    and BEIR scores them as never retrieved). Idempotent: the same files ingest
    as a no-op. With an ``extractor`` the documents' entities are extracted (the
    entity graph of the enriched retriever); without one, none are. A corpus
    ingested before without entities cannot gain them by ingesting it again (its
    documents are unchanged), so asking for an extractor then raises
    :class:`~provrag.errors.ServiceError` saying so.
    """
    from ingest.pipeline import ingest_files
    from kg.model import SampleRecord

    root = Path(directory)
    corpus, queries, qrels = load_beir(root, split)
    dataset = name or root.resolve().name
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="provrag-beir-") as tmp:
        path = Path(tmp) / f"{dataset}-corpus.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for docid in sorted(corpus):
                doc = corpus[docid]
                text = beir_text(doc["title"], doc["text"])
                if not text:
                    skipped += 1
                    continue
                record = SampleRecord(
                    id=docid,
                    text=text,
                    origin="real",
                    dataset=dataset,
                    version=BEIR_VERSION,
                    kind="passage",
                    sensitivity="public",
                    metadata={"title": doc["title"]} if doc["title"] else {},
                )
                out.write(json.dumps(record.model_dump(mode="json", exclude_none=True)) + "\n")
        report = ingest_files(
            kg,
            [path],
            on_invalid="fail",
            on_duplicate="fail",
            extractor=extractor,
            chunk_size=settings.chunk_size,
            quarantine_dir=settings.quarantine_dir,
            progress=progress,
        )
    if extractor is not None:
        _check_entities(kg, dataset)
    content = ids.sha256_hex(ids.canonical_json({"queries": queries, "qrels": qrels}))[:12]
    golden = golden_from_qrels(
        f"beir-{dataset}-{split}",
        f"{split}-{content}",
        dataset,
        queries,
        qrels,
        description=f"BEIR dataset {dataset}, split {split}: queries and qrels of {root}",
    )
    ingest_golden(kg, golden)
    return BeirIngest(dataset, len(corpus), skipped, report.new, report.unchanged, golden)


def _check_entities(kg: KnowledgeGraph, dataset: str) -> None:
    """ServiceError when documents of ``dataset`` were ingested without entities."""
    from kg.queries.mentions import samples_without_extraction

    missing = samples_without_extraction(kg, dataset)
    if missing:
        raise ServiceError(
            f"{missing} documents of dataset {dataset!r} were ingested before without entity "
            "extraction (by a dense, lexical or hybrid evaluation, or with ner = false), "
            "and the enriched retriever needs their entities; evaluate it in a fresh "
            "project home (--home DIR), where the corpus is ingested with entities"
        )


def uses_entity_graph(settings: Settings, mode: RetrieverMode | None) -> bool:
    """Whether the retriever of ``mode`` (None: the settings' mode) reads the entity
    graph, so the corpus it searches needs entity extraction at ingest."""
    return settings.ner and (mode or settings.retrieval.mode) == "enriched"


def evaluate_beir(
    settings: Settings,
    kg: KnowledgeGraph,
    directory: Path,
    options: EvalOptions,
    *,
    split: str = "test",
    ingest_progress: ProgressCallback | None = None,
    index_progress: Callable[[int, int], None] | None = None,
    progress: ProgressFn | None = None,
) -> tuple[EvalResult, BeirIngest]:
    """Ingest, index and evaluate a BEIR dataset (see :func:`ingest_beir`).

    Entities are extracted at ingest (the settings' extractor, see
    :func:`provrag.wiring.build_extractor`) only when the retriever uses the entity
    graph (:func:`uses_entity_graph`); a dense, lexical or hybrid run skips NER.
    """
    from provrag.indexing import update_index

    extractor = None
    if uses_entity_graph(settings, options.retriever_kind):
        from provrag.wiring import build_extractor

        extractor = build_extractor(settings)
    done = ingest_beir(
        settings, kg, directory, split=split, extractor=extractor, progress=ingest_progress
    )
    update_index(settings, kg, progress=index_progress)
    result = evaluate(settings, kg, done.golden, options, progress=progress)
    return result, done


# ------------------------------------------------------------------------- rerun


@dataclass
class Rerun:
    """A recorded run and its re-run. ``before``/``after``: every mean and interval
    bound, keyed ``<slice> <metric> <mean|ci_low|ci_high>`` (before: from the run
    directory, or from the graph when the directory is gone)."""

    run_id: str
    original: EvalResult | None
    new: EvalResult
    before: dict[str, float]
    after: dict[str, float]

    @property
    def differences(self) -> dict[str, tuple[float | None, float | None]]:
        keys = sorted(set(self.before) | set(self.after))
        return {
            k: (self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        }

    @property
    def identical(self) -> bool:
        return not self.differences


def settings_for_rerun(settings: Settings, spec: RunSpec) -> Settings:
    """``settings`` with the retrieval configuration and models ``spec`` was run with
    (those it does not record stay as they are)."""
    update: dict[str, Any] = {"retrieval": spec.retrieval}
    models = {
        "embedding_model": spec.embedding_model,
        "ner": spec.ner,
        "ner_extractor": spec.ner_extractor,
        "ner_model": spec.ner_model,
        "ner_labels": spec.ner_labels,
        "generator_url": spec.generator_url,
        "generator_model": spec.generator_model,
    }
    update.update({k: v for k, v in models.items() if v is not None})
    if spec.gazetteer:
        update["gazetteer"] = Path(spec.gazetteer)
    return settings.model_copy(update=update)


def rerun(
    settings: Settings,
    kg: KnowledgeGraph,
    run_id: str,
    *,
    progress: ProgressFn | None = None,
    record: bool = True,
) -> Rerun:
    """Re-create run ``run_id`` from its recorded :class:`RunSpec` and compare every number."""
    rec = read_run_record(kg, run_id)
    if rec.golden_name is None:
        raise RunNotFoundError(
            f"run {run_id!r} used golden set {rec.golden_iri}, which the graph no longer "
            "holds; ingest that golden set version again to re-run it"
        )
    original: EvalResult | None
    try:
        original = load_run(settings.runs_dir, run_id)
    except RunNotFoundError:
        original = None
    spec = RunSpec.from_record(rec)
    golden = load_golden(kg, spec.golden, spec.golden_version)
    new = evaluate(settings, kg, golden, spec, progress=progress, record=record)
    before = original.numbers() if original is not None else recorded_numbers(kg, run_id)
    return Rerun(run_id, original, new, before, new.numbers())
