"""Triples of an expert golden set (see :mod:`evaluation.golden`).

Shape of a golden set version ``GS``, its items ``I`` and their judgements ``J``::

    GS a pr:GoldenSet, prov:Collection, prov:Entity ; dcterms:title name ;
       pr:goldenSetVersion version ; pr:contentHash ; pr:queryCount n ;
       [pr:datasetName ; dcterms:references <dataset>] ; [dcterms:description] ;
       [prov:wasAttributedTo Person] ; [pr:guideline Gd] ; [pr:splitRule (rdf:JSON)] ;
       pr:goldenItem I ...
    I  a pr:GoldenItem, prov:Entity ; dcterms:isPartOf GS ; pr:queryId ; pr:queryText ;
       pr:goldAnswer* ; pr:tag* ; [prov:wasAttributedTo Person] ; [pr:guideline Gd] ;
       [pr:split "dev" | "holdout"] ; pr:judgement J ...
    J  a pr:Judgement, prov:Entity ; pr:judgedSample <logical sample> ; pr:grade n
    Person a prov:Person, prov:Agent ; rdfs:label name
    Gd a pr:Guideline, prov:Plan, prov:Entity ; pr:guidelineVersion ; rdfs:label "default"

``GS`` is ``prid:golden/<name>/<version>`` (also the name of the named graph it is
written to), ``I`` is ``<GS>/item/<query id>`` and ``J`` is
``<I>/judgement/<sample external id>``. The judged sample is the *logical* sample
``prid:sample/<dataset>/<external id>``, so a judgement holds across revisions.
``pr:contentHash`` is :func:`golden_content_hash`: equal content, equal hash. An
item's ``pr:split`` is its resolved split (its own, or the set's ``pr:splitRule``,
``{"dev_ratio", "seed"}``, applied to its query id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from kg import ids
from kg.errors import MappingError
from kg.mapping import DCT, RDFS, A, SharedNodes, iri, json_lit, lit, pr, prov
from kg.model import GoldenItem, SplitRule


class GoldenSetLike(Protocol):
    """What the mapping reads from a golden set (``evaluation.golden.GoldenSet`` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def dataset(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def guideline_version(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def items(self) -> Sequence[GoldenItem]: ...
    @property
    def split_rule(self) -> SplitRule | None: ...


def judgement_iri(item_iri: str, sample_id: str) -> str:
    """The judgement of one sample (by external id) for one golden item."""
    return f"{item_iri}/judgement/{ids.seg(sample_id)}"


def golden_content_hash(golden: GoldenSetLike) -> str:
    """sha256 of the set's content (metadata and items, item order ignored)."""
    content: dict[str, Any] = {
        "name": golden.name,
        "version": golden.version,
        "dataset": golden.dataset,
        "author": golden.author,
        "guideline_version": golden.guideline_version,
        "description": golden.description,
        "items": sorted(
            (
                # a set without splits keeps the hash it had before splits were
                item.model_dump(mode="json", exclude=None if item.split else {"split"})
                for item in golden.items
            ),
            key=lambda d: d["query_id"],
        ),
    }
    if golden.split_rule is not None:
        content["split_rule"] = golden.split_rule.model_dump(mode="json")
    return ids.sha256_hex(ids.canonical_json(content))


def _person(name: str, shared: SharedNodes) -> tuple[str, list[str]]:
    node = ids.agent_iri("person", name)
    out: list[str] = []
    if shared.first(node):
        out = [
            f"{iri(node)} {A} {prov('Person')}",
            f"{iri(node)} {A} {prov('Agent')}",
            f"{iri(node)} <{RDFS}label> {lit(name)}",
        ]
    return node, out


def _guideline(version: str, shared: SharedNodes) -> tuple[str, list[str]]:
    node = ids.guideline_iri(version)
    out: list[str] = []
    if shared.first(node):
        gd = iri(node)
        out = [
            f"{gd} {A} {pr('Guideline')}",
            f"{gd} {A} {prov('Plan')}",
            f"{gd} {A} {prov('Entity')}",
            f"{gd} {pr('guidelineVersion')} {lit(version)}",
            f"{gd} <{RDFS}label> {lit('default')}",
        ]
    return node, out


def golden_set_triples(golden: GoldenSetLike) -> list[str]:
    """N-Triples statements (without the final `` .``) of a golden set version.

    Needs ``golden.dataset`` when any item has judgements (the judged samples are
    samples of that dataset).
    """
    set_iri = ids.golden_set_iri(golden.name, golden.version)
    gs = iri(set_iri)
    shared = SharedNodes()
    out = [
        f"{gs} {A} {pr('GoldenSet')}",
        f"{gs} {A} {prov('Collection')}",
        f"{gs} {A} {prov('Entity')}",
        f"{gs} <{DCT}title> {lit(golden.name)}",
        f"{gs} {pr('goldenSetVersion')} {lit(golden.version)}",
        f"{gs} {pr('contentHash')} {lit(golden_content_hash(golden))}",
        f"{gs} {pr('queryCount')} {lit(len(golden.items))}",
    ]
    if golden.dataset is not None:
        out += [
            f"{gs} {pr('datasetName')} {lit(golden.dataset)}",
            f"{gs} <{DCT}references> {iri(ids.dataset_iri(golden.dataset))}",
        ]
    if golden.description:
        out.append(f"{gs} <{DCT}description> {lit(golden.description)}")
    if golden.author:
        node, triples = _person(golden.author, shared)
        out += [f"{gs} {prov('wasAttributedTo')} {iri(node)}", *triples]
    if golden.guideline_version:
        node, triples = _guideline(golden.guideline_version, shared)
        out += [f"{gs} {pr('guideline')} {iri(node)}", *triples]
    if golden.split_rule is not None:
        out.append(f"{gs} {pr('splitRule')} {json_lit(golden.split_rule.model_dump(mode='json'))}")
    for item in golden.items:
        out += _item_triples(set_iri, golden.dataset, item, shared)
    return out


def _item_triples(
    set_iri: str, dataset: str | None, item: GoldenItem, shared: SharedNodes
) -> list[str]:
    item_iri = ids.golden_item_iri(set_iri, item.query_id)
    it = iri(item_iri)
    out = [
        f"{iri(set_iri)} {pr('goldenItem')} {it}",
        f"{it} {A} {pr('GoldenItem')}",
        f"{it} {A} {prov('Entity')}",
        f"{it} <{DCT}isPartOf> {iri(set_iri)}",
        f"{it} {pr('queryId')} {lit(item.query_id)}",
        f"{it} {pr('queryText')} {lit(item.query)}",
    ]
    out += [f"{it} {pr('goldAnswer')} {lit(a)}" for a in item.gold_answers]
    out += [f"{it} {pr('tag')} {lit(t)}" for t in item.tags]
    if item.split is not None:
        out.append(f"{it} {pr('split')} {lit(item.split)}")
    if item.author:
        node, triples = _person(item.author, shared)
        out += [f"{it} {prov('wasAttributedTo')} {iri(node)}", *triples]
    if item.guideline_version:
        node, triples = _guideline(item.guideline_version, shared)
        out += [f"{it} {pr('guideline')} {iri(node)}", *triples]
    if not item.relevant:
        return out
    if dataset is None:
        raise MappingError(
            f"golden item {item.query_id!r} judges samples but the golden set names no "
            "dataset; set the dataset the sample ids belong to"
        )
    for sample_id, grade in item.relevant.items():
        j = iri(judgement_iri(item_iri, sample_id))
        out += [
            f"{it} {pr('judgement')} {j}",
            f"{j} {A} {pr('Judgement')}",
            f"{j} {A} {prov('Entity')}",
            f"{j} {pr('judgedSample')} {iri(ids.logical_sample_iri(dataset, sample_id))}",
            f"{j} {pr('grade')} {lit(int(grade))}",
        ]
    return out
