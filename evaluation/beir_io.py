"""BEIR datasets and TREC qrels files read as golden set data (re-exported by
:mod:`evaluation.golden`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluation.errors import GoldenProblem, GoldenSetError, TrecFormatError
from evaluation.metrics import Qrels
from evaluation.trecio import read_trec_qrels


def _jsonl(path: Path, what: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise GoldenSetError(
                    [GoldenProblem(f"not valid JSON: {exc.msg}", str(path), lineno)]
                ) from None
            raw_id = data.get("_id") if isinstance(data, dict) else None
            if raw_id is None or str(raw_id) == "":
                raise GoldenSetError(
                    [GoldenProblem(f"each {what} needs an '_id'", str(path), lineno, "_id")]
                )
            key = str(raw_id)
            if key in out:
                raise GoldenSetError(
                    [GoldenProblem(f"duplicate {what} id", str(path), lineno, "_id", key)]
                )
            out[key] = data
    return out


def load_beir(
    directory: str | Path, split: str = "test"
) -> tuple[dict[str, dict[str, str]], dict[str, str], Qrels]:
    """Read a BEIR dataset: ``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``.

    Returns ``(corpus, queries, qrels)``: corpus ``{docid: {"title", "text"}}``,
    queries ``{qid: text}`` restricted to the queries of the split's qrels (as
    BEIR's loader does), qrels ``{qid: {docid: grade}}`` with every row kept
    (grade 0 included). The qrels file has a header line
    ``query-id corpus-id score``; ids are read as strings.
    """
    root = Path(directory)
    corpus_path, queries_path = root / "corpus.jsonl", root / "queries.jsonl"
    qrels_path = root / "qrels" / f"{split}.tsv"
    for needed in (corpus_path, queries_path, qrels_path):
        if not needed.is_file():
            splits = sorted(q.stem for q in (root / "qrels").glob("*.tsv"))
            hint = f" (qrels splits here: {', '.join(splits)})" if splits else ""
            raise GoldenSetError(
                f"{needed}: missing; a BEIR dataset directory holds corpus.jsonl, "
                f"queries.jsonl and qrels/<split>.tsv{hint}"
            )
    corpus = {
        docid: {"title": str(d.get("title") or ""), "text": str(d.get("text") or "")}
        for docid, d in _jsonl(corpus_path, "document").items()
    }
    all_queries = {
        qid: str(q.get("text") or "") for qid, q in _jsonl(queries_path, "query").items()
    }
    qrels: Qrels = {}
    with qrels_path.open(encoding="utf-8") as f:
        for lineno, text in enumerate(f, start=1):
            parts = text.rstrip("\n").split("\t") if "\t" in text else text.split()
            if not parts or not text.strip():
                continue
            if lineno == 1 and parts[0].strip().lower() in ("query-id", "query_id", "qid"):
                continue
            if len(parts) != 3:
                raise GoldenSetError(
                    [
                        GoldenProblem(
                            "expected 3 tab-separated fields 'query-id corpus-id score'",
                            str(qrels_path),
                            lineno,
                            value=text.strip(),
                        )
                    ]
                )
            qid, docid, score = (x.strip() for x in parts)
            try:
                grade = int(score)
            except ValueError:
                raise GoldenSetError(
                    [
                        GoldenProblem(
                            "score must be an integer", str(qrels_path), lineno, "score", score
                        )
                    ]
                ) from None
            qrels.setdefault(qid, {})[docid] = grade
    unknown = [q for q in qrels if q not in all_queries]
    if unknown:
        raise GoldenSetError(
            [
                GoldenProblem(
                    f"{len(unknown)} query ids of the qrels are not in queries.jsonl "
                    f"(first: {', '.join(unknown[:5])})",
                    str(qrels_path),
                    None,
                    "query-id",
                )
            ]
        )
    queries = {qid: all_queries[qid] for qid in qrels}
    return corpus, queries, qrels


def load_trec_qrels(path: str | Path) -> Qrels:
    """Read a TREC qrels file (``qid iteration docid grade``); grades must be >= 0."""
    try:
        qrels = read_trec_qrels(path)
    except TrecFormatError as exc:
        raise GoldenSetError(str(exc)) from exc
    bad = [
        GoldenProblem(
            f"query {q!r}, document {d!r}: grade must be >= 0", str(path), None, "grade", g
        )
        for q, docs in qrels.items()
        for d, g in docs.items()
        if g < 0
    ]
    if bad:
        raise GoldenSetError(bad)
    return qrels
