"""TREC run and qrels files, so that trec_eval, ranx or ir_measures can re-score our runs.

Run file: one line per retrieved document, ``qid Q0 docid rank score tag``,
whitespace separated; ranks from 1 in trec_eval order (score descending, equal
scores by document id descending). Scores are written with ``repr`` so that
reading the file back gives the very same floats.

Qrels file: ``qid iteration docid grade`` (iteration is ignored, written as 0).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from evaluation.errors import TrecFormatError
from evaluation.metrics import Qrels, Run, trec_order


def _check_token(value: str, what: str, qid: str | None = None) -> None:
    if not value or any(ch.isspace() for ch in value):
        where = f" (query {qid!r})" if qid is not None and what != "query id" else ""
        raise TrecFormatError(
            f"{what} {value!r}{where} is empty or holds whitespace, which the TREC format "
            "cannot represent; use ids without spaces"
        )


def _write_atomic(path: str | Path, lines: Iterator[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def run_lines(
    run: Mapping[str, Mapping[str, float]], tag: str = "provrag", depth: int | None = None
) -> Iterator[str]:
    """Lines of a TREC run file, queries in id order, each ranked the trec_eval way."""
    _check_token(tag, "run tag")
    for qid in sorted(run):
        _check_token(qid, "query id")
        docs = run[qid]
        for rank, docid in enumerate(trec_order(docs)[:depth], start=1):
            _check_token(docid, "document id", qid)
            yield f"{qid} Q0 {docid} {rank} {float(docs[docid])!r} {tag}\n"


def write_trec_run(
    run: Mapping[str, Mapping[str, float]],
    path: str | Path,
    *,
    tag: str = "provrag",
    depth: int | None = None,
) -> Path:
    """Write ``run`` as a TREC run file (atomically: a temp file renamed into place).

    ``depth`` keeps only the top documents of each query.
    """
    return _write_atomic(path, run_lines(run, tag, depth))


def _lines(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    p = Path(path)
    if not p.is_file():
        raise TrecFormatError(f"{p}: no such file; give the path of a TREC file")
    with p.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            parts = line.split()
            if parts:
                yield lineno, parts


def read_trec_run(path: str | Path) -> Run:
    """Read a TREC run file into ``{qid: {docid: score}}`` (ranks are not used)."""
    run: Run = {}
    for lineno, parts in _lines(path):
        if len(parts) != 6:
            raise TrecFormatError(
                f"{path}:{lineno}: expected 6 fields 'qid Q0 docid rank score tag', "
                f"got {len(parts)}: {' '.join(parts)!r}"
            )
        qid, _, docid, _, score_text, _ = parts
        try:
            score = float(score_text)
        except ValueError:
            raise TrecFormatError(
                f"{path}:{lineno}: score {score_text!r} is not a number"
            ) from None
        docs = run.setdefault(qid, {})
        if docid in docs:
            raise TrecFormatError(
                f"{path}:{lineno}: document {docid!r} appears twice for query {qid!r}; "
                "a run lists each document at most once per query"
            )
        docs[docid] = score
    return run


def qrels_lines(qrels: Mapping[str, Mapping[str, int]]) -> Iterator[str]:
    for qid in sorted(qrels):
        _check_token(qid, "query id")
        for docid in sorted(qrels[qid]):
            _check_token(docid, "document id", qid)
            yield f"{qid} 0 {docid} {int(qrels[qid][docid])}\n"


def write_trec_qrels(qrels: Mapping[str, Mapping[str, int]], path: str | Path) -> Path:
    """Write ``qrels`` as a TREC qrels file (atomically)."""
    return _write_atomic(path, qrels_lines(qrels))


def read_trec_qrels(path: str | Path) -> Qrels:
    """Read a TREC qrels file into ``{qid: {docid: grade}}``.

    Grades must be integers (trec_eval's convention; negative grades are read as
    given). A (query, document) pair listed twice is an error.
    """
    qrels: Qrels = {}
    for lineno, parts in _lines(path):
        if len(parts) != 4:
            raise TrecFormatError(
                f"{path}:{lineno}: expected 4 fields 'qid iteration docid grade', "
                f"got {len(parts)}: {' '.join(parts)!r}"
            )
        qid, _, docid, grade_text = parts
        try:
            grade = int(grade_text)
        except ValueError:
            raise TrecFormatError(
                f"{path}:{lineno}: grade {grade_text!r} is not an integer"
            ) from None
        docs = qrels.setdefault(qid, {})
        if docid in docs:
            raise TrecFormatError(
                f"{path}:{lineno}: document {docid!r} is judged twice for query {qid!r}; "
                "keep one judgement per pair"
            )
        docs[docid] = grade
    return qrels
