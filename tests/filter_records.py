"""The five samples the provenance-filter tests of kg.queries and retrieval share:
real and synthetic, two datasets, two generators, labels by two annotators, three
sensitivities."""

from __future__ import annotations

from kg.model import GenerationIn, LabelIn, SampleRecord


def gen(generator: str, prompt_version: str) -> GenerationIn:
    return GenerationIn(generator=generator, prompt_version=prompt_version, seed=1)


def label(field: str, value: object, annotator: str) -> LabelIn:
    return LabelIn(field=field, value=value, annotator=annotator, guideline_version="g1")  # type: ignore[arg-type]


RECORDS = [
    SampleRecord(id="r1", text="real one", origin="real", dataset="kb", version="1"),
    SampleRecord(id="r2", text="real two", origin="real", dataset="kb", version="2",
                 sensitivity="public", labels=[label("intent", "refund", "alice")]),
    SampleRecord(id="s1", text="synthetic one", origin="synthetic", dataset="kb", version="1",
                 generation=gen("simgen", "3"), labels=[label("urgent", True, "bob")]),
    SampleRecord(id="s2", text="synthetic two", origin="synthetic", dataset="other",
                 generation=gen("simgen", "4"), sensitivity="restricted"),
    SampleRecord(id="s3", text="synthetic three", origin="synthetic", dataset="other",
                 generation=gen("othergen", "3"),
                 labels=[label("intent", "refund", "bob"), label("intent", "cancel", "alice")]),
]  # fmt: skip
