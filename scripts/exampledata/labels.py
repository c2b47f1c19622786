"""Who labels which sample, when, and where annotators disagree.

Also the seeded helpers every record uses: one ``random.Random`` per decision
(:func:`rng_for`) and working-hours timestamps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from exampledata.engines import Heuristic
from exampledata.source import Source

Record = dict[str, Any]


def rng_for(seed: int, *parts: object) -> random.Random:
    """One generator per decision: stable whatever else changes in the run."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def working_time(day: datetime, rng: random.Random) -> datetime:
    """A working-hours time on ``day`` (09:00-17:59, whole minutes)."""
    return day.replace(hour=rng.randrange(9, 18), minute=rng.randrange(60), second=0)


def day_within(start: tuple[int, int, int], span_days: int, rng: random.Random) -> datetime:
    return datetime(*start, tzinfo=UTC) + timedelta(days=rng.randrange(span_days))


@dataclass
class LabelPlan:
    """Who labels a sample, and which annotators (if any) deviate from the intended intent."""

    annotators: tuple[str, ...]
    deviations: dict[str, str] = field(default_factory=dict)
    topic_by: str | None = None


class Labeller:
    def __init__(self, src: Source, seed: int) -> None:
        self.src = src
        self.seed = seed
        self.heuristic = Heuristic(src)
        self.topics: dict[str, list[str]] = {}
        for p in src.all_passages():
            if p.intent not in self.topics.setdefault(p.topic, []):
                self.topics[p.topic].append(p.intent)

    def _guideline(self, when: datetime) -> str:
        return "1.1" if when < self.src.guideline_switch else "1.2"

    def labels(
        self,
        intent: str,
        topic: str,
        plan: LabelPlan,
        not_before: datetime,
        window_days: int,
        rng: random.Random,
    ) -> list[Record]:
        day = not_before + timedelta(days=1 + rng.randrange(window_days))
        out: list[Record] = []
        for ann in plan.annotators:
            when = working_time(day + timedelta(days=rng.randrange(3)), rng)
            out.append(
                {
                    "field": "intent",
                    "value": plan.deviations.get(ann, intent),
                    "annotator": ann,
                    "annotator_kind": "human",
                    "guideline_version": self._guideline(when),
                    "guideline": "nw-intent",
                    "labeled_at": timestamp(when),
                }
            )
        if plan.topic_by is not None:
            when = working_time(day, rng)
            out.append(
                {
                    "field": "topic",
                    "value": topic,
                    "annotator": plan.topic_by,
                    "annotator_kind": "human",
                    "guideline_version": self._guideline(when),
                    "guideline": "nw-topic",
                    "labeled_at": timestamp(when),
                }
            )
        return out

    def heuristic_label(self, text: str, when: datetime) -> list[Record]:
        hit = self.heuristic(text)
        if hit is None:
            return []
        return [
            {
                "field": "intent",
                "value": hit[0],
                "annotator": self.src.heuristic,
                "annotator_kind": "heuristic",
                "guideline_version": "1.2",
                "guideline": "nw-intent",
                "labeled_at": timestamp(when),
                "confidence": hit[1],
            }
        ]

    def plan_disagreements(
        self, name: str, plans: dict[str, LabelPlan], intent_of: dict[str, str], share: float
    ) -> None:
        """Pick exactly round(share * n) labelled samples; one or two annotators deviate."""
        rng = rng_for(self.seed, "disagree", name)
        ids = sorted(plans)
        chosen = rng.sample(ids, round(share * len(ids)))
        weights = self.src.deviation_weights
        for sid in sorted(chosen):
            plan = plans[sid]
            intent = intent_of[sid]
            topic = next(p.topic for p in self.src.all_passages() if p.intent == intent)
            alternatives = list(self.src.confusable.get(intent, ())) or [
                i for i in self.topics[topic] if i != intent
            ]
            first = rng.choices(plan.annotators, [weights[a] for a in plan.annotators])[0]
            plan.deviations[first] = rng.choice(alternatives)
            others = [a for a in plan.annotators if a != first]
            if len(others) >= 2 and rng.random() < 0.25:
                second = rng.choice(others)
                plan.deviations[second] = rng.choice(
                    [i for i in alternatives if i != plan.deviations[first]] or alternatives
                )
