"""Revision lookups: what the committed graph already holds for the samples a batch brings.

Ingest asks these before it decides, per record, whether it is new, unchanged, a
revision or a revert (:mod:`ingest.decide`), and, for the records that name
sources in ``derived_from``, which revision of each source is current
(:func:`current_revision_iris`). They read committed data only (see
:meth:`kg.graph.KnowledgeGraph.query`), so a batch never sees its own open graph.
Values come back as plain strings (:mod:`kg.queries.rows`): a chunk's lookup
returns a row per revision and dataset version, on the ingest's hot path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg import ids
from kg.graph import KnowledgeGraph
from kg.queries.current import bind_current, current_sample
from kg.queries.rows import select_rows, value_of


@dataclass(frozen=True, slots=True)
class CurrentRevision:
    """What the committed graph holds for one logical sample.

    The *head* is the revision no other revision ``prov:wasRevisionOf``: the
    current one, or the one a delete invalidated last.
    """

    #: the head revision
    iri: str
    #: its full content hash (sha256 hex)
    content_hash: str
    #: the head is invalidated (the sample was deleted): no revision is current
    invalidated: bool
    #: the dataset versions the head is a member of
    dataset_versions: frozenset[str]
    #: sha256[:16] of every revision of the sample, the head's included
    revision_hashes: frozenset[str]


def dataset_has_samples(kg: KnowledgeGraph, dataset: str) -> bool:
    """Whether any sample (current or not) is a member of a version of ``dataset``."""
    return kg.ask(
        f"ASK {{ ?dv dcterms:isVersionOf <{ids.dataset_iri(dataset)}> . "
        "?s pr:inDatasetVersion ?dv }"
    )


def current_revisions(
    kg: KnowledgeGraph, logical_iris: Iterable[str]
) -> dict[str, CurrentRevision]:
    """The head revision (and every revision's hash) of each logical sample, in one query.

    Logical samples the graph does not hold are left out of the answer.
    """
    keys = sorted(set(logical_iris))
    if not keys:
        return {}
    values = " ".join(f"<{k}>" for k in keys)
    rows = select_rows(
        kg,
        "SELECT ?logical ?s ?h ?current ?newer ?dv WHERE {\n"
        f"  VALUES ?logical {{ {values} }}\n"
        "  ?s prov:specializationOf ?logical ; pr:contentHash ?h .\n"
        f"  {bind_current('?s', '?current')}\n"
        "  OPTIONAL { ?newer prov:wasRevisionOf ?s }\n"
        "  OPTIONAL { ?s pr:inDatasetVersion ?dv }\n"
        "}",
    )
    # logical -> revision -> (hash, invalidated, has a newer revision, dataset versions)
    revisions: dict[str, dict[str, tuple[str, bool, bool, set[str]]]] = {}
    for row in rows:
        logical, s, h = value_of(row["logical"]), value_of(row["s"]), value_of(row["h"])
        per = revisions.setdefault(logical, {})
        _, inv, newer, dvs = per.get(s, (h, False, False, set()))
        if "dv" in row:
            dvs.add(value_of(row["dv"]))
        invalidated = value_of(row["current"]) not in ("true", "1")
        per[s] = (h, inv or invalidated, newer or "newer" in row, dvs)
    out: dict[str, CurrentRevision] = {}
    for logical, per in revisions.items():
        heads = sorted(s for s, (_, _, newer, _) in per.items() if not newer) or sorted(per)
        head = heads[-1]
        h, inv, _, dvs = per[head]
        out[logical] = CurrentRevision(
            iri=head,
            content_hash=h,
            invalidated=inv,
            dataset_versions=frozenset(dvs),
            revision_hashes=frozenset(v[0][:16] for v in per.values()),
        )
    return out


def current_revision_iris(kg: KnowledgeGraph, logical_iris: Iterable[str]) -> dict[str, str]:
    """The current (not invalidated) revision of each logical sample, in one query.

    What ingest links a derived sample to (``derived_from``). Logical samples with
    no current revision (never ingested, or deleted) are left out of the answer;
    should one have several, the last by IRI is given.
    """
    keys = sorted(set(logical_iris))
    if not keys:
        return {}
    values = " ".join(f"<{k}>" for k in keys)
    rows = select_rows(
        kg,
        "SELECT ?logical ?s WHERE {\n"
        f"  VALUES ?logical {{ {values} }}\n"
        "  ?s prov:specializationOf ?logical .\n"
        f"  {current_sample('?s')}\n"
        "}",
    )
    out: dict[str, str] = {}
    for row in rows:
        logical, s = value_of(row["logical"]), value_of(row["s"])
        if s > out.get(logical, ""):
            out[logical] = s
    return out
