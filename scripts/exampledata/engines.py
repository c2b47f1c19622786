"""The template engines behind the synthetic samples, and the keyword annotator.

- :class:`Paraphraser` (generator ``nw-paraphraser``): phrase substitutions,
  contractions, openers and closers, sentence selection for the brief template;
- :class:`QuestionMaker` (generator ``nw-question-gen``): a question pattern around
  a passage's verb phrase, with the odd typo for the casual template;
- :class:`Heuristic` (annotator ``intent-heuristic``): keyword rules, the most
  specific match wins.

Each call is deterministic given the ``random.Random`` it is handed.
"""

from __future__ import annotations

import random
import re

from exampledata.source import Source

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9+])")
_FACT_RE = re.compile(r"[0-9£%]")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.split(text.strip()) if s]


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?"


def _match_case(text: str, m: re.Match[str], replacement: str) -> str:
    """Capitalise a replacement at the start of a sentence, lower-case it elsewhere."""
    if _sentence_start(text, m.start()):
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Paraphraser:
    def __init__(self, src: Source) -> None:
        self.src = src
        #: one alternation of every rule, applied in one left-to-right pass, so a
        #: replacement is never rewritten again
        self._rules = re.compile(
            "|".join(f"(?P<r{i}>\\b{pat}\\b)" for i, (pat, _) in enumerate(src.paraphrase_rules))
        )
        self._contractions = re.compile(
            "|".join(f"\\b{full}\\b" for full, _ in src.contractions), flags=re.IGNORECASE
        )
        self._short = dict(src.contractions)

    def substitute(self, text: str, rng: random.Random, rate: float) -> str:
        """Replace rule phrases, each match with probability ``rate``, in one pass."""

        def repl(m: re.Match[str]) -> str:
            if rng.random() >= rate:
                return m.group(0)
            idx = int(m.lastgroup[1:]) if m.lastgroup else 0
            return _match_case(text, m, rng.choice(self.src.paraphrase_rules[idx][1]))

        return self._rules.sub(repl, text)

    def contract(self, text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            return _match_case(text, m, self._short[m.group(0).lower()])

        return self._contractions.sub(repl, text)

    def __call__(
        self, text: str, template: str, version: str, rng: random.Random, boost: float = 0.0
    ) -> str:
        """One paraphrase of ``text`` (deterministic given ``rng``).

        ``boost`` raises the substitution rate (used on retries when a paraphrase came
        out identical to its source or to a sibling).
        """
        params = self.src.paraphrase.params[(template, version)]
        rate = min(1.0, 0.8 * float(params["temperature"]) + boost)
        sentences = split_sentences(text)
        if template == "paraphrase-brief" and len(sentences) > 2:
            limit = int(params["max_sentences"])
            if params["keep"] == "facts":
                keep = [0] + [i for i, s in enumerate(sentences) if i and _FACT_RE.search(s)]
                sentences = [sentences[i] for i in sorted(keep)[:limit]]
            else:
                sentences = sentences[:limit]
        out = self.substitute(" ".join(sentences), rng, rate)
        if params.get("contractions"):
            out = self.contract(out)
        if template == "paraphrase-friendly":
            out = rng.choice(self.src.openers[version]) + out
            if params.get("closer"):
                out += rng.choice(self.src.closers[version])
        return out


class QuestionMaker:
    def __init__(self, src: Source) -> None:
        self.src = src
        self._proper = re.compile(r"\b(?:" + "|".join(src.proper_nouns) + r")\b")

    def add_typos(self, text: str, rng: random.Random, rate: float) -> str:
        """Swap two inner letters of some longer words (the kind of slip people make)."""
        words = text.split(" ")
        for i, word in enumerate(words):
            if (
                len(word) > 5
                and word.isalpha()
                and not self._proper.fullmatch(word)
                and rng.random() < rate
            ):
                j = rng.randrange(1, len(word) - 2)
                words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        return " ".join(words)

    def __call__(self, vp: str, template: str, version: str, rng: random.Random) -> str:
        pattern = rng.choice(self.src.question_patterns[(template, version)])
        text = pattern.format(vp=vp)
        typo_rate = float(self.src.questions.params[(template, version)].get("typo_rate", 0.0))
        if template == "user-question-casual":
            text = self.add_typos(text, rng, typo_rate)
        return text


class Heuristic:
    def __init__(self, src: Source) -> None:
        self._rules = tuple(
            (re.compile(p, re.IGNORECASE), intent) for p, intent in src.heuristic_rules
        )

    def __call__(self, text: str) -> tuple[str, float] | None:
        """(intent, confidence) of the keyword heuristic, or None when no rule fires."""
        best: tuple[int, int, str] | None = None  # (matched chars, -rule index, intent)
        for idx, (pattern, intent) in enumerate(self._rules):
            m = pattern.search(text)
            if m and (best is None or (len(m.group(0)), -idx) > best[:2]):
                best = (len(m.group(0)), -idx, intent)
        if best is None:
            return None
        return best[2], round(min(0.95, 0.5 + best[0] / 40), 2)
