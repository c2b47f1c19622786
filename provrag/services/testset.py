"""``provrag testset generate`` and ``provrag testset validate``.

Generate: template questions about a dataset's real passages
(:func:`evaluation.testset.generate_questions`), written under
``<home>/testsets/<dataset>-s<seed>-n<size>/`` as ``questions.jsonl`` (synthetic
samples of dataset ``<dataset>-testset``, generator ``provrag-testset`` with its
template, template version and seed, ``derived_from`` the passage each question is
about) and ``golden.jsonl`` + ``golden.meta.json`` (golden set ``<dataset>-testset``:
each question's passage relevant). The questions are ingested like any synthetic
data (not indexed: an evaluation searches only the golden set's dataset anyway), the
golden set is ingested too.

Validate: score retriever variants on the expert set and on the synthetic set,
Kendall's tau between the two rankings, the metric gaps; recorded as a monitor run
(monitor ``testset``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.mapping.monitors import MonitorRunIn
from kg.monitors import record_monitor_run
from kg.queries.coverage import dataset_samples
from kg.typing import RetrieverMode
from provrag.errors import ServiceError
from provrag.services.session import Session

if TYPE_CHECKING:
    from evaluation.testset import RankAgreement

#: the variants ranked by default
DEFAULT_VARIANTS: tuple[RetrieverMode, ...] = ("dense", "lexical", "hybrid", "enriched")
QUESTIONS_FILE = "questions.jsonl"
GOLDEN_FILE = "golden.jsonl"


def testset_dataset(dataset: str) -> str:
    """The dataset the synthetic questions about ``dataset`` are ingested into."""
    return f"{dataset}-testset"


@dataclass
class GeneratedTestset:
    dataset: str
    name: str
    version: str
    directory: Path
    questions: int
    templates: dict[str, int]
    ingested_new: int

    @property
    def golden_path(self) -> Path:
        return self.directory / GOLDEN_FILE

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "questions_dataset": testset_dataset(self.dataset),
            "golden": {"name": self.name, "version": self.version},
            "directory": str(self.directory),
            "questions_file": str(self.directory / QUESTIONS_FILE),
            "golden_file": str(self.golden_path),
            "questions": self.questions,
            "templates": self.templates,
            "ingested_new": self.ingested_new,
        }


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def generate(session: Session, dataset: str, size: int, seed: int) -> GeneratedTestset:
    """Generate, write and ingest a synthetic test set about ``dataset``."""
    from evaluation.testset import (
        GENERATOR,
        MODEL,
        TEMPLATE_VERSION,
        SourceSample,
        generate_questions,
    )
    from provrag.services.golden import resolve_golden
    from provrag.services.ingesting import IngestOptions, ingest

    kg, settings = session.kg, session.settings
    passages = [
        SourceSample(s.external_id, s.text, s.labels, s.entities)
        for s in dataset_samples(kg, dataset)
        if s.origin == "real" and s.kind == "passage"
    ]
    if not passages:
        raise ServiceError(
            f"dataset {dataset!r} has no current real passages to ask about; check the name "
            "(`provrag stats` lists the datasets) or ingest it first"
        )
    questions = generate_questions(passages, size, seed)
    name, version = testset_dataset(dataset), f"s{seed}-n{size}"
    directory = settings.home / "testsets" / f"{dataset}-{version}"
    directory.mkdir(parents=True, exist_ok=True)
    params = {"size": size}
    _write_jsonl(
        directory / QUESTIONS_FILE,
        [
            {
                "id": q.id,
                "text": q.text,
                "origin": "synthetic",
                "kind": "question",
                "dataset": name,
                "version": version,
                "derived_from": [f"{dataset}:{q.source_id}"],
                "generation": {
                    "generator": GENERATOR,
                    "model": MODEL,
                    "prompt_template": f"testset-{q.template}",
                    "prompt_version": TEMPLATE_VERSION,
                    "seed": seed,
                    "params": params,
                },
                "metadata": {"testset": name},
            }
            for q in questions
        ],
    )
    _write_jsonl(
        directory / GOLDEN_FILE,
        [
            {
                "query_id": q.id,
                "query": q.text,
                "relevant": {q.source_id: 2},
                "tags": [q.template, "synthetic"],
                "author": GENERATOR,
            }
            for q in questions
        ],
    )
    meta = {
        "name": name,
        "version": version,
        "dataset": dataset,
        "author": GENERATOR,
        "description": (
            f"Synthetic test set: {len(questions)} template questions (template version "
            f"{TEMPLATE_VERSION}, seed {seed}) about real passages of {dataset}; each "
            "question's passage is its one relevant sample."
        ),
    }
    (directory / "golden.meta.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    outcome = ingest(
        session,
        [directory / QUESTIONS_FILE],
        IngestOptions(on_invalid="fail", ner=False, index=False),
    )
    resolve_golden(kg, directory / GOLDEN_FILE)
    templates: dict[str, int] = {}
    for q in questions:
        templates[q.template] = templates.get(q.template, 0) + 1
    return GeneratedTestset(
        dataset, name, version, directory, len(questions), templates, outcome.report.new
    )


def latest_testset(session: Session, dataset: str) -> Path:
    """The golden file of the test set last generated about ``dataset`` in this home."""
    root = session.settings.home / "testsets"
    found = sorted(
        (p for p in root.glob(f"{dataset}-s*-n*/{GOLDEN_FILE}") if p.is_file()),
        key=lambda p: (p.stat().st_mtime, str(p)),
    )
    if not found:
        raise ServiceError(
            f"no synthetic test set about {dataset!r} in {root}; make one with "
            f"`provrag testset generate --dataset {dataset} --size 40 --seed 7`, or give --testset"
        )
    return found[-1]


@dataclass
class TestsetValidation:
    golden: str
    testset: str
    dataset: str | None
    metric: str
    agreement: RankAgreement
    expert_runs: dict[str, str] = field(default_factory=dict)
    synthetic_runs: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "golden": self.golden,
            "testset": self.testset,
            "dataset": self.dataset,
            "metric": self.metric,
            **self.agreement.to_dict(),
            "expert_runs": self.expert_runs,
            "synthetic_runs": self.synthetic_runs,
            "run_id": self.run_id,
        }


def validate(
    session: Session,
    golden: str,
    testset: str | None = None,
    *,
    variants: Sequence[RetrieverMode] = DEFAULT_VARIANTS,
    k: int = 10,
    record: bool = True,
) -> TestsetValidation:
    """Rank ``variants`` by nDCG@k on the expert set ``golden`` and on the synthetic
    set (``testset``, default the latest generated for the golden set's dataset)."""
    from evaluation.record import new_run_id
    from evaluation.testset import rank_agreement
    from provrag.services.evaluating import EvalOptions, evaluate
    from provrag.services.golden import resolve_golden

    kg, settings = session.kg, session.settings
    started = datetime.now(UTC)
    expert = resolve_golden(kg, golden)
    if testset is None:
        if expert.dataset is None:
            raise ServiceError(
                f"golden set {expert.name!r} names no dataset, so no test set can be found "
                "for it; give --testset"
            )
        testset = str(latest_testset(session, expert.dataset))
    synthetic = resolve_golden(kg, testset)
    metric = f"ndcg@{k}"
    scores: dict[str, dict[str, float]] = {"expert": {}, "synthetic": {}}
    runs: dict[str, dict[str, str]] = {"expert": {}, "synthetic": {}}
    for variant in dict.fromkeys(variants):
        for which, gs in (("expert", expert), ("synthetic", synthetic)):
            result = evaluate(settings, kg, gs, EvalOptions(retriever_kind=variant, ks=(k,)))
            scores[which][variant] = result.overall[metric].mean
            runs[which][variant] = str(result.run_id)
    agreement = rank_agreement(scores["expert"], scores["synthetic"])
    outcome = TestsetValidation(
        golden=f"{expert.name}@{expert.version}",
        testset=f"{synthetic.name}@{synthetic.version}",
        dataset=expert.dataset,
        metric=metric,
        agreement=agreement,
        expert_runs=runs["expert"],
        synthetic_runs=runs["synthetic"],
    )
    if record:
        measures = {
            "variants": float(len(agreement.variants)),
            "mean_abs_gap": agreement.mean_abs_gap,
        }
        if agreement.tau is not None and agreement.p_value is not None:
            measures["kendall_tau"] = agreement.tau
            measures["kendall_p_value"] = agreement.p_value
        outcome.run_id = new_run_id(started)
        record_monitor_run(
            kg,
            MonitorRunIn(
                run_id=outcome.run_id,
                monitor="testset",
                started=started,
                ended=datetime.now(UTC),
                result=outcome.to_dict(),
                measurements=measures,
                dataset=expert.dataset,
                version=outcome.testset,
            ),
        )
    return outcome
