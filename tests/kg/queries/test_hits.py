from __future__ import annotations

import pytest

from kg import ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.model import GenerationIn, LabelIn, SampleRecord
from kg.queries.hits import hit_details, provenance_classes
from tests.conftest import WriteSamples
from tests.kg.queries.conftest import invalidate

RECORDS = [
    SampleRecord(id="r1", text="a real passage", origin="real", dataset="kb", version="2"),
    SampleRecord(id="s1", text="a synthetic question", origin="synthetic", dataset="kb",
                 generation=GenerationIn(generator="simgen", model="sim-1", prompt_template="t",
                                         prompt_version="3", seed=7)),
    SampleRecord(id="h1", text="a labelled passage", origin="real", dataset="kb",
                 labels=[LabelIn(field="intent", value="refund", annotator="alice",
                                 guideline_version="g2")]),
    SampleRecord(id="m1", text="a model-labelled passage", origin="synthetic", dataset="kb",
                 generation=GenerationIn(generator="simgen"),
                 labels=[LabelIn(field="intent", value="refund", annotator="tagger",
                                 annotator_kind="model", guideline_version="g2")]),
]  # fmt: skip


@pytest.fixture
def iris(kg: KnowledgeGraph, write_samples: WriteSamples) -> dict[str, str]:
    written = write_samples(kg, RECORDS, file_sha256="a" * 64)
    return {r.id or "": iri for r, iri in zip(RECORDS, written, strict=True)}


def test_details_carry_text_ids_and_provenance(kg: KnowledgeGraph, iris: dict[str, str]) -> None:
    details = hit_details(kg, [iris["s1"], iris["h1"]])
    synthetic, labelled = details[iris["s1"]], details[iris["h1"]]
    assert (synthetic.external_id, synthetic.text, synthetic.dataset) == (
        "s1", "a synthetic question", "kb",
    )  # fmt: skip
    p = synthetic.provenance
    assert (p.origin, p.generator, p.model, p.prompt_template, p.prompt_version, p.seed) == (
        "synthetic", "simgen", "sim-1", "t", "3", 7,
    )  # fmt: skip
    q = labelled.provenance
    assert (q.annotators, q.guideline_versions, q.version) == (["alice"], ["g2"], "1")
    assert q.source_sha256 == "a" * 64 and q.batch == ids.batch_iri("batch-1")
    assert not synthetic.invalidated


def test_details_skip_unknown_samples_and_flag_invalidated_ones(
    kg: KnowledgeGraph, iris: dict[str, str]
) -> None:
    invalidate(kg, [iris["r1"]], "del-1")
    unknown = f"{ids.ID_NS}sample/none/1/0"
    details = hit_details(kg, [iris["r1"], unknown, iris["r1"]])
    assert list(details) == [iris["r1"]]
    assert details[iris["r1"]].invalidated
    assert hit_details(kg, []) == {}


def test_an_iri_that_would_break_the_query_is_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="not a valid sample IRI"):
        hit_details(kg, ["urn:x> } DROP ALL {"])


def test_a_human_label_outranks_the_origin(kg: KnowledgeGraph, iris: dict[str, str]) -> None:
    classes = provenance_classes(kg, list(iris.values()))
    assert {k: classes[v] for k, v in iris.items()} == {
        "r1": "real",
        "s1": "synthetic",
        "h1": "human_labelled",
        "m1": "synthetic",
    }
