"""BEIR evaluation: a BEIR-layout dataset (corpus, queries, qrels) end to end.

:func:`evaluate_beir` ingests the corpus as a dataset of its own, indexes it, and
scores the split's queries against its qrels (:func:`ingest_beir`, then
:func:`provrag.services.evaluating.evaluate`), ignoring a hit whose id is the
query's own id (BEIR's convention) unless the options say otherwise. Entities are
extracted at ingest only when the retriever uses the entity graph
(:func:`uses_entity_graph`): NER is most of the ingest time, and a dense, lexical
or hybrid run does not need it.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.golden import GoldenSet, golden_from_qrels, ingest_golden, load_beir
from evaluation.results import EvalResult
from evaluation.runner import ProgressFn
from kg import ids
from kg.graph import KnowledgeGraph
from kg.typing import RetrieverMode
from provrag.errors import ServiceError
from provrag.services.evaluating import EvalOptions, evaluate
from provrag.services.indexing import IndexProgress, sync
from provrag.settings import Settings

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor
    from ingest.pipeline import ProgressCallback

#: the dataset version BEIR corpora are ingested under
BEIR_VERSION = "beir"


@dataclass
class BeirIngest:
    """What the BEIR flow put into the graph."""

    dataset: str
    documents: int
    skipped_empty: int
    new: int
    unchanged: int
    golden: GoldenSet

    def to_dict(self) -> dict[str, Any]:
        """The ``beir`` key of ``provrag eval --beir --json``."""
        return {
            "dataset": self.dataset,
            "documents": self.documents,
            "skipped_empty": self.skipped_empty,
            "new": self.new,
            "unchanged": self.unchanged,
            "golden": self.golden.name,
        }


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
    index_progress: IndexProgress | None = None,
    progress: ProgressFn | None = None,
) -> tuple[EvalResult, BeirIngest]:
    """Ingest, index and evaluate a BEIR dataset (see :func:`ingest_beir`).

    Entities are extracted at ingest (the settings' extractor,
    :func:`provrag.wiring.build_extractor`) only when the retriever uses the entity
    graph (:func:`uses_entity_graph`); a dense, lexical or hybrid run skips NER.
    """
    extractor = None
    if uses_entity_graph(settings, options.retriever_kind):
        from provrag import wiring

        extractor = wiring.build_extractor(settings)
    done = ingest_beir(
        settings, kg, directory, split=split, extractor=extractor, progress=ingest_progress
    )
    sync(settings, kg, progress=index_progress)
    result = evaluate(settings, kg, done.golden, options, progress=progress)
    return result, done
