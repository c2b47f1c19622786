"""Datasets of ``scripts/compare_retrievers.py``: how each becomes a provrag home.

Public data is read from ``<repo>/../shared/data`` and never copied into the
repository. Every dataset goes through what a user runs:

- BEIR layouts (SciFact, MuSiQue) are ingested by ``provrag eval --beir``'s own
  :func:`provrag.evaluating.ingest_beir` (documents as ``title + " " + text``, the
  split's queries and qrels as a golden set), with the settings' entity extractor;
- PubMedQA and CLAPNQ are first written in BEIR layout inside the home (once), then
  ingested the same way;
- the bundled bank example is ``provrag ingest kb_v1.jsonl`` (with its gazetteer) and
  ``provrag eval --golden golden.jsonl``'s :func:`provrag.evaluating.resolve_golden`.

Datasets sharing a corpus (SciFact test and train) share a home.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
EXAMPLE = ROOT / "provrag" / "example_data"


@dataclass(frozen=True)
class DatasetSpec:
    """One column group of the comparison: a corpus, a split of its queries."""

    key: str  # --datasets name
    label: str  # shown in the tables
    home: str  # home directory name (shared by the splits of one corpus)
    split: str
    #: a development split: settings may be chosen on it, so do not report it as a result
    dev: bool = False
    #: BEIR directory of the data (None: built by ``convert`` inside the home, or the bank)
    beir: Path | None = None
    #: writes the data in BEIR layout under the given directory
    convert: Callable[[Path], None] | None = None
    #: the bundled bank example (ingest kb_v1 + golden.jsonl) instead of a BEIR layout
    bank: bool = False

    def source(self) -> Path:
        """What must exist for the dataset to run."""
        if self.bank:
            return EXAMPLE / "kb_v1.jsonl"
        if self.beir is not None:
            return self.beir / "corpus.jsonl"
        return SOURCES[self.key]


# --------------------------------------------------------------------- writing BEIR


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def write_beir(
    directory: Path,
    corpus: dict[str, tuple[str, str]],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    split: str = "test",
) -> None:
    """``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv`` under ``directory``."""
    (directory / "qrels").mkdir(parents=True, exist_ok=True)
    _write_jsonl(
        directory / "corpus.jsonl",
        ({"_id": d, "title": t, "text": x} for d, (t, x) in corpus.items()),
    )
    _write_jsonl(directory / "queries.jsonl", ({"_id": q, "text": t} for q, t in queries.items()))
    lines = [f"{q}\t{d}\t{g}\n" for q, docs in qrels.items() for d, g in docs.items()]
    (directory / "qrels" / f"{split}.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(lines), encoding="utf-8"
    )


def pubmedqa(directory: Path) -> None:
    """PubMedQA PQA-L: 1,000 abstracts (CONTEXTS joined, no title); query ``q<pmid>`` = the
    QUESTION, relevant = its own abstract (query ids differ from document ids, so BEIR's
    rule of ignoring a hit whose id is the query's never applies)."""
    data = json.loads((SOURCES["pubmedqa"]).read_text(encoding="utf-8"))
    pmids = sorted(data)
    write_beir(
        directory,
        {p: ("", " ".join(data[p]["CONTEXTS"])) for p in pmids},
        {f"q{p}": data[p]["QUESTION"] for p in pmids},
        {f"q{p}": {p: 1} for p in pmids},
    )


def clapnq(directory: Path) -> None:
    """CLAPNQ dev: the 300 answerable questions over their gold passages, with the
    passages of the 300 unanswerable questions as distractors (a passage met twice is
    one document); relevant = the gold passage(s) of
    ``retrieval/dev/question_dev_answerable.tsv``."""
    base = DATA / "clapnq_dev"
    gold: dict[str, list[str]] = {}
    with open(base / "retrieval" / "dev" / "question_dev_answerable.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gold[row["id"]] = [d for d in row["doc-id-list"].split(",") if d]
    corpus: dict[str, tuple[str, str]] = {}
    by_text: dict[tuple[str, str], str] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for name, answerable in (("answerable", True), ("unanswerable", False)):
        path = base / "annotated_data" / "dev" / f"clapnq_dev_{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            passage = item["passages"][0]
            doc = (passage["title"], passage["text"].strip())
            pid = by_text.get(doc)
            if pid is None:
                ids = gold.get(item["id"]) if answerable else None
                pid = ids[0] if ids else f"u-{item['id']}"
                by_text[doc] = pid
                corpus[pid] = doc
            if answerable:
                queries[item["id"]] = item["input"]
                qrels[item["id"]] = {pid: 1}
    write_beir(directory, corpus, queries, qrels)


SOURCES: dict[str, Path] = {
    "pubmedqa": DATA / "pubmedqa_pqal" / "ori_pqal.json",
    "clapnq": DATA / "clapnq_dev" / "retrieval" / "dev" / "question_dev_answerable.tsv",
}

DATASETS: dict[str, DatasetSpec] = {
    d.key: d
    for d in (
        DatasetSpec("scifact-test", "SciFact test", "scifact", "test", beir=DATA / "beir_scifact"),
        DatasetSpec(
            "scifact-train", "SciFact train (dev)", "scifact", "train", dev=True,
            beir=DATA / "beir_scifact",
        ),
        DatasetSpec("musique", "MuSiQue", "musique", "test", beir=DATA / "musique_hipporag"),
        DatasetSpec("pubmedqa", "PubMedQA PQA-L", "pubmedqa", "test", convert=pubmedqa),
        DatasetSpec("clapnq", "CLAPNQ dev", "clapnq", "test", convert=clapnq),
        DatasetSpec("bank", "bank golden set", "bank", "golden", bank=True),
    )
}  # fmt: skip
