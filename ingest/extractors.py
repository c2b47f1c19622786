"""The kinds of entity extractor (:data:`kg.typing.ExtractorKind`), and the one to build.

- ``ner``: :class:`~ingest.ner.SpacyExtractor`, spaCy's statistical NER (the entity
  types asked for) plus the gazetteer; the rule-based pipeline when the model is
  missing (:func:`~ingest.ner.load_extractor`).
- ``noun_chunks``: :class:`NounChunkExtractor`, spaCy's noun chunks plus the
  gazetteer, for domain text (biomedical, legal, internal jargon) where a general
  NER model finds few names. A chunk is cut at determiners, pronouns, numbers, stop
  words, punctuation and gazetteer names; each remaining run of words is a mention
  of type ``NOUN_CHUNK`` whose name is its lemmas, normalised ("the blood cells" and
  "a blood cell" are one entity). On SciFact and MuSiQue noun chunks made retrieval
  worse than NER (``scripts/graph_research.py``): a choice, not the default.
- ``gazetteer``: :class:`GazetteerExtractor`, only the gazetteer's names, no model:
  fast, precise, and nothing outside the gazetteer.

The same extractor must find the entities of passages (ingest) and of queries
(search), or their names will not meet: :func:`extractor_for` is what both call.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest import ner
from ingest.errors import IngestOptionError, NerModelError
from ingest.gazetteer import Gazetteer, normalize_name
from ingest.ner import (
    DEFAULT_MODEL,
    GAZETTEER_PIPE,
    KEEP_LABELS,
    EntityExtractor,
    Linker,
    RuleBasedExtractor,
    _add_gazetteer_ruler,
    _as_gazetteer,
    _PipeExtractor,
    fallback_extractor,
    load_extractor,
)
from kg.mapping import MentionSpan
from kg.typing import EXTRACTOR_KINDS, ExtractorKind, OnMissingModel

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "CHUNK_LABEL",
    "GAZETTEER_EXTRACTOR",
    "GazetteerExtractor",
    "NounChunkExtractor",
    "extractor_for",
]

#: entity type of a noun-chunk mention
CHUNK_LABEL = "NOUN_CHUNK"
#: name recorded for the gazetteer-only extractor
GAZETTEER_EXTRACTOR = "gazetteer"
#: parts of speech a noun-chunk name leaves out (besides stop words and punctuation)
_CHUNK_DROP_POS = frozenset({"DET", "PRON", "NUM", "PUNCT", "SYM"})
#: components a noun chunk needs: POS tags (tagger + attribute_ruler), the
#: dependency parse (parser) and lemmas (lemmatizer), and what they listen to
_CHUNK_PIPES = frozenset({"tok2vec", "tagger", "attribute_ruler", "parser", "lemmatizer"})


class NounChunkExtractor(_PipeExtractor):
    """spaCy noun chunks (lemmatised, cut at function words) plus the gazetteer's names.

    Takes ``nlp`` over like :class:`~ingest.ner.SpacyExtractor`: the statistical NER
    and every component a noun chunk does not need are disabled, and the gazetteer
    EntityRuler is (re)placed at the end.
    """

    fallback = False

    def __init__(
        self,
        nlp: Language,
        gazetteer: Gazetteer | None = None,
        *,
        batch_size: int = 256,
        n_process: int = 1,
        name: str | None = None,
    ) -> None:
        if "parser" not in nlp.pipe_names:
            raise NerModelError(
                f"spaCy pipeline {name or nlp.meta.get('name')!r} has no 'parser' component "
                f"(it has {nlp.pipe_names}), and noun chunks come from the dependency "
                f"parse; use a pipeline with a parser, e.g. {DEFAULT_MODEL}.",
                model=name,
            )
        if GAZETTEER_PIPE in nlp.component_names:
            nlp.remove_pipe(GAZETTEER_PIPE)
        for pipe in list(nlp.pipe_names):
            if pipe not in _CHUNK_PIPES:
                nlp.disable_pipe(pipe)
        if gazetteer is not None and len(gazetteer):
            _add_gazetteer_ruler(nlp, gazetteer)
        meta = nlp.meta
        base = name or f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
        self.nlp = nlp
        self.name = f"{base}+noun_chunks"
        self.version = str(meta.get("version", "0.0.0"))
        self.linker = Linker(gazetteer)
        self.batch_size = batch_size
        self.n_process = n_process

    def _mentions(self, doc: Doc) -> list[MentionSpan]:
        text = doc.text
        out = self._linked(
            self.linker, text, ((e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents)
        )
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        for chunk in doc.noun_chunks:
            for run in content_runs(chunk, taken):
                key = normalize_name(" ".join(t.lemma_ for t in run))
                if len(key) < 2:
                    continue
                last = run[-1]
                span = self.linker.link(
                    text, run[0].idx, last.idx + len(last), CHUNK_LABEL, key=key
                )
                if span is not None:
                    out.append(span)
        out.sort(key=lambda m: (m.start, m.end))
        return out


def content_runs(chunk: Span, taken: AbstractSet[int] = frozenset()) -> Iterator[list[Token]]:
    """The runs of content words of a noun chunk: it is cut at stop words, determiners,
    pronouns, numbers, punctuation and tokens in ``taken`` (gazetteer names)."""
    run: list[Token] = []
    for tok in chunk:
        if tok.i in taken or tok.is_stop or tok.is_punct or tok.pos_ in _CHUNK_DROP_POS:
            if run:
                yield run
            run = []
        else:
            run.append(tok)
    if run:
        yield run


class GazetteerExtractor(RuleBasedExtractor):
    """Only the gazetteer's names (its EntityRuler on a blank pipeline), no model."""

    def __init__(
        self, gazetteer: Gazetteer | None, *, batch_size: int = 256, n_process: int = 1
    ) -> None:
        if gazetteer is None or not len(gazetteer):
            raise IngestOptionError(
                "the gazetteer extractor finds only the names of a gazetteer, and "
                f"{'the gazetteer is empty' if gazetteer is not None else 'none is set'}: "
                "set gazetteer = PATH (a SKOS file) in provrag.toml, or choose another "
                f"ner_extractor ({', '.join(k for k in EXTRACTOR_KINDS if k != 'gazetteer')})"
            )
        super().__init__(gazetteer, batch_size=batch_size, n_process=n_process)
        self.name = GAZETTEER_EXTRACTOR

    def _mentions(self, doc: Doc) -> list[MentionSpan]:
        hits = [(e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents]
        return self._linked(self.linker, doc.text, hits)


def extractor_for(
    kind: ExtractorKind = "ner",
    model: str | None = DEFAULT_MODEL,
    gazetteer: Path | Gazetteer | None = None,
    *,
    labels: Iterable[str] = KEEP_LABELS,
    on_missing: OnMissingModel = "fallback",
    batch_size: int = 256,
    n_process: int = 1,
) -> EntityExtractor:
    """The extractor of ``kind`` (see the module docstring).

    ``model`` (a spaCy package or pipeline path) serves ``ner`` and ``noun_chunks``;
    when it is not installed ``on_missing`` decides, as in
    :func:`~ingest.ner.load_extractor`: the rule-based pipeline with a
    :class:`~ingest.ner.NerFallbackWarning`, or :class:`~ingest.errors.NerModelError`.
    ``labels`` are the entity types ``ner`` keeps. ``gazetteer`` needs a gazetteer
    (:class:`~ingest.errors.IngestOptionError` otherwise).
    """
    if kind == "ner":
        return load_extractor(
            model,
            gazetteer,
            on_missing=on_missing,
            labels=labels,
            batch_size=batch_size,
            n_process=n_process,
        )
    gaz = _as_gazetteer(gazetteer)
    if kind == "gazetteer":
        return GazetteerExtractor(gaz, batch_size=batch_size, n_process=n_process)
    if kind != "noun_chunks":
        raise IngestOptionError(
            f"unknown entity extractor {kind!r}; choose one of {', '.join(EXTRACTOR_KINDS)}"
        )
    if model is None:
        raise IngestOptionError(
            "the noun_chunks extractor needs a spaCy model with a parser (ner_model), "
            f"e.g. {DEFAULT_MODEL}; or choose ner_extractor = gazetteer"
        )
    # through the module: the test suite watches ner._load_pipeline for model loads
    nlp: Any = ner._load_pipeline(model)
    if nlp is None:
        return fallback_extractor(
            model, gaz, on_missing=on_missing, batch_size=batch_size, n_process=n_process
        )
    return NounChunkExtractor(
        nlp,
        gaz,
        name=ner._pipeline_name(model),
        batch_size=batch_size,
        n_process=n_process,
    )
