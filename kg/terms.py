"""Ontology terms of provrag as rdflib ``DefinedNamespace``s.

``PR.Sampel`` raises ``AttributeError``: a misspelled term fails loudly. The
Turtle declaration of the same terms is ``ontologies/provrag.ttl``; a test keeps
the two in step.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

PR_NS = "https://w3id.org/provrag/ns#"
ID_NS = "https://w3id.org/provrag/id/"


class PR(DefinedNamespace):
    """provrag vocabulary (extends PROV-O)."""

    _NS = Namespace(PR_NS)
    _fail = True

    # --- classes -------------------------------------------------------------
    Sample: URIRef  # one unit of content, a revision of a logical sample
    Label: URIRef  # an annotation value attached to a sample
    Generation: URIRef  # activity that generated a synthetic sample
    GeneratorConfig: URIRef  # versioned configuration used by a generation
    Annotation: URIRef  # activity that produced a label
    Guideline: URIRef  # versioned annotation guideline
    Dataset: URIRef  # a named dataset
    DatasetVersion: URIRef  # one version of a dataset
    IngestBatch: URIRef  # one ingest run, written as one named graph
    SourceFile: URIRef  # a file an ingest batch read
    Entity: URIRef  # a linked named entity
    Mention: URIRef  # a span of a sample that mentions an entity
    EntityExtraction: URIRef  # activity that ran NER + linking
    Deletion: URIRef  # activity that invalidated samples
    RetentionExpiry: URIRef  # a deletion of samples past their dataset's retention period
    Erasure: URIRef  # activity that removed samples' content, keeping a skeleton
    GoldenSet: URIRef  # expert-authored evaluation set
    GoldenItem: URIRef  # one query of a golden set
    TuningRun: URIRef  # activity that tuned retriever settings on a golden split
    RetrieverProfile: URIRef  # named retriever settings a tuning run wrote
    Judgement: URIRef  # graded relevance of one sample for one golden item
    EvaluationRun: URIRef  # activity: a retriever scored against a golden set
    MetricValue: URIRef  # one metric value of an evaluation run (overall or slice)
    Answer: URIRef  # a recorded answer, derived from cited samples
    Citation: URIRef  # one sentence of an answer and the sample it cites

    # --- sample properties ---------------------------------------------------
    origin: URIRef  # "real" | "synthetic"
    text: URIRef
    kind: URIRef  # passage | question | answer | turn
    externalId: URIRef
    contentHash: URIRef
    sensitivity: URIRef  # public | internal | restricted
    metadata: URIRef  # JSON object, rdf:JSON literal
    inDatasetVersion: URIRef
    hasLabel: URIRef
    entityExtraction: URIRef
    ingestedIn: URIRef  # sample -> the ingest batch that wrote it

    # --- labels / annotation -------------------------------------------------
    labelField: URIRef
    labelValue: URIRef
    annotatorKind: URIRef  # human | model | heuristic
    guideline: URIRef
    guidelineVersion: URIRef
    confidence: URIRef

    # --- generation ----------------------------------------------------------
    generatorName: URIRef
    modelName: URIRef
    promptTemplate: URIRef
    promptVersion: URIRef
    seed: URIRef
    params: URIRef  # JSON object, rdf:JSON literal

    # --- datasets, batches, files --------------------------------------------
    datasetName: URIRef
    versionLabel: URIRef
    sourceFile: URIRef
    sha256: URIRef
    byteSize: URIRef
    filePath: URIRef
    provragVersion: URIRef
    batchGraph: URIRef
    batchStatus: URIRef  # "open" | "committed"
    recordsRead: URIRef
    recordsValid: URIRef
    recordsNew: URIRef
    recordsUnchanged: URIRef
    recordsRevised: URIRef
    recordsQuarantined: URIRef
    recordsSkipped: URIRef
    triplesAdded: URIRef
    onInvalid: URIRef
    onDuplicate: URIRef

    # --- entities ------------------------------------------------------------
    mentions: URIRef  # sample -> entity
    hasMention: URIRef  # sample -> mention
    mentionOf: URIRef  # mention -> entity
    mentionText: URIRef
    startChar: URIRef
    endChar: URIRef
    entityType: URIRef
    normalizedName: URIRef
    nerModel: URIRef
    nerModelVersion: URIRef
    nerFallback: URIRef

    # --- deletion ------------------------------------------------------------
    reason: URIRef
    erasedBy: URIRef  # sample revision -> the erasure that removed its content
    selector: URIRef

    # --- golden sets ---------------------------------------------------------
    goldenItem: URIRef
    queryId: URIRef
    queryText: URIRef
    goldAnswer: URIRef
    judgement: URIRef
    judgedSample: URIRef
    grade: URIRef
    tag: URIRef
    split: URIRef  # "dev" | "holdout"
    splitRule: URIRef  # JSON object, rdf:JSON literal

    # --- tuning runs and retriever profiles ----------------------------------
    tunedOn: URIRef
    objective: URIRef
    searchSpace: URIRef  # JSON object, rdf:JSON literal
    trials: URIRef  # JSON array, rdf:JSON literal
    tuneStrategy: URIRef
    budget: URIRef
    baselineScore: URIRef
    bestScore: URIRef
    profileName: URIRef
    profileFile: URIRef

    # --- evaluation runs -----------------------------------------------------
    goldenSet: URIRef
    goldenSetVersion: URIRef
    retrieverKind: URIRef
    retrieverSettings: URIRef  # JSON object, rdf:JSON literal
    runSpec: URIRef  # JSON object, rdf:JSON literal
    embeddingModel: URIRef
    indexManifest: URIRef  # JSON object, rdf:JSON literal
    cutoff: URIRef
    metric: URIRef
    metricName: URIRef
    metricValue: URIRef
    ciLow: URIRef
    ciHigh: URIRef
    sliceName: URIRef
    sliceValue: URIRef
    queryCount: URIRef
    runFile: URIRef

    # --- answers -------------------------------------------------------------
    answerText: URIRef
    citation: URIRef
    citedSample: URIRef
    sentence: URIRef
    position: URIRef
    score: URIRef  # retrieval score of a cited sentence
    querySettings: URIRef  # JSON object, rdf:JSON literal

    # --- releases ------------------------------------------------------------
    Release: URIRef  # an immutable, named selection of sample revisions (prov:Collection)
    ReleaseCreation: URIRef  # activity that created a release
    GateResult: URIRef  # one KPI gate checked when a release was created
    ReleaseApproval: URIRef  # a person's approval of a release
    ReleasePromotion: URIRef  # activity: a release made the one served by default
    ReleaseRollback: URIRef  # activity: the previous approved release served again
    releaseName: URIRef
    memberCount: URIRef
    fromDatasetVersion: URIRef  # release -> a dataset version it selected from
    releaseEvaluation: URIRef  # release -> an evaluation run made at creation
    gateResult: URIRef  # release -> GateResult
    gateExpression: URIRef  # e.g. "ndcg@10>=0.7"
    observedValue: URIRef
    gatePassed: URIRef
    gatesPassed: URIRef  # release: every gate checked at creation passed
    release: URIRef  # approval / promotion / rollback -> the release it is about
    overrideGates: URIRef  # approval despite a failed gate
    note: URIRef  # a person's note (approval) or reason (promotion, rollback)
    replacedRelease: URIRef  # promotion / rollback -> the release served before

    # --- audit ---------------------------------------------------------------
    AuditedRequest: URIRef  # activity: one request to the server, as the audit saw it
    route: URIRef  # the path asked for
    httpMethod: URIRef
    httpStatus: URIRef
    requestParameters: URIRef  # the query text or parameters, as sent
    tokenId: URIRef  # the id of the token it came with (anonymous, auth-off)
    returnedSample: URIRef  # a sample (revision) whose id or text the answer held

    # --- monitors and alerts -------------------------------------------------
    MonitorRun: URIRef  # activity: one run of a data monitor
    Measurement: URIRef  # one headline number of a monitor run
    Alert: URIRef  # activity: a threshold breach (monitor or KPI gate)
    AlertNote: URIRef  # a person's note on an alert (the risk log)
    monitor: URIRef  # coverage | drift | agreement | testset | gate
    monitorResult: URIRef  # JSON object, rdf:JSON literal
    monitoredVersion: URIRef  # dataset version a monitor run looked at
    measurement: URIRef
    measureName: URIRef
    measureValue: URIRef
    threshold: URIRef
    comparator: URIRef
    alertMessage: URIRef
    aboutAlert: URIRef
    noteText: URIRef


#: The usual prefixes, predeclared in every SPARQL query provrag runs.
PREFIXES: dict[str, str] = {
    "pr": PR_NS,
    "prid": ID_NS,
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for :data:`PREFIXES`, to put before a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
