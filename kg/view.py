"""A caller's view of the graph: an in-memory store holding only the quads a
clearance (and optional dataset scopes) may see.

Non-admin SPARQL, traces and sample reads run over the view instead of the store,
so no query text can widen what it sees: ``GRAPH ?g``, ``FROM``/``FROM NAMED``,
property paths, sub-queries and unions all range over the view's quads alone.

Which quads a caller sees:

- a sample revision is *hidden* when its sensitivity is above the clearance (a
  sample without one counts as ``restricted``: fail closed) or, with scopes, when
  its dataset is outside them; a logical sample is hidden when all its revisions are;
- what belongs to a hidden sample is hidden: every node whose IRI lies under the
  sample's (labels, annotations, generation, mentions, entity extraction);
- with scopes, a dataset outside them is hidden, with its versions;
- a node that is not a sample and points to a hidden sample or dataset (an answer
  citing it, a golden judgement, a golden set of a dataset out of scope) is hidden
  with what lies under its IRI, unless it belongs to a visible sample (then only the
  edge goes); so is what points to a golden set so hidden (its evaluation runs);
- a node that is not a sample and is referred to only by hidden nodes (a dataset
  version out of scope, a generator configuration, an entity only hidden samples
  mention, an ingest batch of hidden samples only and its source file) is hidden;
- no quad whose subject or object is hidden is kept. The registry and the audit
  graph, and graphs still being written, are never in a view; the ontology always is.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kg import ids
from kg.errors import QueryError
from kg.graph import AUDIT_GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH, KnowledgeGraph
from kg.queries.access import SampleAccess, committed_graphs_key, sample_access
from kg.queries.filters import visible_sensitivities
from kg.store.base import QueryResult
from kg.store.embedded import OxigraphStore
from kg.terms import ID_NS, PR, PR_NS
from kg.typing import Clearance

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DATASET_NS = f"{ID_NS}dataset/"
_GOLDEN_SET = str(PR.GoldenSet)
_Node = ox.NamedNode | ox.BlankNode
#: passes of the "referred to only by hidden nodes" rule (a source file behind a
#: batch behind samples is three steps away)
_MAX_PASSES = 8


def hidden_samples(
    samples: Iterable[SampleAccess], clearance: Clearance, scopes: Sequence[str] | None
) -> set[str]:
    """IRIs of the sample revisions a caller with ``clearance`` and ``scopes`` may not see."""
    seen = set(visible_sensitivities(clearance))
    allowed = None if scopes is None else set(scopes)
    return {
        s.iri
        for s in samples
        if (s.sensitivity or "restricted") not in seen
        or (allowed is not None and not (s.datasets & allowed))
    }


def _key(term: object) -> str | None:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return None


def _under(name: str, nodes: set[str]) -> bool:
    """Whether ``name`` is one of ``nodes`` or lies under one (``<node>/...``)."""
    if name in nodes:
        return True
    cut = name.rfind("/")
    while cut > 0:
        name = name[:cut]
        if name in nodes:
            return True
        cut = name.rfind("/")
    return False


def _logical(revision: str) -> str:
    return revision.rsplit("/", 1)[0]


def _out_of_scope_datasets(quads: Sequence[ox.Quad], scopes: Sequence[str] | None) -> set[str]:
    """The dataset nodes (``prid:dataset/<name>``) of ``quads`` outside ``scopes``."""
    if scopes is None:
        return set()
    allowed = {ids.dataset_iri(d) for d in scopes}
    out = set()
    for q in quads:
        for term in (q.subject, q.object):
            name = _key(term)
            if (
                name is not None
                and name.startswith(_DATASET_NS)
                and "/" not in name[len(_DATASET_NS) :]
                and name not in allowed
            ):
                out.add(name)
    return out


def visible_quads(
    quads: Sequence[ox.Quad],
    samples: Sequence[SampleAccess],
    hidden: set[str],
    scopes: Sequence[str] | None = None,
) -> list[ox.Quad]:
    """The quads of ``quads`` a caller may see when ``hidden`` are its hidden samples
    and ``scopes`` its datasets (None: all)."""
    revisions = {s.iri for s in samples}
    visible_revisions = revisions - hidden
    logical_visible = {_logical(r) for r in visible_revisions}
    sample_like = hidden | {_logical(r) for r in hidden if _logical(r) not in logical_visible}
    ontology = {k for q in quads if _key(q.graph_name) == ONTOLOGY_GRAPH and (k := _key(q.subject))}

    def protected(name: str) -> bool:
        """Never hidden by the pointer rules: samples, what visible samples own, terms."""
        return (
            name in revisions
            or name in logical_visible
            or _under(name, visible_revisions)
            or name in ontology
            or name.startswith(PR_NS)
        )

    anchors = sample_like | _out_of_scope_datasets(quads, scopes)
    hidden_nodes = set(anchors)
    # what points to a hidden sample or dataset (answers, citations, judgements,
    # golden sets of a dataset out of scope), then what points to a golden set so
    # hidden (its evaluation runs)
    golden_sets = {
        s
        for q in quads
        if q.predicate.value == _RDF_TYPE
        and _key(q.object) == _GOLDEN_SET
        and (s := _key(q.subject)) is not None
    }
    for targets in (anchors, None):
        if targets is None:
            targets = hidden_nodes & golden_sets
        pointing = set()
        for q in quads:
            o, s = _key(q.object), _key(q.subject)
            if o is not None and s is not None and o in targets and not protected(s):
                pointing.add(s)
        hidden_nodes |= pointing
    incoming: dict[str, set[str]] = {}
    for q in quads:
        o = _key(q.object)
        if o is None or q.predicate.value == _RDF_TYPE:
            continue
        s = _key(q.subject)
        if s is not None and s != o:
            incoming.setdefault(o, set()).add(s)
    cache: dict[str, bool] = {}

    def is_hidden(name: str) -> bool:
        got = cache.get(name)
        if got is None:
            got = cache[name] = _under(name, hidden_nodes)
        return got

    for _ in range(_MAX_PASSES):
        grown = {
            node
            for node, refs in incoming.items()
            if not is_hidden(node) and not protected(node) and all(is_hidden(r) for r in refs)
        }
        if not grown:
            break
        hidden_nodes |= grown
        cache.clear()
    out = []
    for q in quads:
        s, o = _key(q.subject), _key(q.object)
        if (s is not None and is_hidden(s)) or (o is not None and is_hidden(o)):
            continue
        out.append(q)
    return out


def _view_source_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    """The quads a view is cut from: every committed graph and the ontology; not the
    registry, the audit graph or a graph still being written."""
    skip = {REGISTRY_GRAPH, AUDIT_GRAPH, *kg.open_graphs()}
    buf = io.BytesIO()
    kg.store.dump(buf, "nquads")
    return [
        q
        for q in ox.parse(buf.getvalue(), ox.RdfFormat.N_QUADS)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in skip)
    ]


def build_view(
    kg: KnowledgeGraph, clearance: Clearance, scopes: Sequence[str] | None = None
) -> KnowledgeGraph:
    """An in-memory graph of what ``clearance`` and ``scopes`` may see of ``kg``."""
    samples = sample_access(kg)
    quads = visible_quads(
        _view_source_quads(kg), samples, hidden_samples(samples, clearance, scopes), scopes
    )
    store = OxigraphStore(None)
    store.add(quads)
    return KnowledgeGraph(store)


class ViewCache:
    """Views of one graph, built once per (clearance, scopes, committed graphs).

    A new ingest, deletion, answer, golden set or run changes the key, and the next
    caller builds the view afresh. Thread-safe: one build per key at a time.
    """

    def __init__(self, kg: KnowledgeGraph, *, size: int = 8) -> None:
        self.kg = kg
        self.size = size
        self._views: dict[tuple[str, tuple[str, ...] | None, str], KnowledgeGraph] = {}
        self._lock = threading.Lock()

    def view(self, clearance: Clearance, scopes: Sequence[str] | None = None) -> KnowledgeGraph:
        """The view of ``clearance`` and ``scopes`` (None: every dataset)."""
        scope_key = None if scopes is None else tuple(sorted(set(scopes)))
        with self._lock:
            key = (clearance, scope_key, committed_graphs_key(self.kg))
            found = self._views.get(key)
            if found is None:
                found = build_view(self.kg, clearance, scope_key)
                # drop views of an older graph state; a caller still holding one
                # finishes on it (never closed under it), the GC frees it after
                for k in [k for k in self._views if k[2] != key[2]]:
                    del self._views[k]
                while len(self._views) >= self.size:
                    del self._views[next(iter(self._views))]
                self._views[key] = found
            return found

    def clear(self) -> None:
        """Forget every view (the next caller builds afresh)."""
        with self._lock:
            self._views.clear()


#: what a SPARQL text holds that is not syntax: strings, IRIs, comments
_NOT_SYNTAX = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)


def refuse_service(sparql: str) -> None:
    """Raise :class:`~kg.errors.QueryError` when ``sparql`` holds a ``SERVICE`` clause
    (outside its strings, IRIs and comments): a caller's query runs on their view and
    reaches out to no other endpoint."""
    if _SERVICE.search(_NOT_SYNTAX.sub(" ", sparql)):
        raise QueryError(
            "SERVICE is not allowed here: a query runs over the data your token may see "
            "and reaches no other endpoint; remove the SERVICE clause"
        )


def query_view(view: KnowledgeGraph, sparql: str) -> QueryResult:
    """Run a caller's read-only query on their view; ``SERVICE`` is refused."""
    refuse_service(sparql)
    return view.query(sparql)
