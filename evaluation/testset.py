"""Synthetic test sets: template questions about the samples of a dataset, and how
well such a cheap set ranks retriever variants the way the experts' set does.

:func:`generate_questions` is deterministic (same samples, size and seed: same
questions, ids and templates). Each question is about one real passage and is made
from its labels (the ``intent``), its entities and its first sentence; the passage
is its one relevant sample. :func:`rank_agreement` compares two score vectors over
the same variants with Kendall's tau (``scipy.stats.kendalltau``, tau-b).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.errors import SyntheticSetError

#: the generator agent and the version of its templates, recorded on each question
GENERATOR = "provrag-testset"
MODEL = "template-engine"
TEMPLATE_VERSION = "1"

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORDS = 14


@dataclass(frozen=True)
class SourceSample:
    """A passage a question can be about."""

    external_id: str
    text: str
    labels: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyntheticQuestion:
    id: str
    text: str
    source_id: str
    template: str


def _label(sample: SourceSample, field: str) -> str | None:
    values = sorted(v.split("=", 1)[1] for v in sample.labels if v.startswith(field + "="))
    return values[0].replace("_", " ") if values else None


def _clause(text: str) -> str:
    first = _SENTENCE.split(text.strip(), maxsplit=1)[0].rstrip(".!?")
    words = first.split()
    return " ".join(words[:_WORDS]) if words else text[:80]


def _templates(s: SourceSample) -> dict[str, str]:
    """The questions each template makes of ``s`` (a template needs what it names)."""
    intent = _label(s, "intent")
    out = {"first-sentence": f"Where does it say that {_lower_first(_clause(s.text))}?"}
    if intent:
        out["intent"] = f"I need help with {intent}: what do I do?"
    if intent and s.entities:
        out["entity-intent"] = f"What about {intent} with {s.entities[0]}?"
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def generate_questions(
    samples: Sequence[SourceSample], size: int, seed: int, *, prefix: str = "ts"
) -> list[SyntheticQuestion]:
    """``size`` questions about ``samples`` (each a distinct sample while they last),
    templates drawn with ``seed``. Ids are ``<prefix>-<seed>-<n>``."""
    if size < 1:
        raise SyntheticSetError(f"a test set of size {size} asked; give --size 1 or more")
    pool = sorted(samples, key=lambda s: s.external_id)
    if not pool:
        raise SyntheticSetError("no real passages to ask questions about; ingest the dataset first")
    rng = random.Random(seed)
    order = rng.sample(pool, len(pool))
    out = []
    for n in range(size):
        sample = order[n % len(order)]
        options = _templates(sample)
        name = rng.choice(sorted(options))
        out.append(
            SyntheticQuestion(
                f"{prefix}-{seed}-{n + 1:04d}", options[name], sample.external_id, name
            )
        )
    return out


@dataclass(frozen=True)
class RankAgreement:
    """Kendall's tau between two rankings of the same variants, and the metric gaps."""

    variants: list[str]
    expert: list[float]
    synthetic: list[float]
    tau: float | None
    p_value: float | None

    @property
    def gaps(self) -> dict[str, float]:
        """synthetic - expert, per variant."""
        return {
            v: s - e for v, e, s in zip(self.variants, self.expert, self.synthetic, strict=True)
        }

    @property
    def mean_abs_gap(self) -> float:
        gaps = list(self.gaps.values())
        return sum(abs(g) for g in gaps) / len(gaps) if gaps else 0.0

    def ranking(self, which: str) -> list[str]:
        """Variants best first on ``expert`` or ``synthetic`` scores (ties by name)."""
        scores = dict(zip(self.variants, getattr(self, which), strict=True))
        return sorted(self.variants, key=lambda v: (-scores[v], v))

    def to_dict(self) -> dict[str, Any]:
        return {
            "variants": self.variants,
            "expert": dict(zip(self.variants, self.expert, strict=True)),
            "synthetic": dict(zip(self.variants, self.synthetic, strict=True)),
            "expert_ranking": self.ranking("expert"),
            "synthetic_ranking": self.ranking("synthetic"),
            "kendall_tau": self.tau,
            "kendall_p_value": self.p_value,
            "gaps": self.gaps,
            "mean_abs_gap": self.mean_abs_gap,
        }


def rank_agreement(expert: Mapping[str, float], synthetic: Mapping[str, float]) -> RankAgreement:
    """Kendall's tau-b between the variants' scores on the two sets (None when fewer
    than two variants, or a set scores them all alike)."""
    from scipy.stats import kendalltau

    if set(expert) != set(synthetic):
        raise SyntheticSetError(
            f"the two sets scored different variants ({sorted(expert)} vs {sorted(synthetic)}); "
            "score the same variants on both"
        )
    variants = sorted(expert)
    e = [float(expert[v]) for v in variants]
    s = [float(synthetic[v]) for v in variants]
    tau = p = None
    if len(variants) >= 2:
        result = kendalltau(e, s)
        if result.statistic == result.statistic:  # NaN when a set has no spread
            tau, p = float(result.statistic), float(result.pvalue)
    return RankAgreement(variants, e, s, tau, p)
