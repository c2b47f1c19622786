"""BEIR evaluation: a BEIR-layout dataset (corpus, queries, qrels) end to end.

:func:`evaluate_beir` ingests the corpus as a dataset of its own (no NER), indexes
it, and scores the split's queries against its qrels (:func:`ingest_beir`, then
:func:`provrag.services.evaluating.evaluate`), ignoring a hit whose id is the
query's own id (BEIR's convention) unless the options say otherwise.
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
from provrag.services.evaluating import EvalOptions, evaluate
from provrag.services.indexing import IndexProgress, sync
from provrag.settings import Settings

if TYPE_CHECKING:
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
    progress: ProgressCallback | None = None,
) -> BeirIngest:
    """Ingest a BEIR corpus as dataset ``name`` (default: the directory's name), no NER,
    and its split's queries + qrels as the golden set ``beir-<name>-<split>``.

    Documents become real, public passages (``metadata.title`` keeps the title);
    documents with neither title nor text are skipped (they cannot be embedded
    and BEIR scores them as never retrieved). Idempotent: the same files ingest
    as a no-op.
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
            extractor=None,
            chunk_size=settings.chunk_size,
            quarantine_dir=settings.quarantine_dir,
            progress=progress,
        )
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
    """Ingest, index and evaluate a BEIR dataset (see :func:`ingest_beir`)."""
    done = ingest_beir(settings, kg, directory, split=split, progress=ingest_progress)
    sync(settings, kg, progress=index_progress)
    result = evaluate(settings, kg, done.golden, options, progress=progress)
    return result, done
