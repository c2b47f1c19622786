"""The hand-written data of the example knowledge base, read from its source folder.

``provrag/example_data/source/`` holds everything a person wrote (see its README):
the passages by topic, what changed in version 2, the golden queries, the gazetteer,
the paraphrase and question templates, the annotators' rules, the bad records and
the README template. This module turns those files into typed objects; nothing
here decides anything random.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

#: a generator configuration's key: (prompt template, prompt version)
ConfigKey = tuple[str, str]


@dataclass(frozen=True)
class Passage:
    key: str
    topic: str
    intent: str
    text: str
    asks: tuple[str, ...]  # verb phrases a customer would ask about ("How do I <ask>?")
    sensitivity: str = "public"
    section: str = "help-centre"
    product: str | None = None


@dataclass(frozen=True)
class GoldenSpec:
    query: str
    answers_in: tuple[str, ...]  # passage keys that answer the query (grade 2)
    related: tuple[str, ...]  # passage keys that are related (grade 1)
    gold_answers: tuple[str, ...]  # alternatives, each found verbatim in an answering passage
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    slug: str
    entity_type: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Templates:
    """One generator's prompt templates: names, how often each is drawn, params by version."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    params: dict[ConfigKey, dict[str, Any]]


@dataclass(frozen=True)
class Source:
    # corpus.toml
    dataset: str
    v1: str
    v2: str
    intake_dataset: str
    help_url: str
    default_product: dict[str, str]
    paraphraser: str
    question_gen: str
    engine: str
    # passages/*.toml, kb_v2.toml
    passages: tuple[Passage, ...]
    revisions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    new_passages: tuple[Passage, ...]
    #: real passages of version 1 from files with ``generate = false``: nothing synthetic
    #: is made from them (the topic coverage leaves uncovered); ids after all others
    uncovered: tuple[Passage, ...]
    # golden.toml
    golden: tuple[GoldenSpec, ...]
    golden_meta: dict[str, str]
    # gazetteer.toml
    scheme: dict[str, Any]
    gazetteer: tuple[Concept, ...]
    # paraphraser.toml
    paraphrase_rules: tuple[tuple[str, tuple[str, ...]], ...]
    contractions: tuple[tuple[str, str], ...]
    openers: dict[str, tuple[str, ...]]
    closers: dict[str, tuple[str, ...]]
    paraphrase: Templates
    # questions.toml
    question_patterns: dict[ConfigKey, tuple[str, ...]]
    questions: Templates
    proper_nouns: tuple[str, ...]
    # annotators.toml
    humans: tuple[str, ...]
    heuristic: str
    guideline_switch: datetime
    deviation_weights: dict[str, float]
    confusable: dict[str, tuple[str, ...]]
    heuristic_rules: tuple[tuple[str, str], ...]
    # bad_records.json, README.md.in
    bad_records: tuple[dict[str, Any], ...]
    readme_template: str

    def all_passages(self) -> tuple[Passage, ...]:
        return self.passages + self.new_passages + self.uncovered


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"cannot read {path}: {exc}") from exc


def _passage(raw: dict[str, Any]) -> Passage:
    return Passage(
        key=raw["key"],
        topic=raw["topic"],
        intent=raw["intent"],
        text=" ".join(raw["text"].split()),  # the files wrap long texts
        asks=tuple(raw["asks"]),
        sensitivity=raw.get("sensitivity", "public"),
        section=raw.get("section", "help-centre"),
        product=raw.get("product"),
    )


def _templates(raw: list[dict[str, Any]]) -> Templates:
    return Templates(
        names=tuple(t["name"] for t in raw),
        weights=tuple(float(t["weight"]) for t in raw),
        params={(t["name"], v): p for t in raw for v, p in t["params"].items()},
    )


def load_source(directory: Path) -> Source:
    """Every hand-written input of the generator, from ``directory``."""
    corpus = _toml(directory / "corpus.toml")
    passage_files = sorted((directory / "passages").glob("*.toml"))
    if not passage_files:
        raise SystemExit(f"no passage files (*.toml) in {directory / 'passages'}")
    files = [_toml(path) for path in passage_files]
    passages = tuple(
        _passage(p) for f in files if f.get("generate", True) for p in f.get("passage", [])
    )
    uncovered = tuple(
        _passage(p) for f in files if not f.get("generate", True) for p in f.get("passage", [])
    )
    v2 = _toml(directory / "kb_v2.toml")
    golden = _toml(directory / "golden.toml")
    gazetteer = _toml(directory / "gazetteer.toml")
    para = _toml(directory / "paraphraser.toml")
    questions = _toml(directory / "questions.toml")
    annotators = _toml(directory / "annotators.toml")
    bad = json.loads((directory / "bad_records.json").read_text(encoding="utf-8"))
    v1_name, v2_name = corpus["dataset"]["versions"]
    return Source(
        dataset=corpus["dataset"]["name"],
        v1=v1_name,
        v2=v2_name,
        intake_dataset=corpus["dataset"]["intake"],
        help_url=corpus["dataset"]["help_url"],
        default_product=dict(corpus["default_product"]),
        paraphraser=corpus["generators"]["paraphraser"],
        question_gen=corpus["generators"]["questions"],
        engine=corpus["generators"]["engine"],
        passages=passages,
        revisions=tuple(
            (r["key"], tuple((old, new) for old, new in r["edits"])) for r in v2["revision"]
        ),
        new_passages=tuple(_passage(p) for p in v2["passage"]),
        uncovered=uncovered,
        golden=tuple(
            GoldenSpec(
                q["query"],
                tuple(q["answers_in"]),
                tuple(q.get("related", [])),
                tuple(q["gold_answers"]),
                tuple(q["tags"]),
            )
            for q in golden["query"]
        ),
        golden_meta=dict(golden["meta"]),
        scheme=dict(gazetteer["scheme"]),
        gazetteer=tuple(
            Concept(c["slug"], c["type"], c["label"], tuple(c.get("aliases", [])))
            for c in gazetteer["concept"]
        ),
        paraphrase_rules=tuple((r["pattern"], tuple(r["alternatives"])) for r in para["rule"]),
        contractions=tuple((full, short) for full, short in para["contractions"]),
        openers={v: tuple(x) for v, x in para["openers"].items()},
        closers={v: tuple(x) for v, x in para["closers"].items()},
        paraphrase=_templates(para["template"]),
        question_patterns={
            (t["name"], v): tuple(x)
            for t in questions["template"]
            for v, x in t["patterns"].items()
        },
        questions=_templates(questions["template"]),
        proper_nouns=tuple(questions["proper_nouns"]),
        humans=tuple(annotators["humans"]),
        heuristic=annotators["heuristic"]["name"],
        guideline_switch=annotators["guideline_switch"],
        deviation_weights=dict(annotators["deviation_weights"]),
        confusable={k: tuple(v) for k, v in annotators["confusable"].items()},
        heuristic_rules=tuple((r["pattern"], r["intent"]) for r in annotators["heuristic"]["rule"]),
        bad_records=tuple(bad),
        readme_template=(directory / "README.md.in").read_text(encoding="utf-8"),
    )
