"""kg.queries.slices: provenance of judged samples, origins of retrieved ones."""

from __future__ import annotations

from kg import ids
from kg.queries import slices
from kg.queries.slices import SampleProvenanceRow, sample_origins, sample_provenance_rows
from tests.kg.queries.conftest import Tiny


def test_every_revision_of_a_logical_sample_with_its_currency(tiny: Tiny) -> None:
    rows = sample_provenance_rows(tiny.kg, [ids.logical_sample_iri("kb", "r1")])
    # the heuristic "bot" is no prov:Person: it is no annotator here
    assert [(r.sample, r.current, r.annotator) for r in sorted(rows, key=lambda r: r.current)] == [
        (tiny.iris["r1"], False, "ann-1"),
        (tiny.iris["r1@2"], True, "ann-1"),
    ]
    assert {(r.external_id, r.origin) for r in rows} == {("r1", "real")}


def test_a_generated_sample_has_its_generator_and_prompt_version(tiny: Tiny) -> None:
    [row] = sample_provenance_rows(tiny.kg, [ids.logical_sample_iri("kb", "s1")])
    assert row == SampleProvenanceRow(
        external_id="s1",
        sample=tiny.iris["s1"],
        current=True,
        origin="synthetic",
        generator="gen-x",
        prompt_version="2",
        annotator="ann-1",
    )


def test_unknown_logical_samples_give_no_row(tiny: Tiny) -> None:
    assert sample_provenance_rows(tiny.kg, [ids.logical_sample_iri("kb", "nope")]) == []
    assert sample_provenance_rows(tiny.kg, []) == []


def test_reads_in_chunks_of_values(tiny: Tiny, monkeypatch) -> None:
    monkeypatch.setattr(slices, "VALUES_CHUNK", 1)
    logical = [ids.logical_sample_iri("kb", k) for k in ("r2", "s1", "gone")]
    rows = sample_provenance_rows(tiny.kg, logical)
    assert {r.external_id for r in rows} == {"r2", "s1", "gone"}
    assert sample_origins(tiny.kg, [tiny.iris["r2"], tiny.iris["s1"]]) == {
        tiny.iris["r2"]: "real",
        tiny.iris["s1"]: "synthetic",
    }


def test_sample_origins_leave_unknown_iris_out(tiny: Tiny) -> None:
    assert sample_origins(tiny.kg, [tiny.iris["gone"], "https://example.org/x"]) == {
        tiny.iris["gone"]: "real"
    }
