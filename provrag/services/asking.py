"""Ask: an answer from the best sentences of the top passages, each cited; optionally
recorded in the graph as a ``pr:Answer`` derived from the samples it cites.

``provrag ask``, ``GET /ask`` and :meth:`provrag.api.Client.ask` run :func:`ask`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.graph import KnowledgeGraph
from kg.typing import RetrieverMode
from provrag.services.session import Session

if TYPE_CHECKING:
    from kg.model import Filters, Retriever
    from retrieval.answerer import AnswerResult

#: why an answer asked to be recorded was not
NOTHING_TO_RECORD = "nothing to record: the answer is empty"


@dataclass
class AskOutcome:
    """An answer, the retriever mode and filters it was built with, and, when it was
    asked to be recorded but was empty, why it was not (:data:`NOTHING_TO_RECORD`)."""

    result: AnswerResult
    mode: RetrieverMode
    filters: Filters
    note: str | None = None

    @property
    def id(self) -> str | None:
        """The recorded answer's id (None: not recorded)."""
        return self.result.id

    @property
    def text(self) -> str:
        """The answer's text ("" when nothing matched)."""
        return self.result.text

    def to_dataframe(self) -> Any:  # noqa: ANN401 - a pandas DataFrame
        """The passages the answer was built from, as a pandas DataFrame."""
        from provrag.render.frames import hits_frame

        return hits_frame(self.result.passages)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``provrag ask --json`` and ``GET /ask``."""
        r = self.result
        return {
            "id": r.id,
            "query": r.query,
            "answer": r.text,
            "sentences": [s.model_dump(mode="json") for s in r.sentences],
            "cited_samples": r.cited_samples(),
            "generator": r.generator,
            "model": r.model,
            "retriever": self.mode,
            "filters": self.filters.describe(),
            "passages": [p.model_dump(mode="json") for p in r.passages],
        }


def record(kg: KnowledgeGraph, result: AnswerResult, retriever: Retriever) -> str:
    """Store ``result`` in the graph (derived from its cited samples, with the
    retriever's settings); sets and returns its id."""
    from kg.answers import record_answer

    describe = getattr(retriever, "describe", None)
    settings: dict[str, Any] = describe() if callable(describe) else {}
    answer_id = record_answer(kg, result.to_recorded(settings))
    result.id = answer_id
    return answer_id


def ask(
    session: Session,
    text: str,
    *,
    k: int = 5,
    mode: RetrieverMode | None = None,
    filters: Filters | None = None,
    record_answer: bool = False,
) -> AskOutcome:
    """Answer ``text`` from the top ``k`` passages; ``record_answer`` stores a non-empty
    answer in the graph (its id in ``outcome.id``)."""
    from kg.model import Filters

    filters, release = session.serve(filters if filters is not None else Filters())
    answerer = session.answerer(mode, release)
    result = answerer.answer(text, k, filters)
    note = None
    if record_answer:
        if result.sentences:
            with session.write_lock:
                record(session.kg, result, answerer.retriever)
        else:
            note = NOTHING_TO_RECORD
    return AskOutcome(result, session.retriever(mode, release).mode, filters, note)
