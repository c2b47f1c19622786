"""SHACL validation: graphs written through kg.mapping conform; broken ones say what is wrong."""

from __future__ import annotations

from kg import ids, mapping
from kg.graph import KnowledgeGraph
from kg.mapping.answers import answer_triples
from kg.mapping.evaluation import evaluation_run_triples
from kg.mapping.golden import golden_set_triples
from kg.model import LabelIn, SampleRecord
from kg.ontology import load_ontology
from kg.shacl import ValidationReport, Violation, validate
from kg.store.embedded import OxigraphStore
from kg.terms import PR_NS
from tests.kg.mapping_data import (
    GENERATION,
    T0,
    T1,
    GoldenSet,
    evaluation_run,
    golden_item,
    recorded_answer,
)

BATCH = ids.batch_iri("b1")
SHA = "0123456789abcdef" * 4

REAL = SampleRecord(
    id="real-1", text="Lost cards are blocked at once.", origin="real", dataset="kb"
)
SYNTHETIC = SampleRecord(
    id="syn-1",
    text="How do I block a card I lost?",
    origin="synthetic",
    dataset="kb",
    kind="question",
    generation=GENERATION,
)
LABELLED = SampleRecord(
    id="real-2",
    text="Cards can be frozen in the app.",
    origin="real",
    dataset="kb",
    sensitivity="public",
    labels=[
        LabelIn(field="intent", value="card_freeze", annotator="ann-1", guideline_version="1.2"),
        LabelIn(
            field="intent",
            value="card_lost",
            annotator="rules",
            annotator_kind="heuristic",
            guideline_version="1.2",
            confidence=0.5,
            labeled_at=T1,
        ),
    ],
)


def context(rec: SampleRecord) -> mapping.SampleContext:
    return mapping.sample_context(rec, rec.id or "x", BATCH)


def batch(sha: str = SHA) -> list[str]:
    info = mapping.BatchInfo(
        iri=BATCH,
        started=T0,
        ended=T1,
        provrag_version="0.1.0",
        files=[mapping.SourceFileInfo("data/kb.jsonl", sha, 1234)],
        counts={"read": 3, "valid": 3, "new": 3},
        on_invalid="quarantine",
        on_duplicate="skip",
    )
    return mapping.batch_triples(info) + mapping.dataset_version_triples("kb", "1")


def samples(*records: SampleRecord) -> list[str]:
    shared = mapping.SharedNodes()
    out: list[str] = []
    for rec in records:
        out += mapping.sample_triples(rec, context(rec), shared)
    return out


def graph_of(statements: list[str]) -> KnowledgeGraph:
    kg = KnowledgeGraph(OxigraphStore(None))
    with kg.write_graph(BATCH) as w:
        w.add_statements(statements)
    return kg


def without(statements: list[str], predicate: str) -> list[str]:
    """The statements minus those whose predicate is ``pr:<predicate>``."""
    return [s for s in statements if f" <{PR_NS}{predicate}> " not in s]


def results_on(report: ValidationReport, focus: str) -> list[Violation]:
    return [v for v in report.violations if v.focus_node == focus]


# ------------------------------------------------------------------ conforming


def test_mapped_graph_conforms() -> None:
    kg = graph_of(batch() + samples(REAL, SYNTHETIC, LABELLED))
    report = validate(kg)
    assert report.violations == []
    assert report.conforms
    assert report.data_triples > 0


def test_ontology_in_the_store_keeps_the_graph_conforming() -> None:
    kg = graph_of(batch() + samples(REAL, SYNTHETIC, LABELLED))
    load_ontology(kg)
    assert validate(kg).conforms


def test_mentions_deletion_and_revision_conform() -> None:
    shared = mapping.SharedNodes()
    old = context(REAL)
    revised = SampleRecord(id="real-1", text="Lost cards are blocked.", origin="real", dataset="kb")
    new = context(revised)
    new.previous_revision = old.iri
    extraction = ids.extraction_iri(new.iri)
    deletion = ids.deletion_iri("d1")
    statements = batch() + samples(REAL)
    statements += mapping.sample_triples(revised, new, shared)
    statements += mapping.invalidation_triples(old.iri, BATCH, T1)
    statements += mapping.extraction_triples(extraction, BATCH, "en_core_web_sm", "3.8.0", False)
    span = mapping.MentionSpan("Lost", 0, 4, "PRODUCT", "lost", "Lost", aliases=("lost card",))
    statements += mapping.mention_triples(new.iri, [span], extraction, shared)
    statements += mapping.deletion_triples(deletion, {"ids": ["real-1"]}, "test", T1)
    statements += mapping.invalidation_triples(new.iri, deletion, T1)
    assert validate(graph_of(statements)).conforms


def test_golden_set_run_and_answer_conform() -> None:
    golden = GoldenSet(items=[golden_item()])
    answer = recorded_answer(context(REAL).iri, "real-1", REAL.text)
    statements = batch() + samples(REAL, SYNTHETIC)
    statements += golden_set_triples(golden) + evaluation_run_triples(evaluation_run())
    statements += answer_triples(answer)
    report = validate(graph_of(statements))
    assert report.violations == []


# ---------------------------------------------------------------------- broken


def test_a_derived_sample_conforms() -> None:
    source = context(REAL)
    derived = mapping.sample_context(SYNTHETIC, "syn-1", BATCH, derived_from=[source.iri])
    statements = samples(REAL) + mapping.sample_triples(SYNTHETIC, derived, mapping.SharedNodes())
    report = validate(graph_of(batch() + statements))
    assert report.violations == []


def test_a_derivation_from_what_is_not_a_sample_is_reported() -> None:
    ghost = ids.sample_iri("kb", "ghost", "0" * 64)
    derived = mapping.sample_context(SYNTHETIC, "syn-1", BATCH, derived_from=[ghost])
    statements = mapping.sample_triples(SYNTHETIC, derived, mapping.SharedNodes())
    report = validate(graph_of(batch() + statements))
    [on_sample] = results_on(report, derived.iri)
    assert on_sample.path is not None and on_sample.path.endswith("wasDerivedFrom")
    assert on_sample.value == ghost and "derived_from" in on_sample.message
    [on_generation] = results_on(report, ids.generation_iri(derived.iri))
    assert on_generation.value == ghost and "nothing else" in on_generation.message


def test_synthetic_sample_without_generation_is_reported() -> None:
    ctx = context(REAL)
    real_origin = f'<{ctx.iri}> <{PR_NS}origin> "real"'
    statements = [s for s in samples(REAL) if s != real_origin]
    statements.append(f'<{ctx.iri}> <{PR_NS}origin> "synthetic"')
    report = validate(graph_of(batch() + statements))
    assert not report.conforms
    [v] = results_on(report, ctx.iri)
    assert v.shape == "prsh:SyntheticSampleShape"
    assert v.severity == "Violation"
    assert "synthetic sample" in v.message and "pr:Generation" in v.message
    assert ctx.iri in str(v)


def test_generation_without_config_is_reported() -> None:
    ctx = context(SYNTHETIC)
    assert SYNTHETIC.generation is not None
    config = mapping.generator_config(SYNTHETIC.generation)[0]
    statements = [s for s in samples(SYNTHETIC) if not s.startswith(f"<{config}>")]
    report = validate(graph_of(batch() + statements))
    generation = ids.generation_iri(ctx.iri)
    assert {v.shape for v in results_on(report, ctx.iri)} == {"prsh:SyntheticSampleShape"}
    assert any("GeneratorConfig" in v.message for v in results_on(report, generation))


def test_real_sample_with_generation_is_reported() -> None:
    ctx = context(REAL)
    assert SYNTHETIC.generation is not None
    generation = mapping.generation_triples(ctx.iri, SYNTHETIC.generation, mapping.SharedNodes())
    statements = samples(REAL) + generation
    report = validate(graph_of(batch() + statements))
    [v] = results_on(report, ctx.iri)
    assert v.shape == "prsh:RealSampleShape"
    assert "must not" in v.message


def test_label_without_guideline_is_reported() -> None:
    report = validate(graph_of(batch() + without(samples(LABELLED), "guideline")))
    assert not report.conforms
    label = ids.label_iri(context(LABELLED).iri, "intent", "card_freeze", "ann-1")
    on_label = results_on(report, label)
    assert [v.path for v in on_label] == ["prov:wasGeneratedBy/pr:guideline/pr:guidelineVersion"]
    assert "guideline_version" in on_label[0].message
    on_annotation = results_on(report, ids.annotation_iri(label))
    assert [v.path for v in on_annotation] == ["pr:guideline"]


def test_bad_origin_literal_is_reported() -> None:
    ctx = context(REAL)
    statements = [s.replace('origin> "real"', 'origin> "alien"') for s in batch() + samples(REAL)]
    report = validate(graph_of(statements))
    [v] = results_on(report, ctx.iri)
    assert (v.path, v.value) == ("pr:origin", "alien")
    assert '"real" or "synthetic"' in v.message


def test_source_file_without_sha256_is_reported() -> None:
    report = validate(graph_of(without(batch(), "sha256") + samples(REAL)))
    assert not report.conforms
    source = ids.source_file_iri(SHA)
    [on_file] = results_on(report, source)
    assert on_file.path == "pr:sha256" and "sha256" in on_file.message
    [on_batch] = results_on(report, BATCH)
    assert on_batch.path == "prov:used" and "pr:SourceFile" in on_batch.message


def test_malformed_sha256_is_reported_with_its_value() -> None:
    report = validate(graph_of(batch(sha="ABC") + samples(REAL)))
    [v] = results_on(report, ids.source_file_iri("ABC"))
    assert (v.path, v.value) == ("pr:sha256", "ABC")


def test_empty_mention_span_is_reported() -> None:
    ctx = context(REAL)
    extraction = ids.extraction_iri(ctx.iri)
    span = mapping.MentionSpan("", 4, 4, "ORG", "x", "X")
    statements = batch() + samples(REAL)
    statements += mapping.extraction_triples(extraction, BATCH, "rules", "1", True)
    statements += mapping.mention_triples(ctx.iri, [span], extraction, mapping.SharedNodes())
    report = validate(graph_of(statements))
    paths = {v.path for v in results_on(report, ids.mention_iri(ctx.iri, 4, 4))}
    assert paths == {"pr:startChar", "pr:mentionText"}


def test_sample_missing_its_dataset_version_is_reported() -> None:
    ctx = context(REAL)
    dv = f"<{ids.dataset_version_iri('kb', '1')}>"
    statements = [s for s in batch() if not s.startswith(dv)] + samples(REAL)
    report = validate(graph_of(statements))
    assert [v.path for v in results_on(report, ctx.iri)] == ["pr:inDatasetVersion"]


def test_an_open_batch_is_not_validated() -> None:
    kg = graph_of(batch() + samples(REAL))
    broken = ids.batch_iri("b2")
    kg.open_graph(broken)
    kg.store.add_nquads(mapping.nquads([f"<{broken}> {mapping.A} <{PR_NS}IngestBatch>"], broken))
    assert validate(kg).conforms
    kg.commit_graph(broken)
    assert results_on(validate(kg), broken)


def test_describe_names_each_focus_node() -> None:
    report = validate(graph_of(without(batch(), "sha256") + samples(REAL)))
    text = report.describe()
    assert text.startswith("The graph does not conform")
    assert all(v.focus_node in text for v in report.violations)
    assert report.text  # pyshacl's own report


def test_describe_limits_the_lines() -> None:
    report = validate(graph_of(without(batch(), "sha256") + samples(REAL)))
    assert len(report.violations) == 2
    assert report.describe(1).endswith("... and 1 more")
