"""Benchmark: abstention and answer-confidence calibration of ``ask`` on CLAPNQ dev.

    .venv/bin/python scripts/bench_abstention.py [--limit N] [--k 5] [--seed 13] [--home DIR]

Data: ``../shared/data/clapnq_dev`` (300 answerable questions with long-form gold
answers, 300 unanswerable ones). Corpus: the passages of all selected questions
(the gold passage of each answerable one, the non-answering passage of each
unanswerable one; a passage met twice is one sample), ingested through provrag's own
ingest and index (no NER: the retriever ranks as hybrid, dense + BM25). Every
question is asked through :meth:`provrag.api.Client.ask` (top ``--k`` passages,
extractive answer), which gives the answer's support (:mod:`retrieval.answerer`).

The questions are split deterministically into halves (:class:`kg.model.SplitRule`,
``dev_ratio`` 0.5, ``--seed``, on the question id), and on the **dev** half:

- the abstention threshold is chosen (:func:`evaluation.calibration.choose_threshold`:
  best F1 of abstaining on the unanswerable questions);
- the support -> confidence map is fitted (Platt scaling,
  :func:`evaluation.calibration.fit_confidence`) against answer correctness:
  token F1 >= 0.5 against the gold answers (:func:`evaluation.answer_metrics.token_f1`).

On the **test** half it reports abstention precision and recall on the unanswerable
questions at that threshold, and the expected calibration error (10 equal-width
bins) of the fitted confidence, and of the settings' default map, on the answerable
questions (those with gold answers). Prints a table and writes
``bench_results/bench_abstention.json``; put the chosen numbers in the ``[answer]``
settings (``abstain_below``, ``confidence_slope``, ``confidence_intercept``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "clapnq_dev"
OUT = ROOT / "bench_results" / "bench_abstention.json"
DATASET = "clapnq"
#: an answer is correct when its token F1 against the best gold answer reaches this
CORRECT_F1 = 0.5


@dataclass
class Question:
    qid: str
    text: str
    answerable: bool
    gold: list[str]
    passage: str


@dataclass
class Asked:
    question: Question
    split: str
    support: float | None
    answer: str
    f1: float

    @property
    def correct(self) -> bool:
        return self.f1 >= CORRECT_F1


def load(data: Path, limit: int | None) -> tuple[list[Question], dict[str, dict[str, str]]]:
    """The questions (``limit`` per class, by id) and the corpus of their passages."""
    from kg import ids

    questions: list[Question] = []
    corpus: dict[str, dict[str, str]] = {}
    by_text: dict[str, str] = {}
    for name, answerable in (("answerable", True), ("unanswerable", False)):
        path = data / "annotated_data" / "dev" / f"clapnq_dev_{name}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        rows.sort(key=lambda r: str(r["id"]))
        for row in rows[:limit]:
            passage = row["passages"][0]
            text = " ".join(str(passage["text"]).split())
            pid = by_text.setdefault(text, f"p{len(by_text):04d}")
            corpus[pid] = {"title": str(passage.get("title") or ""), "text": text}
            gold = [str(o["answer"]) for o in row.get("output") or [] if str(o.get("answer", ""))]
            questions.append(Question(str(row["id"]), str(row["input"]), answerable, gold, pid))
    # a fixed order mixing both classes, so that the first questions asked are a fair sample
    questions.sort(key=lambda q: ids.sha256_hex(q.qid))
    return questions, corpus


def ingest(home: Path, corpus: dict[str, dict[str, str]]) -> None:
    import provrag

    records = home / "clapnq_corpus.jsonl"
    home.mkdir(parents=True, exist_ok=True)
    records.write_text(
        "".join(
            json.dumps(
                {
                    "id": pid,
                    "text": p["text"],
                    "origin": "real",
                    "dataset": DATASET,
                    "version": "dev",
                    "sensitivity": "public",
                    "metadata": {"title": p["title"]},
                }
            )
            + "\n"
            for pid, p in corpus.items()
        ),
        encoding="utf-8",
    )
    with provrag.open(home, ner=False) as pr:
        pr.ingest(str(records))


def ask_all(
    home: Path, questions: list[Question], k: int, seed: int, *, cached_only: bool = False
) -> list[Asked]:
    """Ask every question (support and answer of each kept in ``<home>/asked-k<k>.jsonl``,
    so an interrupted run resumes where it stopped; ``cached_only``: only the questions
    asked before, none asked now)."""
    import provrag
    from evaluation.answer_metrics import token_f1
    from kg.model import SplitRule

    rule = SplitRule(dev_ratio=0.5, seed=seed)
    cache = home / f"asked-k{k}.jsonl"
    done: dict[str, dict[str, Any]] = {}
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            done[row["qid"]] = row
    out: list[Asked] = []
    with ExitStack() as stack, cache.open("a") as fh:
        pr: Any = None
        for i, q in enumerate(questions, 1):
            row = done.get(q.qid)
            if row is None and cached_only:
                continue
            if row is None:
                if pr is None:  # opened only when a question is asked (the store is locked)
                    pr = stack.enter_context(
                        provrag.open(home, ner=False, answer={"abstain_below": None})
                    )
                r = pr.ask(q.text, k=k, retriever="hybrid", dataset=DATASET).result
                row = {"qid": q.qid, "support": r.support, "answer": r.text}
                fh.write(json.dumps(row) + "\n")
                fh.flush()
            text = str(row["answer"])
            f1 = token_f1(text, q.gold) if q.gold and text else 0.0
            out.append(Asked(q, rule.split_of(q.qid), row["support"], text, f1))
            if i % 50 == 0:
                print(f"  asked {i}/{len(questions)}", file=sys.stderr)
    return out


def measure(asked: list[Asked]) -> dict[str, Any]:
    """Threshold and confidence map chosen on dev; abstention and ECE on test."""
    from evaluation.calibration import (
        abstention_scores,
        choose_threshold,
        expected_calibration_error,
        fit_confidence,
    )
    from retrieval.config import AnswerConfig

    def support(a: Asked) -> float:
        return a.support if a.support is not None else -1.0

    dev = [a for a in asked if a.split == "dev"]
    test = [a for a in asked if a.split == "holdout"]
    threshold = choose_threshold(
        [support(a) for a in dev], [not a.question.answerable for a in dev]
    )
    dev_gold = [a for a in dev if a.question.gold]
    slope, intercept = fit_confidence([support(a) for a in dev_gold], [a.correct for a in dev_gold])
    fitted = AnswerConfig(
        abstain_below=threshold, confidence_slope=slope, confidence_intercept=intercept
    )
    default = AnswerConfig()

    def abstention(rows: list[Asked]) -> dict[str, Any]:
        return abstention_scores(
            [fitted.abstains(a.support) for a in rows], [not a.question.answerable for a in rows]
        ).to_dict()

    test_gold = [a for a in test if a.question.gold]
    correct = [a.correct for a in test_gold]
    return {
        "questions": {
            "dev": len(dev),
            "test": len(test),
            "test_unanswerable": sum(not a.question.answerable for a in test),
            "test_with_gold_answers": len(test_gold),
        },
        "threshold": threshold,
        "confidence_map": {"slope": slope, "intercept": intercept},
        "dev_abstention": abstention(dev),
        "test_abstention": abstention(test),
        "test_answer_accuracy": sum(correct) / len(correct) if correct else 0.0,
        "test_ece": expected_calibration_error(
            [fitted.confidence(a.support) for a in test_gold], correct
        )
        if test_gold
        else None,
        "test_ece_default_map": expected_calibration_error(
            [default.confidence(a.support) for a in test_gold], correct
        )
        if test_gold
        else None,
        "test_mean_confidence": sum(fitted.confidence(a.support) for a in test_gold)
        / max(len(test_gold), 1),
    }


def run(
    limit: int | None, k: int, seed: int, home: Path | None, *, cached_only: bool = False
) -> dict[str, Any]:
    questions, corpus = load(DATA, limit)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-abstention-") as tmp:
        where = home or Path(tmp) / "home"
        if not (where / "index").exists():
            ingest(where, corpus)
        asked = ask_all(where, questions, k, seed, cached_only=cached_only)
    result = measure(asked)
    result.update(
        {
            "data": "CLAPNQ dev (annotated_data/dev)",
            "limit_per_class": limit,
            "k": k,
            "seed": seed,
            "retriever": "hybrid",
            "correct_if_token_f1_at_least": CORRECT_F1,
            "corpus_passages": len(corpus),
            "questions_asked": len(asked),
            "questions_selected": len(questions),
            "seconds": round(time.perf_counter() - started, 1),
            "python": platform.python_version(),
        }
    )
    return result


def table(result: dict[str, Any]) -> str:
    t, q = result["test_abstention"], result["questions"]
    rows = [
        ("questions dev / test", f"{q['dev']} / {q['test']}"),
        ("threshold (chosen on dev)", f"{result['threshold']:.4f}"),
        (
            "confidence map (fitted on dev)",
            f"slope {result['confidence_map']['slope']:.3f}, "
            f"intercept {result['confidence_map']['intercept']:.3f}",
        ),
        ("test: unanswerable questions", str(q["test_unanswerable"])),
        ("test: abstention precision", f"{t['precision']:.3f}"),
        ("test: abstention recall", f"{t['recall']:.3f}"),
        ("test: abstention F1", f"{t['f1']:.3f}"),
        ("test: answers correct (token F1 >= 0.5)", f"{result['test_answer_accuracy']:.3f}"),
        ("test: ECE (10 bins), fitted map", _num(result["test_ece"])),
        ("test: ECE (10 bins), default map", _num(result["test_ece_default_map"])),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b}" for a, b in rows)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="questions per class (all: 300)")
    parser.add_argument("--k", type=int, default=5, help="passages per answer")
    parser.add_argument("--seed", type=int, default=13, help="seed of the dev/test split")
    parser.add_argument("--home", type=Path, default=None, help="keep the provrag home here")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON output")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="measure only the questions a previous run in --home already asked",
    )
    args = parser.parse_args(argv)
    if args.cached_only and args.home is None:
        parser.error("--cached-only needs the --home of a previous run")
    if not DATA.is_dir():
        print(f"no CLAPNQ data at {DATA}", file=sys.stderr)
        return 1
    result = run(args.limit, args.k, args.seed, args.home, cached_only=args.cached_only)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
