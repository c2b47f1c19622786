"""Every policy, mode and format of provrag, as a ``Literal`` defined once.

Each ``Literal`` has a tuple of its values beside it (``typing.get_args``), so
that a CLI choice, an HTTP parameter, a settings field and a runtime check all
read the same list: add a value here and every one of them accepts it.
Nothing else of provrag may restate these values.
"""

from __future__ import annotations

from typing import Literal, get_args

# ------------------------------------------------------------------- ingest

#: what finds the entity mentions of passages (at ingest) and of queries (at search):
#: ``ner`` spaCy's statistical NER plus the gazetteer; ``noun_chunks`` spaCy's noun
#: chunks (lemmatised, stop words dropped) plus the gazetteer, for domain text where
#: general NER finds little; ``gazetteer`` only the gazetteer's names, no model
ExtractorKind = Literal["ner", "noun_chunks", "gazetteer"]
EXTRACTOR_KINDS: tuple[ExtractorKind, ...] = get_args(ExtractorKind)

#: spaCy (OntoNotes) entity types the ``ner`` extractor keeps by default: names of
#: things. Numbers, dates, ordinals, money, percent, quantity, time and cardinals
#: are not entities of the graph (they would join unrelated passages).
DEFAULT_ENTITY_TYPES: tuple[str, ...] = (
    "ORG", "PERSON", "GPE", "LOC", "PRODUCT", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART",
)  # fmt: skip
