"""Answers built from retrieved passages, every sentence cited to the sample it came from.

Extractive (default, nothing outside the machine): the top passages are split
into sentences (:func:`split_sentences`); each sentence scores

    cosine(query embedding, sentence embedding) + OVERLAP_BONUS * share of the
    query's content words that the sentence contains

and the best non-redundant ones are taken (at most ``max_sentences``, default
3; a sentence is redundant when its embedding has cosine > ``REDUNDANT_COSINE``
with one already taken). The third and later sentences must score at least
``FOLLOW_SHARE`` of the best one, so a weak sentence does not pad the answer.
Each sentence is cited to its sample (IRI and external id) with the passage's
retrieval score.

Grounding (:class:`retrieval.config.AnswerConfig`): every answer carries its
*support* (extractive: the score of its best sentence; generated: the best cosine
of the query and a passage), a *confidence* in [0, 1] mapped from it, and
``abstained``: with no passage, or support below ``abstain_below``, the answer
has no sentence (it says it has no grounded answer) and keeps the passages found.

Generated (``generator_url`` set): the passages, numbered ``[1]..[n]``, go to an
OpenAI-compatible ``/v1/chat/completions`` endpoint (httpx, with a timeout) and
the model is asked to cite them as ``[n]``. Each sentence of its reply cites the
passage it names, or else the passage most similar to it. Failures raise
:class:`~retrieval.errors.AnswerError` naming the URL and what came back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from kg.model import EXTRACTIVE, CitedSentence, Filters, RecordedAnswer, Retriever, ScoredPassage
from retrieval.config import AnswerConfig
from retrieval.embedder import Embedder
from retrieval.errors import AnswerError

#: weight of the query-word overlap added to the cosine
OVERLAP_BONUS = 0.1
#: a sentence this similar to one already taken is left out
REDUNDANT_COSINE = 0.9
#: third and later sentences need at least this share of the best score
FOLLOW_SHARE = 0.8
#: sentences shorter than this many words are not answers on their own
MIN_WORDS = 4

# fmt: off
_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "did", "do", "does", "for",
    "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "of", "on",
    "or", "that", "the", "their", "there", "these", "this", "those", "to", "was", "were",
    "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with", "would",
    "you", "your",
])
_ABBREVIATIONS = frozenset([
    "e.g", "i.e", "dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "fig", "al", "no", "inc",
    "ltd", "jr", "sr", "u.s", "approx", "dept", "est", "vol", "pp", "ca", "cf",
])
# fmt: on
_BOUNDARY = re.compile(r"([.!?])([\"'\u201d\u2019)\]]*)(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"\w+")
_CITE = re.compile(r"\s*\[(\d+)\]")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after ``.``, ``!`` or ``?`` before a capital or digit.

    Not after a known abbreviation ("e.g.", "Dr.") or an initial ("J. Smith");
    line breaks that separate paragraphs always split.
    """
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\r\n\s*\r\n", text):
        start = 0
        for m in _BOUNDARY.finditer(para):
            before = para[start : m.start(1)]
            word = before.rsplit(None, 1)[-1] if before.split() else ""
            bare = word.lower().rstrip(".")
            if m.group(1) == "." and (
                bare in _ABBREVIATIONS or (len(word) == 1 and word.isupper())
            ):
                continue
            piece = para[start : m.end(2)].strip()
            if piece:
                out.append(" ".join(piece.split()))
            start = m.end(3)
        tail = para[start:].strip()
        if tail:
            out.append(" ".join(tail.split()))
    return out


def content_words(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOP and len(t) > 1}


class AnswerResult(BaseModel):
    """An answer, its cited sentences and the passages it was built from."""

    query: str
    text: str
    sentences: list[CitedSentence] = Field(default_factory=list)
    passages: list[ScoredPassage] = Field(default_factory=list)
    generator: str = EXTRACTIVE
    model: str | None = None
    k: int = 0
    filters: dict[str, Any] = Field(default_factory=dict)
    #: set once the answer is recorded in the graph
    id: str | None = None
    #: how well the best evidence matches the query (None: no passage)
    support: float | None = None
    #: the answer's confidence in [0, 1], mapped from its support
    confidence: float = 0.0
    #: no grounded answer: no passage, or support below the threshold
    abstained: bool = False
    #: the threshold the support was held against (None: none set)
    abstain_below: float | None = None

    def cited_samples(self) -> list[str]:
        return list(dict.fromkeys(s.sample_iri for s in self.sentences))

    def to_recorded(self, settings: dict[str, Any] | None = None) -> RecordedAnswer:
        """The answer as :func:`kg.answers.record_answer` stores it."""
        data = {
            "k": self.k,
            "filters": self.filters,
            "support": self.support,
            "confidence": self.confidence,
            **(settings or {}),
        }
        return RecordedAnswer(
            query=self.query,
            text=self.text,
            sentences=list(self.sentences),
            settings=data,
            generator=self.generator,
            model=self.model,
        )


class ChatGenerator:
    """An OpenAI-compatible chat completions endpoint that writes the answer."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        timeout: float = 60.0,
        client: Any | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise AnswerError(
                f"generator_url {url!r} is not an http(s) URL; give the base URL of an "
                "OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1"
            )
        base = url.rstrip("/")
        if base.endswith("/chat/completions"):
            self.endpoint = base
        elif base.endswith("/v1"):
            self.endpoint = base + "/chat/completions"
        else:
            self.endpoint = base + "/v1/chat/completions"
        self.url = url
        self.model = model
        self.timeout = timeout
        self._client = client

    def _post(self, payload: dict[str, Any]) -> Any:
        import httpx

        try:
            if self._client is not None:
                response = self._client.post(self.endpoint, json=payload, timeout=self.timeout)
            else:
                response = httpx.post(self.endpoint, json=payload, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise AnswerError(
                f"the generator at {self.endpoint} did not answer within {self.timeout:.0f}s; "
                "check that it runs, or unset generator_url for extractive answers"
            ) from exc
        except httpx.HTTPError as exc:
            raise AnswerError(
                f"could not reach the generator at {self.endpoint} ({exc}); check "
                "generator_url, or unset it for extractive answers"
            ) from exc
        if response.status_code >= 400:
            raise AnswerError(
                f"the generator at {self.endpoint} answered HTTP {response.status_code}: "
                f"{response.text[:300]!r}; check generator_url and generator_model"
            )
        try:
            return response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise AnswerError(
                f"the generator at {self.endpoint} sent no chat completion "
                f"(choices[0].message.content missing): {response.text[:300]!r}"
            ) from exc

    def generate(self, query: str, passages: Sequence[ScoredPassage]) -> str:
        numbered = "\n\n".join(f"[{i}] {p.text}" for i, p in enumerate(passages, 1))
        payload = {
            "model": self.model or "default",
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": "Answer the question in 1 to 3 sentences using only the "
                    "numbered passages. End every sentence with the number of the passage "
                    "it comes from, as [n]. If the passages do not answer it, say so.",
                },
                {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {query}"},
            ],
        }
        content = self._post(payload)
        if not isinstance(content, str):
            raise AnswerError(f"the generator at {self.endpoint} sent a non-text answer")
        return content.strip()


class Answerer:
    """Answers a query from the passages a :class:`Retriever` returns."""

    def __init__(
        self,
        retriever: Retriever,
        embedder: Embedder,
        *,
        generator: ChatGenerator | None = None,
        max_sentences: int = 3,
        config: AnswerConfig | None = None,
    ) -> None:
        if max_sentences < 1:
            raise AnswerError(f"max_sentences must be at least 1, got {max_sentences}")
        self.retriever = retriever
        self.embedder = embedder
        self.generator = generator
        self.max_sentences = max_sentences
        self.config = config or AnswerConfig()

    def answer(self, query: str, k: int = 5, filters: Filters | None = None) -> AnswerResult:
        passages = self.retriever.search(query, k, filters)
        described = filters.describe() if filters is not None else {}
        result = AnswerResult(
            query=query,
            text="",
            passages=passages,
            k=k,
            filters=described,
            abstain_below=self.config.abstain_below,
        )
        if not passages:
            result.abstained = True
            return result
        if self.generator is not None:
            result.generator = self.generator.url
            result.model = self.generator.model
            support = self._passage_support(query, passages)
            if not self.config.abstains(support):
                result.sentences = self._generated(self.generator, query, passages)
        else:
            sentences, support = self._scored(query, passages)
            if not self.config.abstains(support):
                result.sentences = sentences
        result.support = support
        result.confidence = self.config.confidence(support)
        result.abstained = not result.sentences
        result.text = " ".join(s.text for s in result.sentences)
        return result

    def _passage_support(self, query: str, passages: Sequence[ScoredPassage]) -> float | None:
        texts = [p.text for p in passages if p.text.strip()]
        if not texts:
            return None
        vectors = self.embedder.embed([query, *texts])
        return float((vectors[1:] @ vectors[0]).max())

    def extract(self, query: str, passages: Sequence[ScoredPassage]) -> list[CitedSentence]:
        """The best non-redundant sentences of ``passages`` (see the module doc)."""
        return self._scored(query, passages)[0]

    def _scored(
        self, query: str, passages: Sequence[ScoredPassage]
    ) -> tuple[list[CitedSentence], float | None]:
        """:meth:`extract`'s sentences, and the score of the best (the answer's support)."""
        pool: list[tuple[str, ScoredPassage]] = []
        seen: set[str] = set()
        for p in passages:
            for s in split_sentences(p.text):
                if len(s.split()) < MIN_WORDS or s.lower() in seen:
                    continue
                seen.add(s.lower())
                pool.append((s, p))
        if not pool:  # only short fragments: fall back to whole passages
            pool = [(" ".join(p.text.split()), p) for p in passages if p.text.strip()]
        if not pool:
            return [], None
        vectors = self.embedder.embed([query] + [s for s, _ in pool])
        qv, sv = vectors[0], vectors[1:]
        cosine = sv @ qv
        q_words = content_words(query)
        overlap = np.array(
            [len(q_words & content_words(s)) / max(len(q_words), 1) for s, _ in pool]
        )
        score = cosine + OVERLAP_BONUS * overlap
        order = sorted(range(len(pool)), key=lambda i: (-score[i], i))
        taken: list[int] = []
        for i in order:
            if len(taken) == self.max_sentences:
                break
            if taken and any(float(sv[i] @ sv[j]) > REDUNDANT_COSINE for j in taken):
                continue
            if len(taken) >= 2 and score[i] < FOLLOW_SHARE * score[taken[0]]:
                break
            taken.append(i)
        sentences = [
            CitedSentence(
                text=pool[i][0],
                sample_iri=pool[i][1].sample_iri,
                sample_id=pool[i][1].sample_id,
                score=float(pool[i][1].score),
            )
            for i in taken
        ]
        return sentences, float(score[order[0]])

    def _generated(
        self, generator: ChatGenerator, query: str, passages: Sequence[ScoredPassage]
    ) -> list[CitedSentence]:
        content = generator.generate(query, passages)
        raw = split_sentences(content) or ([content] if content else [])
        cleaned = [_CITE.sub("", s).strip() for s in raw]
        keep = [(r, c) for r, c in zip(raw, cleaned, strict=True) if c]
        if not keep:
            return []
        p_vecs: np.ndarray | None = None
        out: list[CitedSentence] = []
        for r, c in keep:
            numbers = [int(n) for n in _CITE.findall(r) if 1 <= int(n) <= len(passages)]
            if numbers:
                p = passages[numbers[0] - 1]
            else:
                if p_vecs is None:
                    p_vecs = self.embedder.embed([x.text for x in passages])
                sv = self.embedder.embed([c])[0]
                p = passages[int(np.argmax(p_vecs @ sv))]
            out.append(
                CitedSentence(text=c, sample_iri=p.sample_iri, sample_id=p.sample_id, score=p.score)
            )
        return out
