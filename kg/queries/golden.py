"""Golden sets stored in the graph (shape in :mod:`kg.mapping.golden`), read back."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.model import GoldenItem, SplitRule
from kg.typing import GOLDEN_SPLITS, GoldenSplit, literal_value


class GoldenSetRecord(BaseModel):
    """A golden set version as the graph holds it."""

    model_config = ConfigDict(frozen=True)

    iri: str
    name: str
    version: str
    dataset: str | None = None
    author: str | None = None
    guideline_version: str | None = None
    description: str | None = None
    split_rule: SplitRule | None = None
    #: the one split the items were read from (None: all of them)
    selected: GoldenSplit | None = None
    #: sorted by query id; relevant ids, gold answers and tags sorted too
    items: list[GoldenItem] = Field(default_factory=list)


_HEAD_QUERY = """
SELECT ?gs ?name ?version ?dataset ?author ?guideline ?description ?rule WHERE {{
  ?gs a pr:GoldenSet ; dcterms:title ?name ; pr:goldenSetVersion ?version .
  {where}
  OPTIONAL {{ ?gs pr:datasetName ?dataset }}
  OPTIONAL {{ ?gs prov:wasAttributedTo/rdfs:label ?author }}
  OPTIONAL {{ ?gs pr:guideline/pr:guidelineVersion ?guideline }}
  OPTIONAL {{ ?gs dcterms:description ?description }}
  OPTIONAL {{ ?gs pr:splitRule ?rule }}
}}
"""

_ITEMS_QUERY = """
SELECT ?item ?qid ?text ?author ?guideline ?split WHERE {{
  <{gs}> pr:goldenItem ?item . {split}
  ?item pr:queryId ?qid ; pr:queryText ?text .
  OPTIONAL {{ ?item prov:wasAttributedTo/rdfs:label ?author }}
  OPTIONAL {{ ?item pr:guideline/pr:guidelineVersion ?guideline }}
  OPTIONAL {{ ?item pr:split ?split }}
}}
"""

_ITEM_VALUES_QUERY = """
SELECT ?item ?what ?v1 ?v2 WHERE {{
  <{gs}> pr:goldenItem ?item . {split}
  {{ ?item pr:judgement ?j . ?j pr:judgedSample ?v1 ; pr:grade ?v2 .
     BIND("judged" AS ?what) }}
  UNION {{ ?item pr:goldAnswer ?v1 . BIND("answer" AS ?what) }}
  UNION {{ ?item pr:tag ?v1 . BIND("tag" AS ?what) }}
}}
"""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def golden_content_hashes(kg: KnowledgeGraph, golden_iri: str) -> set[str]:
    """The content hash(es) recorded for the golden set version ``golden_iri``."""
    rows = kg.select(f"SELECT ?h WHERE {{ <{golden_iri}> pr:contentHash ?h }}")
    return {str(r["h"]) for r in rows}


def golden_set_versions(kg: KnowledgeGraph, name: str) -> list[str]:
    """Versions of the golden set ``name`` stored in the graph, sorted as text."""
    rows = kg.select(_HEAD_QUERY.format(where=f"FILTER(STR(?name) = {lit(name)})"))
    return sorted({str(r["version"]) for r in rows})


def _split_pattern(split: GoldenSplit | None) -> str:
    """The pattern keeping only the items of ``split`` (first, so no other item is read)."""
    return "" if split is None else f"?item pr:split {lit(split)} ."


def _items(
    kg: KnowledgeGraph, gs: str, dataset: str | None, split: GoldenSplit | None
) -> list[GoldenItem]:
    fields: dict[str, dict[str, Any]] = {}
    where = _split_pattern(split)
    for r in kg.select(_ITEMS_QUERY.format(gs=gs, split=where)):
        fields[str(r["item"])] = {
            "query_id": str(r["qid"]),
            "query": str(r["text"]),
            "relevant": {},
            "gold_answers": set(),
            "tags": set(),
            "author": _text(r.get("author")),
            "guideline_version": _text(r.get("guideline")),
            "split": literal_value(GOLDEN_SPLITS, _text(r.get("split"))),
        }
    judged_prefix = ids.logical_sample_iri(dataset, "") if dataset else None
    for r in kg.select(_ITEM_VALUES_QUERY.format(gs=gs, split=where)):
        item = fields.get(str(r["item"]))
        if item is None:
            continue
        what = r["what"]
        if what == "judged" and judged_prefix and str(r["v1"]).startswith(judged_prefix):
            # the id from the judged IRI: right even when no revision of the sample is stored
            sid = unquote(str(r["v1"])[len(judged_prefix) :])
            item["relevant"][sid] = int(r["v2"])
        elif what == "answer":
            item["gold_answers"].add(str(r["v1"]))
        elif what == "tag":
            item["tags"].add(str(r["v1"]))
    return [
        GoldenItem(
            query_id=f["query_id"],
            query=f["query"],
            relevant=dict(sorted(f["relevant"].items())),
            gold_answers=sorted(f["gold_answers"]),
            tags=sorted(f["tags"]),
            author=f["author"],
            guideline_version=f["guideline_version"],
            split=f["split"],
        )
        for f in sorted(fields.values(), key=lambda f: f["query_id"])
    ]


def golden_set_record(
    kg: KnowledgeGraph, name: str, version: str, split: GoldenSplit | None = None
) -> GoldenSetRecord | None:
    """Golden set ``name`` version ``version`` with its items (with ``split``: only the
    items of that split are read), or ``None`` when the graph does not hold it.

    Judged samples are read as external ids of the set's dataset (from the judged
    logical sample IRI, so right even when no revision of the sample is stored).
    """
    gs = ids.golden_set_iri(name, version)
    rows = kg.select(_HEAD_QUERY.format(where=f"FILTER(?gs = <{gs}>)"))
    if not rows:
        return None
    head = rows[0]
    dataset = _text(head.get("dataset"))
    return GoldenSetRecord(
        iri=gs,
        name=str(head["name"]),
        version=str(head["version"]),
        dataset=dataset,
        author=_text(head.get("author")),
        guideline_version=_text(head.get("guideline")),
        description=_text(head.get("description")),
        split_rule=None if head.get("rule") is None else _rule(head["rule"]),
        selected=split,
        items=_items(kg, gs, dataset, split),
    )


def _rule(value: Any) -> SplitRule:
    data = value if isinstance(value, dict) else json.loads(str(value))
    return SplitRule.model_validate(data)
