"""Evaluate: a retriever of the settings scored on a golden set, the run written and recorded.

:func:`evaluate` builds the retriever (:mod:`provrag.wiring`), runs
:func:`evaluation.runner.run_evaluation` on the complete :class:`RunSpec` of
the options and settings (:func:`run_spec`), writes the run directory
``<home>/runs/<run id>/`` and records the run in the graph with its spec, so that
``provrag eval rerun`` re-creates it (:mod:`provrag.services.rerun`). Golden
sets by path or name: :mod:`provrag.services.golden`; BEIR datasets:
:mod:`provrag.services.beir`.

Evaluation runs with clearance ``restricted`` unless told otherwise: an expert's
golden set may cite restricted samples, and a retriever that cannot see them
would be scored on passages it was never allowed to return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.golden import GoldenSet
from evaluation.record import RUN_FILE, new_run_id, record_run, save_run
from evaluation.results import EvalResult
from evaluation.runner import AnswererLike, ProgressFn, run_evaluation
from evaluation.spec import RunSpec
from kg.graph import KnowledgeGraph
from kg.model import Retriever
from kg.typing import Clearance, RetrieverMode
from provrag.settings import Settings

if TYPE_CHECKING:
    from retrieval.retriever import GraphRetriever

#: clearance of an evaluation that names none (see the module docstring)
DEFAULT_EVAL_CLEARANCE: Clearance = "restricted"


def provrag_version() -> str:
    try:
        return metadata.version("provrag")
    except metadata.PackageNotFoundError:
        return "unknown"


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
    #: evaluate what the release of this name serves (its index, its sample revisions)
    release: str | None = None


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
        filters=Filters(
            dataset=golden.dataset, clearance=options.clearance, release=options.release
        ),
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


def _index_manifest(settings: Settings, release: str | None) -> dict[str, Any] | None:
    from retrieval.index_bundle import read_manifest

    return read_manifest(
        settings.index_dir if release is None else settings.release_index_dir(release)
    )


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
    from provrag import wiring

    if isinstance(options, RunSpec):
        spec, settings = options, settings_for_rerun(settings, options)
    else:
        spec = run_spec(settings, golden, options)
    release = spec.filters.release if spec.filters is not None else None
    manifest = _index_manifest(settings, release)
    if manifest is not None:
        spec = spec.model_copy(update={"index_generation": manifest.get("generation")})
    built: GraphRetriever | None = None
    if retriever is None:
        retriever = built = wiring.build_retriever(settings, kg, mode=spec.mode, release=release)
    if spec.answers and answerer is None:
        answerer = wiring.build_answerer(settings, built, kg, mode=spec.mode)
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
