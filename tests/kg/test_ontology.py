"""The ontology: code and Turtle declare the same terms, every term is documented, and
everything kg.mapping writes in our namespace is declared with the right kind and range."""

from __future__ import annotations

from typing import get_args

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, Namespace

from kg import ids, mapping
from kg.graph import ONTOLOGY_GRAPH, KnowledgeGraph
from kg.mapping.answers import answer_triples
from kg.mapping.evaluation import evaluation_run_triples
from kg.mapping.golden import golden_set_triples
from kg.mapping.monitors import (
    AlertIn,
    AlertNoteIn,
    MonitorRunIn,
    alert_note_triples,
    alert_triples,
    monitor_run_triples,
)
from kg.mapping.releases import (
    GateResultIn,
    ReleaseIn,
    approval_triples,
    release_member_triples,
    release_triples,
    serving_change_triples,
)
from kg.mapping.tuning import TuningRunIn, tuning_run_triples
from kg.model import LabelIn, SampleRecord
from kg.ontology import (
    declared_terms,
    ensure_ontology,
    load_ontology,
    ontology_path,
    shapes_path,
)
from kg.store.embedded import OxigraphStore
from kg.terms import PR, PR_NS
from kg.typing import AnnotatorKind, Origin, SampleKind, Sensitivity
from tests.kg.mapping_data import (
    GENERATION,
    T0,
    GoldenSet,
    evaluation_run,
    golden_item,
    recorded_answer,
)

PROV = Namespace("http://www.w3.org/ns/prov#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PRN = Namespace(PR_NS)
SCHEMES = "https://w3id.org/provrag/id/scheme/"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def code_terms() -> set[str]:
    return set(PR.__annotations__)


# ------------------------------------------------------------------ mapping output


def mapped_statements() -> list[str]:
    """One of everything kg.mapping writes (all optional fields filled)."""
    rec = SampleRecord(
        id="s1",
        text="Acme cards can be frozen.",
        origin="synthetic",
        dataset="kb",
        generation=GENERATION,
        labels=[
            LabelIn(
                field="intent",
                value="freeze",
                annotator="a",
                guideline_version="1.2",
                labeled_at=T0,
                confidence=0.9,
            )
        ],
        metadata={"product": "cards"},
    )
    batch = ids.batch_iri("b1")
    ctx = mapping.sample_context(
        rec, "s1", batch, previous_revision=ids.sample_iri("kb", "s1", "0" * 64)
    )
    sample = ctx.iri
    shared = mapping.SharedNodes()
    extraction = ids.extraction_iri(sample)
    counts = {key: 1 for key in mapping.COUNT_TERMS}
    info = mapping.BatchInfo(
        batch, T0, T0, "0.1.0", [mapping.SourceFileInfo("f", "a" * 64, 1)], counts, "skip", "fail"
    )
    out = mapping.sample_triples(rec, ctx, shared)
    out += mapping.dataset_version_triples("kb", "1") + mapping.batch_triples(info)
    out.append(mapping.membership_triple(sample, ids.dataset_version_iri("kb", "2")))
    out += mapping.extraction_triples(extraction, batch, "ner", "1", False)
    span = mapping.MentionSpan("Acme", 0, 4, "ORG", "acme", "Acme", aliases=("ACME",))
    out += mapping.mention_triples(sample, [span], extraction, shared)
    deletion = ids.deletion_iri("d")
    out += mapping.deletion_triples(deletion, {"ids": ["s1"]}, "why", T0)
    out += mapping.invalidation_triples(sample, deletion, T0)
    golden = GoldenSet(
        items=[golden_item(gold_answers=["a"], tags=["t"], author="e", guideline_version="1.0")]
    )
    out += golden_set_triples(golden)
    run = evaluation_run(embedding_model="mini", index_manifest={"n": 1}, run_file="run.trec")
    out += evaluation_run_triples(run)
    answer = recorded_answer(sample, "s1", "t.", generator="llm", model="m")
    out += answer_triples(answer)
    release = ReleaseIn(
        name="A", created=T0, manifest_hash="h" * 64, member_count=1, dataset="kb",
        versions=("1",), retriever_settings={"retriever": "dense"}, index_manifest={"count": 1},
        run_ids=("run-1",), gates=(GateResultIn("ndcg@10>=0.7", True, 0.8, "run-1"),),
    )  # fmt: skip
    out += release_triples(release) + release_member_triples("A", [sample])
    approval = ids.release_approval_iri("A", "1")
    out += approval_triples(approval, "A", "alice", T0, override=True, note="why")
    change = ids.serving_change_iri("1")
    out += serving_change_triples(change, "rollback", "A", "bob", T0, replaced="B", note="why")
    out += tuning_run_triples(
        TuningRunIn(
            run_id="t",
            golden_set_iri=ids.golden_set_iri("gold", "1"),
            golden_set_version="1",
            split="dev",
            objective="ndcg@10",
            search_space={"rrf_k": [20, 60]},
            trials=[{"index": 0, "params": {"rrf_k": 60}, "score": 0.5}],
            strategy="grid",
            budget=2,
            seed=1,
            query_count=3,
            baseline_score=0.5,
            best_score=0.6,
            provrag_version="0",
            started=T0,
            ended=T0,
            profile_name="tuned",
            profile_settings={"rrf_k": 20},
            profile_file="/p/tuned.toml",
        )
    )
    out += monitor_run_triples(
        MonitorRunIn("m", "coverage", T0, T0, {"a": 1}, {"real_covered_share": 0.5}, "kb", "1")
    )
    out += alert_triples(
        AlertIn("a", "gate", "ndcg@10", 0.5, 0.6, ">=", "missed", T0, "kb", ids.eval_run_iri("r1"))
    )
    out += alert_note_triples(AlertNoteIn("a", "n", "looked at it", T0, author="lead"))
    return out


@pytest.fixture(scope="module")
def mapped() -> list[ox.Triple]:
    data = "".join(f"{s} .\n" for s in mapped_statements()).encode()
    return [
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)
    ]


def ours(node: object) -> str | None:
    if isinstance(node, ox.NamedNode) and node.value.startswith(PR_NS):
        return node.value[len(PR_NS) :]
    return None


# --------------------------------------------------------------------------- tests


def test_turtle_parses_as_an_owl_ontology(onto: Graph) -> None:
    [ont] = onto.subjects(RDF.type, OWL.Ontology)
    assert onto.value(ont, OWL.versionInfo) is not None
    assert onto.value(ont, DCTERMS.title) and onto.value(ont, DCTERMS.description)
    assert URIRef("http://www.w3.org/ns/prov-o#") in set(onto.objects(ont, DCTERMS.references))


def test_code_terms_are_declared_in_turtle() -> None:
    assert code_terms() - declared_terms() == set()


def test_turtle_terms_are_in_code() -> None:
    assert declared_terms() - code_terms() == set()


def test_every_term_has_a_label_and_a_comment(onto: Graph) -> None:
    undocumented = [
        t
        for t in sorted(code_terms())
        if not str(onto.value(PRN[t], RDFS.label) or "").strip()
        or len(str(onto.value(PRN[t], RDFS.comment) or "").strip()) < 10
    ]
    assert undocumented == []


def test_every_term_is_exactly_one_kind(onto: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    wrong = [t for t in code_terms() if sum((PRN[t], RDF.type, k) in onto for k in kinds) != 1]
    assert wrong == []


def test_mapping_uses_only_declared_terms(mapped: list[ox.Triple]) -> None:
    used = {ours(t.predicate) for t in mapped} | {
        ours(t.object) for t in mapped if t.predicate.value == str(RDF.type)
    }
    used.discard(None)
    assert used - declared_terms() == set()


def test_properties_are_object_or_datatype_as_mapping_uses_them(
    onto: Graph, mapped: list[ox.Triple]
) -> None:
    wrong = set()
    for t in mapped:
        name = ours(t.predicate)
        if name is None:
            continue
        kind = OWL.DatatypeProperty if isinstance(t.object, ox.Literal) else OWL.ObjectProperty
        if (PRN[name], RDF.type, kind) not in onto:
            wrong.add(name)
    assert wrong == set()


def test_datatype_ranges_match_the_literals_mapping_writes(
    onto: Graph, mapped: list[ox.Triple]
) -> None:
    wrong = set()
    for t in mapped:
        name = ours(t.predicate)
        if name is None or not isinstance(t.object, ox.Literal):
            continue
        declared = onto.value(PRN[name], RDFS.range)
        datatype = t.object.datatype.value
        if declared not in (None, RDFS.Literal) and str(declared) != datatype:
            wrong.add((name, str(declared), datatype))
    assert wrong == set()


def test_class_domains_match_mapping(onto: Graph, mapped: list[ox.Triple]) -> None:
    """Every subject of a pr: property with a pr: domain is typed with that class."""
    rdf_type = ox.NamedNode(str(RDF.type))
    types: dict[str, set[str]] = {}
    for t in mapped:
        if t.predicate == rdf_type:
            types.setdefault(str(t.subject), set()).add(str(t.object))
    wrong = set()
    for t in mapped:
        name = ours(t.predicate)
        domain = onto.value(PRN[name], RDFS.domain) if name else None
        in_ours = domain is not None and str(domain).startswith(PR_NS)
        if in_ours and f"<{domain}>" not in types.get(str(t.subject), set()):
            wrong.add((name, str(domain)))
    assert wrong == set()


@pytest.mark.parametrize(
    ("term", "supers"),
    [
        ("Sample", {PROV.Entity}),
        ("Label", {PROV.Entity}),
        ("GeneratorConfig", {PROV.Plan, PROV.Entity}),
        ("Guideline", {PROV.Plan, PROV.Entity}),
        ("SourceFile", {PROV.Entity}),
        ("DatasetVersion", {PROV.Entity, DCAT.Dataset}),
        ("Dataset", {DCAT.Dataset}),
        ("GoldenSet", {PROV.Collection}),
        ("GoldenItem", {PROV.Entity}),
        ("Answer", {PROV.Entity}),
        ("Generation", {PROV.Activity}),
        ("Annotation", {PROV.Activity}),
        ("IngestBatch", {PROV.Activity}),
        ("EntityExtraction", {PROV.Activity}),
        ("Deletion", {PROV.Activity}),
        ("EvaluationRun", {PROV.Activity}),
        ("TuningRun", {PROV.Activity}),
        ("RetrieverProfile", {PROV.Entity}),
        ("Entity", {SKOS.Concept}),
    ],
)
def test_classes_extend_w3c_vocabularies(onto: Graph, term: str, supers: set[URIRef]) -> None:
    assert supers <= set(onto.objects(PRN[term], RDFS.subClassOf))


def test_ingested_in_is_a_prov_influence(onto: Graph) -> None:
    assert (PRN.ingestedIn, RDFS.subPropertyOf, PROV.wasInfluencedBy) in onto


def _notations(onto: Graph, scheme: str) -> set[str]:
    node = URIRef(SCHEMES + scheme)
    return {str(onto.value(c, SKOS.notation)) for c in onto.subjects(SKOS.inScheme, node)}


def _sh_in(shapes: Graph, path: URIRef) -> set[str]:
    found = [
        {str(v) for v in shapes.items(lst)}
        for ps in shapes.subjects(SH.path, path)
        for lst in shapes.objects(ps, SH["in"])
    ]
    assert len(found) == 1, f"one sh:in list for {path}"
    return found[0]


@pytest.mark.parametrize(
    ("scheme", "prop", "literal"),
    [
        ("origin", PRN.origin, Origin),
        ("sensitivity", PRN.sensitivity, Sensitivity),
        ("kind", PRN.kind, SampleKind),
        ("annotator-kind", PRN.annotatorKind, AnnotatorKind),
    ],
)
def test_value_schemes_match_the_model_and_the_shapes(
    onto: Graph, shapes: Graph, scheme: str, prop: URIRef, literal: object
) -> None:
    values = set(get_args(literal))
    assert _notations(onto, scheme) == values
    assert _sh_in(shapes, prop) == values


def test_shapes_parse_and_every_target_class_is_declared(shapes: Graph) -> None:
    targets = {str(c) for c in shapes.objects(None, SH.targetClass) if str(c).startswith(PR_NS)}
    assert targets
    assert {t[len(PR_NS) :] for t in targets} <= declared_terms()


def test_shapes_paths_use_declared_terms(shapes: Graph) -> None:
    used = {
        str(o)[len(PR_NS) :]
        for o in shapes.objects()
        if isinstance(o, URIRef) and str(o).startswith(PR_NS)
    }
    assert used - declared_terms() == set()


def test_load_ontology_is_idempotent() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    written = load_ontology(kg)
    total = kg.store.quad_count()
    assert written == kg.store.quad_count(ONTOLOGY_GRAPH) > 0
    assert load_ontology(kg) == written
    assert kg.store.quad_count() == total
    assert kg.ask("ASK { pr:Sample rdfs:subClassOf prov:Entity ; rdfs:label ?l }")


def test_the_ontology_is_not_counted_as_data() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    load_ontology(kg)
    assert kg.triple_count() == 0


def test_ensure_ontology_loads_once_then_again_after_a_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    assert ensure_ontology(kg) == kg.store.quad_count(ONTOLOGY_GRAPH) > 0
    assert ensure_ontology(kg) == 0
    # another provrag version ships another provrag.ttl: the store is brought up to date
    monkeypatch.setattr("kg.ontology.ontology_digest", lambda: "sha256:other")
    assert ensure_ontology(kg) > 0
    assert ensure_ontology(kg) == 0


def test_load_ontology_keeps_other_graphs() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    batch = ids.batch_iri("b")
    with kg.write_graph(batch) as w:
        w.add_statements(mapping.dataset_version_triples("kb", "1"))
    before = kg.store.quad_count(batch)
    load_ontology(kg)
    load_ontology(kg)
    assert kg.store.quad_count(batch) == before > 0


def test_packaged_paths_are_the_ontologies_package() -> None:
    import ontologies

    assert ontology_path().parent == shapes_path().parent
    assert ontology_path().parent.samefile(ontologies.__path__[0])


def test_xsd_string_is_the_range_of_plain_values(onto: Graph) -> None:
    # the data holds origin and sensitivity as plain strings, not concept IRIs
    assert onto.value(PRN.origin, RDFS.range) == XSD_STRING
    assert onto.value(PRN.sensitivity, RDFS.range) == XSD_STRING
    assert Literal("synthetic") in set(onto.objects(None, SKOS.notation))
