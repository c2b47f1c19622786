"""How the data model becomes triples. The only package that decides the graph's shape.

Submodules: this one (samples, labels, generations, datasets, batches, entities,
deletions); ``kg.mapping.answers`` (recorded answers); ``kg.mapping.evaluation`` (golden
sets, evaluation runs).

Functions return N-Triples statements without the final `` .`` (``"<s> <p> <o>"``),
so a writer can put them into any named graph as N-Quads and hand them to the
store's native bulk parser: the fastest path into Oxigraph.

Shape of a sample revision (``S``) and its provenance::

    S a pr:Sample ; prov:specializationOf L ; pr:externalId ;
      pr:text ; pr:origin ; pr:kind ; pr:sensitivity ; pr:contentHash ;
      pr:metadata (rdf:JSON) ; pr:inDatasetVersion DV ; pr:ingestedIn B ;
      [prov:wasRevisionOf S0] ; [prov:wasGeneratedBy G] ; [pr:hasLabel Lb] ;
      [prov:wasDerivedFrom Src]
    L  a prov:Entity
    G  a pr:Generation ; prov:used C ; [prov:used Src] ;
       prov:wasAssociatedWith Agent ; [prov:endedAtTime]
    C  a pr:GeneratorConfig, prov:Plan, prov:Entity ; pr:generatorName ; pr:modelName ;
       pr:promptTemplate ; pr:promptVersion ; pr:seed ; pr:params (rdf:JSON)
    Lb a pr:Label ; pr:labelField ; pr:labelValue ; prov:wasGeneratedBy A ;
       prov:wasAttributedTo Person|SoftwareAgent
    A  a pr:Annotation ; pr:guideline Gd ;
       prov:wasAssociatedWith Person|SoftwareAgent ; pr:annotatorKind ; [prov:endedAtTime]
    Gd a pr:Guideline, prov:Plan, prov:Entity ; pr:guidelineVersion ; rdfs:label
    DV a pr:DatasetVersion, dcat:Dataset, prov:Entity ; dcterms:isVersionOf D ; dcat:version
    B  a pr:IngestBatch, prov:Activity ; prov:used F ; prov:startedAtTime ; prov:endedAtTime ;
       pr:provragVersion ; pr:recordsRead ... ; pr:batchGraph
    F  a pr:SourceFile, prov:Entity ; pr:sha256 ; pr:byteSize ; pr:filePath

The nodes written once per sample (S, G, Lb, A) carry their own class only: that
``pr:Sample`` is a ``prov:Entity`` and ``pr:Generation`` a ``prov:Activity`` is
said once, by ``rdfs:subClassOf`` in ``ontologies/provrag.ttl``, which every
store holds (query ``?x a/rdfs:subClassOf* prov:Entity``; SHACL's ``sh:class``
follows it too). Repeating the PROV class on every sample would be a seventh of
all quads and of the ingest time. Nodes shared across samples (configs, agents,
guidelines, datasets, batches, files) keep their PROV classes written out. The
seed is a field of the generator configuration (``C pr:seed``), so a generation
does not repeat it. The sample an annotation labelled is the one that
``pr:hasLabel`` its label, and the guideline it followed is its ``pr:guideline``
(a PROV export writes both as what the annotation used). A text's own sha256 is
not stored: the content hash covers the text, and the embedding cache computes
the text hash when it needs one.

``Src`` are the samples a record names in ``derived_from``: the revision of each
that was current when the record was ingested (ingest resolves them). A
synthetic sample's generation also ``prov:used`` them, beside its configuration,
so a query for a generation's configuration asks for ``pr:GeneratorConfig``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from kg import ids
from kg.model import GenerationIn, LabelIn, SampleRecord
from kg.terms import PR_NS

PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

A = f"<{RDF}type>"
_ESC = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: a quick scan for the characters ``_ESC`` rewrites (most texts have none)
_NEEDS_ESC = re.compile(r'[\\"\n\r]')


def iri(value: str) -> str:
    return f"<{value}>"


@cache
def pr(term: str) -> str:
    return f"<{PR_NS}{term}>"


@cache
def prov(term: str) -> str:
    return f"<{PROV}{term}>"


def _escaped(text: str) -> str:
    return text.translate(_ESC) if _NEEDS_ESC.search(text) else text


def lit(value: Any) -> str:
    """A literal in N-Triples syntax, typed after the Python value."""
    if type(value) is str:  # the common case first
        return f'"{_escaped(value)}"'
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float):
        return f'"{value!r}"^^<{XSD}double>'
    if isinstance(value, datetime):
        return _datetime_lit(value)
    return f'"{_escaped(str(value))}"'


@lru_cache(maxsize=4096)
def _datetime_lit(value: datetime) -> str:
    # cached: a batch's generation and labelling times repeat a lot
    return f'"{value.isoformat().replace("+00:00", "Z")}"^^<{XSD}dateTime>'


def json_lit(value: Any) -> str:
    text = ids.canonical_json(value)
    return f'"{_escaped(text)}"^^<{RDF}JSON>'


def nquads(triples: Iterable[str], graph: str) -> bytes:
    """N-Quads bytes for ``triples`` placed in the named graph ``graph``."""
    g = f" <{graph}> .\n"
    return (g.join(triples) + g).encode("utf-8") if triples else b""


def drop_subjects(statements: list[str], subjects: set[str]) -> list[str]:
    """``statements`` without those whose subject is one of the IRIs ``subjects``."""
    if not subjects:
        return statements
    return [s for s in statements if s[1 : s.find(">")] not in subjects]


# ---------------------------------------------------------------------------- samples


@dataclass
class SampleContext:
    """What is decided outside the record: ids, hashes, the batch, the previous revision."""

    iri: str
    logical_iri: str
    external_id: str
    content_hash: str
    dataset_version_iri: str
    batch_iri: str
    previous_revision: str | None = None
    #: the current revision of each sample it was derived from (``derived_from``)
    derived_from: Sequence[str] = ()


@dataclass
class SharedNodes:
    """Nodes shared across samples (agents, configs, guidelines): emitted once per batch."""

    known: set[str] = field(default_factory=set)

    def first(self, node: str) -> bool:
        if node in self.known:
            return False
        self.known.add(node)
        return True


def generator_config(gen: GenerationIn) -> tuple[str, dict[str, Any]]:
    """IRI and fields of the versioned generator configuration a generation used."""
    fields = {
        "generator": gen.generator,
        "model": gen.model,
        "prompt_template": gen.prompt_template,
        "prompt_version": gen.prompt_version,
        "seed": gen.seed,
        "params": gen.params,
    }
    return ids.generator_config_iri(
        gen.generator, ids.sha256_hex(ids.canonical_json(fields))
    ), fields


def content_hash(rec: SampleRecord) -> str:
    """sha256 of a record's canonical content (everything but id, dataset and version)."""
    return ids.sha256_hex(ids.canonical_json(rec.content()))


def sample_context(
    rec: SampleRecord,
    external_id: str,
    batch_iri: str,
    *,
    previous_revision: str | None = None,
    derived_from: Sequence[str] = (),
) -> SampleContext:
    """The ids ingest mints for ``rec``, for writers outside the pipeline (tests, benchmarks).

    ``derived_from``: the source revisions (ingest resolves them from ``rec.derived_from``).
    """
    digest = content_hash(rec)
    return SampleContext(
        iri=ids.sample_iri(rec.dataset, external_id, digest),
        logical_iri=ids.logical_sample_iri(rec.dataset, external_id),
        external_id=external_id,
        content_hash=digest,
        dataset_version_iri=ids.dataset_version_iri(rec.dataset, rec.version),
        batch_iri=batch_iri,
        previous_revision=previous_revision,
        derived_from=derived_from,
    )


def sample_triples(rec: SampleRecord, ctx: SampleContext, shared: SharedNodes) -> list[str]:
    s = iri(ctx.iri)
    out = [
        f"{s} {A} {pr('Sample')}",
        f"{s} {prov('specializationOf')} {iri(ctx.logical_iri)}",
        f"{s} {pr('externalId')} {lit(ctx.external_id)}",
        f"{s} {pr('text')} {lit(rec.text)}",
        f"{s} {pr('origin')} {lit(rec.origin)}",
        f"{s} {pr('kind')} {lit(rec.kind)}",
        f"{s} {pr('sensitivity')} {lit(rec.sensitivity)}",
        f"{s} {pr('contentHash')} {lit(ctx.content_hash)}",
        f"{s} {pr('inDatasetVersion')} {iri(ctx.dataset_version_iri)}",
        f"{s} {pr('ingestedIn')} {iri(ctx.batch_iri)}",
    ]
    if rec.metadata:
        out.append(f"{s} {pr('metadata')} {json_lit(rec.metadata)}")
    if ctx.previous_revision:
        out.append(f"{s} {prov('wasRevisionOf')} {iri(ctx.previous_revision)}")
    if shared.first(ctx.logical_iri):
        out.append(f"{iri(ctx.logical_iri)} {A} {prov('Entity')}")
    if rec.generation is not None:
        out.extend(generation_triples(ctx.iri, rec.generation, shared))
    if ctx.derived_from:
        out.extend(derivation_triples(ctx.iri, ctx.derived_from, rec.generation is not None))
    for label in rec.labels:
        out.extend(label_triples(ctx.iri, label, shared))
    return out


def derivation_triples(sample: str, sources: Sequence[str], generated: bool) -> list[str]:
    """``sample prov:wasDerivedFrom`` each source revision; its generation ``prov:used`` them."""
    s = iri(sample)
    out = [f"{s} {prov('wasDerivedFrom')} {iri(src)}" for src in sources]
    if generated:
        g = iri(ids.generation_iri(sample))
        out += [f"{g} {prov('used')} {iri(src)}" for src in sources]
    return out


def generation_triples(sample: str, gen: GenerationIn, shared: SharedNodes) -> list[str]:
    g = iri(ids.generation_iri(sample))
    config_iri, fields = generator_config(gen)
    agent = ids.agent_iri("software", gen.generator)
    out = [
        f"{iri(sample)} {prov('wasGeneratedBy')} {g}",
        f"{g} {A} {pr('Generation')}",
        f"{g} {prov('used')} {iri(config_iri)}",
        f"{g} {prov('wasAssociatedWith')} {iri(agent)}",
    ]
    if gen.generated_at is not None:
        out.append(f"{g} {prov('endedAtTime')} {lit(gen.generated_at)}")
    if shared.first(config_iri):
        c = iri(config_iri)
        out += [
            f"{c} {A} {pr('GeneratorConfig')}",
            f"{c} {A} {prov('Plan')}",
            f"{c} {A} {prov('Entity')}",
            f"{c} {pr('generatorName')} {lit(gen.generator)}",
            f"{c} {pr('params')} {json_lit(fields['params'])}",
        ]
        if gen.model is not None:
            out.append(f"{c} {pr('modelName')} {lit(gen.model)}")
        if gen.prompt_template is not None:
            out.append(f"{c} {pr('promptTemplate')} {lit(gen.prompt_template)}")
        if gen.prompt_version is not None:
            out.append(f"{c} {pr('promptVersion')} {lit(gen.prompt_version)}")
        if gen.seed is not None:
            out.append(f"{c} {pr('seed')} {lit(gen.seed)}")
    if shared.first(agent):
        out += [
            f"{iri(agent)} {A} {prov('SoftwareAgent')}",
            f"{iri(agent)} {A} {prov('Agent')}",
            f"{iri(agent)} <{RDFS}label> {lit(gen.generator)}",
        ]
    return out


def label_triples(sample: str, label: LabelIn, shared: SharedNodes) -> list[str]:
    label_node = ids.label_iri(sample, label.field, label.value, label.annotator)
    lb = iri(label_node)
    act = iri(ids.annotation_iri(label_node))
    agent_kind = "person" if label.annotator_kind == "human" else "software"
    agent = ids.agent_iri(agent_kind, label.annotator)
    guideline = ids.guideline_iri(label.guideline_version, label.guideline)
    out = [
        f"{iri(sample)} {pr('hasLabel')} {lb}",
        f"{lb} {A} {pr('Label')}",
        f"{lb} {pr('labelField')} {lit(label.field)}",
        f"{lb} {pr('labelValue')} {lit(label.value)}",
        f"{lb} {prov('wasGeneratedBy')} {act}",
        f"{lb} {prov('wasAttributedTo')} {iri(agent)}",
        f"{act} {A} {pr('Annotation')}",
        f"{act} {pr('guideline')} {iri(guideline)}",
        f"{act} {prov('wasAssociatedWith')} {iri(agent)}",
        f"{act} {pr('annotatorKind')} {lit(label.annotator_kind)}",
    ]
    if label.labeled_at is not None:
        out.append(f"{act} {prov('endedAtTime')} {lit(label.labeled_at)}")
    if label.confidence is not None:
        out.append(f"{lb} {pr('confidence')} {lit(label.confidence)}")
    if shared.first(agent):
        cls = "Person" if agent_kind == "person" else "SoftwareAgent"
        out += [
            f"{iri(agent)} {A} {prov(cls)}",
            f"{iri(agent)} {A} {prov('Agent')}",
            f"{iri(agent)} <{RDFS}label> {lit(label.annotator)}",
        ]
    if shared.first(guideline):
        gd = iri(guideline)
        out += [
            f"{gd} {A} {pr('Guideline')}",
            f"{gd} {A} {prov('Plan')}",
            f"{gd} {A} {prov('Entity')}",
            f"{gd} {pr('guidelineVersion')} {lit(label.guideline_version)}",
            f"{gd} <{RDFS}label> {lit(label.guideline)}",
        ]
    return out


def dataset_version_triples(name: str, version: str) -> list[str]:
    d = iri(ids.dataset_iri(name))
    dv = iri(ids.dataset_version_iri(name, version))
    return [
        f"{d} {A} {pr('Dataset')}",
        f"{d} {A} <{DCAT}Dataset>",
        f"{d} {pr('datasetName')} {lit(name)}",
        f"{d} <{DCT}title> {lit(name)}",
        f"{dv} {A} {pr('DatasetVersion')}",
        f"{dv} {A} <{DCAT}Dataset>",
        f"{dv} {A} {prov('Entity')}",
        f"{dv} <{DCT}isVersionOf> {d}",
        f"{dv} {prov('specializationOf')} {d}",
        f"{dv} <{DCAT}version> {lit(version)}",
        f"{dv} {pr('versionLabel')} {lit(version)}",
        f"{dv} {pr('datasetName')} {lit(name)}",
    ]


def membership_triple(sample: str, dataset_version: str) -> str:
    """An unchanged sample seen again in a new dataset version joins that version."""
    return f"{iri(sample)} {pr('inDatasetVersion')} {iri(dataset_version)}"


def invalidation_triples(sample: str, activity: str, at: datetime) -> list[str]:
    return [
        f"{iri(sample)} {prov('invalidatedAtTime')} {lit(at)}",
        f"{iri(sample)} {prov('wasInvalidatedBy')} {iri(activity)}",
    ]


# ------------------------------------------------------------------------ batches


@dataclass
class SourceFileInfo:
    path: str
    sha256: str
    size: int


@dataclass
class BatchInfo:
    iri: str
    started: datetime
    ended: datetime
    provrag_version: str
    files: Sequence[SourceFileInfo]
    counts: dict[str, int]
    on_invalid: str
    on_duplicate: str


#: report key -> ontology property of the batch counts
COUNT_TERMS = {
    "read": "recordsRead",
    "valid": "recordsValid",
    "new": "recordsNew",
    "unchanged": "recordsUnchanged",
    "revised": "recordsRevised",
    "quarantined": "recordsQuarantined",
    "skipped": "recordsSkipped",
    "triples_added": "triplesAdded",
}


def batch_triples(info: BatchInfo) -> list[str]:
    b = iri(info.iri)
    tool = ids.agent_iri("software", "provrag")
    out = [
        f"{b} {A} {pr('IngestBatch')}",
        f"{b} {A} {prov('Activity')}",
        f"{b} {prov('startedAtTime')} {lit(info.started)}",
        f"{b} {prov('endedAtTime')} {lit(info.ended)}",
        f"{b} {pr('provragVersion')} {lit(info.provrag_version)}",
        f"{b} {pr('batchGraph')} {b}",
        f"{b} {pr('onInvalid')} {lit(info.on_invalid)}",
        f"{b} {pr('onDuplicate')} {lit(info.on_duplicate)}",
        f"{b} {prov('wasAssociatedWith')} {iri(tool)}",
        f"{iri(tool)} {A} {prov('SoftwareAgent')}",
        f"{iri(tool)} <{RDFS}label> {lit('provrag ' + info.provrag_version)}",
    ]
    for key, term in COUNT_TERMS.items():
        if key in info.counts:
            out.append(f"{b} {pr(term)} {lit(int(info.counts[key]))}")
    for f in info.files:
        node = iri(ids.source_file_iri(f.sha256))
        out += [
            f"{b} {prov('used')} {node}",
            f"{node} {A} {pr('SourceFile')}",
            f"{node} {A} {prov('Entity')}",
            f"{node} {pr('sha256')} {lit(f.sha256)}",
            f"{node} {pr('byteSize')} {lit(f.size)}",
            f"{node} {pr('filePath')} {lit(f.path)}",
        ]
    return out


# ----------------------------------------------------------------------- entities


@dataclass(frozen=True)
class MentionSpan:
    text: str
    start: int
    end: int
    entity_type: str
    normalized: str
    canonical: str
    aliases: tuple[str, ...] = ()


def mention_triples(
    sample: str, spans: Sequence[MentionSpan], extraction: str, shared: SharedNodes
) -> list[str]:
    s = iri(sample)
    out = [f"{s} {pr('entityExtraction')} {iri(extraction)}"] if spans else []
    for m in spans:
        ent_iri = ids.entity_iri(m.entity_type, m.normalized)
        ent = iri(ent_iri)
        mn = iri(ids.mention_iri(sample, m.start, m.end, m.entity_type))
        out += [
            f"{s} {pr('mentions')} {ent}",
            f"{s} {pr('hasMention')} {mn}",
            f"{mn} {A} {pr('Mention')}",
            f"{mn} {pr('mentionOf')} {ent}",
            f"{mn} {pr('mentionText')} {lit(m.text)}",
            f"{mn} {pr('startChar')} {lit(m.start)}",
            f"{mn} {pr('endChar')} {lit(m.end)}",
        ]
        if shared.first(ent_iri):
            out += [
                f"{ent} {A} {pr('Entity')}",
                f"{ent} {pr('entityType')} {lit(m.entity_type)}",
                f"{ent} {pr('normalizedName')} {lit(m.normalized)}",
                f"{ent} <{SKOS}prefLabel> {lit(m.canonical)}",
            ]
            out += [f"{ent} <{SKOS}altLabel> {lit(a)}" for a in m.aliases]
    return out


def extraction_triples(
    extraction: str, batch: str, model: str, version: str, fallback: bool
) -> list[str]:
    x = iri(extraction)
    return [
        f"{x} {A} {pr('EntityExtraction')}",
        f"{x} {A} {prov('Activity')}",
        f"{x} {pr('nerModel')} {lit(model)}",
        f"{x} {pr('nerModelVersion')} {lit(version)}",
        f"{x} {pr('nerFallback')} {lit(fallback)}",
        f"{x} {prov('wasInformedBy')} {iri(batch)}",
    ]


def deletion_triples(
    activity: str, selector: dict[str, Any], reason: str | None, at: datetime
) -> list[str]:
    d = iri(activity)
    out = [
        f"{d} {A} {pr('Deletion')}",
        f"{d} {A} {prov('Activity')}",
        f"{d} {prov('startedAtTime')} {lit(at)}",
        f"{d} {pr('selector')} {lit(json.dumps(selector, sort_keys=True))}",
    ]
    if reason:
        out.append(f"{d} {pr('reason')} {lit(reason)}")
    return out
