"""The records of the example data: kb v1 and v2, the golden set, the bad records.

Same seed, same records: no clock, no hash-randomised ordering, and one
``random.Random`` per decision, seeded from ``(seed, purpose, record)``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from exampledata.engines import Paraphraser, QuestionMaker
from exampledata.labels import (
    Labeller,
    LabelPlan,
    Record,
    day_within,
    rng_for,
    timestamp,
    working_time,
)
from exampledata.render import stats
from exampledata.source import Passage, Source

PARAPHRASES_TOTAL = 120
QUESTIONS_TOTAL = 100

#: (id, source passage key, prompt template, prompt version, variant number)
Spec = tuple[str, str, str, str, int]


def ext_id(n: int) -> str:
    return f"kb-{n:04d}"


@dataclass
class Built:
    """Everything the writers and the README need."""

    v1: list[Record]
    v2: list[Record]
    golden: list[Record]
    bad: list[str]
    bad_count: int
    revised_keys: list[str]
    stats: dict[str, int]


def check_corpus(src: Source) -> None:
    keys = [p.key for p in src.all_passages()]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise SystemExit(f"duplicate passage keys: {dupes}")
    known = set(keys)
    for spec in src.golden:
        for k in spec.answers_in + spec.related:
            if k not in known:
                raise SystemExit(f"golden query {spec.query!r} names unknown passage {k!r}")
        answer_texts = " ".join(
            p.text for p in src.passages + src.uncovered if p.key in spec.answers_in
        ).lower()
        if not any(a.lower() in answer_texts for a in spec.gold_answers):
            raise SystemExit(f"golden query {spec.query!r}: no gold answer in its passages")
    for key, _ in src.revisions:
        if key not in {p.key for p in src.passages}:
            raise SystemExit(f"kb_v2.toml revises unknown passage {key!r}")


class Builder:
    def __init__(self, src: Source, seed: int) -> None:
        self.src = src
        self.seed = seed
        self.paraphrase = Paraphraser(src)
        self.question = QuestionMaker(src)
        self.labeller = Labeller(src, seed)
        self.plans: dict[str, LabelPlan] = {}

    # ------------------------------------------------------------------ records

    def real_record(
        self, p: Passage, sid: str, version: str, updated: str, labels: list[Record]
    ) -> Record:
        metadata: Record = {
            "topic": p.topic,
            "product": p.product or self.src.default_product[p.topic],
            "section": p.section,
            "updated": updated,
        }
        if p.section == "help-centre":
            metadata["url"] = f"{self.src.help_url}/{p.topic.replace('_', '-')}/{p.key}"
        return {
            "id": sid,
            "text": p.text,
            "origin": "real",
            "dataset": self.src.dataset,
            "version": version,
            "kind": "passage",
            "labels": labels,
            "sensitivity": p.sensitivity,
            "metadata": metadata,
        }

    def revise(self, p: Passage) -> Passage:
        for key, edits in self.src.revisions:
            if key == p.key:
                text = p.text
                for old, new in edits:
                    if old not in text:
                        raise SystemExit(
                            f"revision of {key}: {old!r} not in its text; fix kb_v2.toml"
                        )
                    text = text.replace(old, new)
                return Passage(
                    p.key, p.topic, p.intent, text, p.asks, p.sensitivity, p.section, p.product
                )
        return p

    def paraphrase_record(
        self, spec: Spec, source: Passage, month: int, taken: set[str], source_id: str
    ) -> Record:
        """A paraphrase record; ``taken``: texts it must differ from (source, siblings)."""
        seed, src = self.seed, self.src
        sid, _, template, version, variant = spec
        r = rng_for(seed, "paraphrase", sid, month)
        text = self.paraphrase(source.text, template, version, r)
        attempt = 0
        while text in taken and attempt < 8:
            attempt += 1
            text = self.paraphrase(
                source.text, template, version, rng_for(seed, "retry", sid, attempt), 0.1 * attempt
            )
        if text in taken:
            text = src.openers[version][variant % len(src.openers[version])] + text
        if month == 10:
            start = (2026, 10, 2) if version == "2" else (2026, 10, 12)
            gen_day = day_within(start, 8, r)
        else:
            gen_day = day_within((2026, 11, 3), 4, r)
        generated_at = working_time(gen_day, r)
        labels = (
            self.labeller.labels(source.intent, source.topic, self.plans[sid], gen_day, 5, r)
            if sid in self.plans
            else []
        )
        return {
            "id": sid,
            "text": text,
            "origin": "synthetic",
            "dataset": src.dataset,
            "version": src.v1 if month == 10 else src.v2,
            "kind": "passage",
            "derived_from": [source_id],
            "generation": {
                "generator": src.paraphraser,
                "model": src.engine,
                "prompt_template": template,
                "prompt_version": version,
                "seed": seed,
                "params": src.paraphrase.params[(template, version)],
                "generated_at": timestamp(generated_at),
            },
            "labels": labels,
            "sensitivity": source.sensitivity,
            "metadata": {
                "topic": source.topic,
                "product": source.product or src.default_product[source.topic],
            },
        }

    def question_record(self, spec: Spec, p: Passage, source_id: str) -> Record:
        """A user question about the passage ``p`` (whose id is ``source_id``)."""
        seed, src = self.seed, self.src
        sid, _, template, version, variant = spec
        r = rng_for(seed, "question", sid)
        vp = p.asks[variant % len(p.asks)]
        text = self.question(vp, template, version, r)
        start = (2026, 10, 2) if version == "2" else (2026, 10, 12)
        gen_day = day_within(start, 8, r)
        generated_at = working_time(gen_day, r)
        labels = (
            self.labeller.labels(p.intent, p.topic, self.plans[sid], gen_day, 5, r)
            if sid in self.plans
            else []
        )
        labels += self.labeller.heuristic_label(text, generated_at + timedelta(hours=2))
        return {
            "id": sid,
            "text": text,
            "origin": "synthetic",
            "dataset": src.dataset,
            "version": src.v1,
            "kind": "question",
            "derived_from": [source_id],
            "generation": {
                "generator": src.question_gen,
                "model": src.engine,
                "prompt_template": template,
                "prompt_version": version,
                "seed": seed,
                "params": src.questions.params[(template, version)],
                "generated_at": timestamp(generated_at),
            },
            "labels": labels,
            "sensitivity": "internal",
            "metadata": {
                "topic": p.topic,
                "persona": "agent" if p.section == "agent-handbook" else "customer",
            },
        }


def _spread(
    keys: list[str], total: int, zeros: int, threes: int, rng: random.Random
) -> dict[str, int]:
    """Give each key 0-3 items, ``total`` in all: ``zeros`` get none, ``threes`` get three."""
    rest = len(keys) - zeros - threes
    twos = total - 3 * threes - rest
    if not 0 <= twos <= rest:
        raise SystemExit(f"cannot spread {total} items over {len(keys)} passages")
    counts = [0] * zeros + [1] * (rest - twos) + [2] * twos + [3] * threes
    order = list(keys)
    rng.shuffle(order)
    return dict(zip(order, counts, strict=True))


def _specs(
    b: Builder,
    purpose: str,
    counts: dict[str, int],
    names: tuple[str, ...],
    weights: tuple[float, ...],
    next_id: int,
) -> list[Spec]:
    specs: list[Spec] = []
    for p in b.src.passages:
        for variant in range(counts[p.key]):
            r = rng_for(b.seed, purpose, p.key, variant)
            template = r.choices(names, weights)[0]
            version = "2" if r.random() < 0.45 else "3"
            specs.append((ext_id(next_id), p.key, template, version, variant))
            next_id += 1
    return specs


def build(src: Source, seed: int) -> Built:
    check_corpus(src)
    b = Builder(src, seed)
    passages = src.passages
    real_ids = {p.key: ext_id(i + 1) for i, p in enumerate(passages)}
    by_key = {p.key: p for p in passages}
    keys = [p.key for p in passages]

    # --- plan: paraphrases per passage (0/1/2/3) and questions per passage (0/1/2) ---------
    n_para = _spread(keys, PARAPHRASES_TOTAL, 20, 5, rng_for(seed, "p-plan"))
    n_q = _spread(keys, QUESTIONS_TOTAL, 15, 0, rng_for(seed, "q-plan"))
    para = src.paraphrase
    para_specs = _specs(b, "paraphrase-config", n_para, para.names, para.weights, len(passages) + 1)
    question_specs = _specs(
        b,
        "question-config",
        n_q,
        src.questions.names,
        src.questions.weights,
        len(passages) + 1 + len(para_specs),
    )
    next_id = len(passages) + 1 + len(para_specs) + len(question_specs)
    new_ids = {p.key: ext_id(next_id + i) for i, p in enumerate(src.new_passages)}
    # the uncovered topic's passages: ids after every other sample's, no synthetic samples
    after = next_id + len(src.new_passages)
    uncovered_ids = {p.key: ext_id(after + i) for i, p in enumerate(src.uncovered)}

    # --- label plans: every real passage, a share of synthetic samples -----------------------
    plans = b.plans
    intent_of: dict[str, str] = {}
    for i, p in enumerate(passages):
        sid = real_ids[p.key]
        plans[sid] = LabelPlan(src.humans, topic_by=src.humans[i % 3])
        intent_of[sid] = p.intent
    r = rng_for(seed, "synthetic-label-plan")
    para_labelled = set(r.sample([s[0] for s in para_specs], round(0.4 * len(para_specs))))
    q_labelled = set(r.sample([s[0] for s in question_specs], round(0.5 * len(question_specs))))
    for sid, key, *_ in para_specs + question_specs:
        if sid in para_labelled or sid in q_labelled:
            rr = rng_for(seed, "annotators", sid)
            humans = src.humans
            who = humans if rr.random() < 0.5 else tuple(sorted(rr.sample(humans, 2)))
            plans[sid] = LabelPlan(who)
            intent_of[sid] = by_key[key].intent
    b.labeller.plan_disagreements(src.v1, plans, intent_of, share=0.17)

    new_plans = {
        new_ids[p.key]: LabelPlan(src.humans, topic_by=src.humans[i % 3])
        for i, p in enumerate(src.new_passages)
    }
    new_intents = {new_ids[p.key]: p.intent for p in src.new_passages}
    b.labeller.plan_disagreements(src.v2, new_plans, new_intents, share=0.2)

    # --- render v1 -----------------------------------------------------------------------
    v1: list[Record] = []
    for p in passages:
        sid = real_ids[p.key]
        r = rng_for(seed, "real", sid)
        updated = day_within((2026, 8, 1), 60, r).strftime("%Y-%m-%d")
        labels = b.labeller.labels(
            p.intent, p.topic, plans[sid], datetime(2026, 10, 1, tzinfo=UTC), 22, r
        )
        v1.append(b.real_record(p, sid, src.v1, updated, labels))
    siblings: dict[str, set[str]] = {}
    for spec in para_specs:
        source = by_key[spec[1]]
        taken = siblings.setdefault(spec[1], {source.text})
        rec = b.paraphrase_record(spec, source, 10, taken, real_ids[spec[1]])
        taken.add(rec["text"])
        v1.append(rec)
    for spec in question_specs:
        v1.append(b.question_record(spec, by_key[spec[1]], real_ids[spec[1]]))
    # planned after the disagreements above, so the other samples' labels do not change
    for i, p in enumerate(src.uncovered):
        sid = uncovered_ids[p.key]
        plans[sid] = LabelPlan(src.humans, topic_by=src.humans[i % 3])
        r = rng_for(seed, "real", sid)
        updated = day_within((2026, 8, 1), 60, r).strftime("%Y-%m-%d")
        labels = b.labeller.labels(
            p.intent, p.topic, plans[sid], datetime(2026, 10, 1, tzinfo=UTC), 22, r
        )
        v1.append(b.real_record(p, sid, src.v1, updated, labels))

    # --- render v2: same ids, revised facts, regenerated paraphrases, new passages ----------
    revised_keys = [key for key, _ in src.revisions]
    v2 = [dict(rec, version=src.v2) for rec in v1]
    index = {rec["id"]: i for i, rec in enumerate(v2)}
    for key in revised_keys:
        sid = real_ids[key]
        old = v2[index[sid]]
        revised = b.revise(by_key[key])
        r = rng_for(seed, "revision", sid)
        updated = day_within((2026, 10, 26), 6, r).strftime("%Y-%m-%d")
        v2[index[sid]] = b.real_record(revised, sid, src.v2, updated, old["labels"])
        taken = {revised.text}
        for spec in para_specs:
            if spec[1] == key:
                regen = (spec[0], key, spec[2], "3", spec[4])
                rec = b.paraphrase_record(regen, revised, 11, taken, real_ids[key])
                taken.add(rec["text"])
                v2[index[spec[0]]] = rec
    for p in src.new_passages:
        sid = new_ids[p.key]
        r = rng_for(seed, "real", sid)
        updated = day_within((2026, 10, 20), 12, r).strftime("%Y-%m-%d")
        labels = b.labeller.labels(
            p.intent, p.topic, new_plans[sid], datetime(2026, 11, 2, tzinfo=UTC), 6, r
        )
        v2.append(b.real_record(p, sid, src.v2, updated, labels))

    golden = _golden(src, v1, real_ids | uncovered_ids)
    bad, bad_count = bad_records(src)
    return Built(v1, v2, golden, bad, bad_count, revised_keys, stats(v1, v2, golden, bad_count))


def _golden(src: Source, v1: list[Record], real_ids: dict[str, str]) -> list[Record]:
    paraphrases: dict[str, list[Record]] = {}
    for rec in v1:
        if rec["origin"] == "synthetic" and rec["kind"] == "passage":
            for source in rec["derived_from"]:
                paraphrases.setdefault(source, []).append(rec)
    out = []
    for i, spec in enumerate(src.golden, start=1):
        relevant: dict[str, int] = {}
        for key in spec.answers_in:
            relevant[real_ids[key]] = 2
        for key in spec.related:
            relevant.setdefault(real_ids[key], 1)
        answers = [a.lower() for a in spec.gold_answers]
        for key in spec.answers_in:
            for para in paraphrases.get(real_ids[key], []):
                text = para["text"].lower()
                relevant.setdefault(para["id"], 2 if any(a in text for a in answers) else 1)
        out.append(
            {
                "query_id": f"q-{i:03d}",
                "query": spec.query,
                "relevant": relevant,
                "gold_answers": list(spec.gold_answers),
                "tags": list(spec.tags),
                "author": src.golden_meta["author"],
                "guideline_version": src.golden_meta["guideline_version"],
            }
        )
    return out


def bad_records(src: Source) -> tuple[list[str], int]:
    """Lines of bad_records.jsonl (good and bad mixed, as the source lists them), bad count.

    A source entry is ``{"record": {...}}`` (written as one JSON line) or
    ``{"raw": "..."}`` (written as it is: broken JSON); ``"bad"`` says why a line is bad.
    """
    lines = [
        entry["raw"] if "raw" in entry else json.dumps(entry["record"], ensure_ascii=False)
        for entry in src.bad_records
    ]
    return lines, sum("bad" in entry for entry in src.bad_records)
