"""Lineage impact: what was made from data that has changed since.

A synthetic sample names the revision it was made from (``prov:wasDerivedFrom``). It is
*stale* when that source revision was invalidated (revised: a newer revision
``prov:wasRevisionOf`` it; else deleted) after the sample was generated (or whenever,
for a sample without a generation time). A golden item is stale when a revision of a
sample it judges relevant was invalidated. :func:`derived_closure` is what
``provrag delete --cascade`` invalidates besides the samples it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.queries.current import current_sample, is_invalidated
from kg.queries.datasets import SelectedSample
from kg.queries.releases import release_member_pattern

#: how many IRIs one VALUES block of the cascade holds
_VALUES_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class StaleSample:
    """A synthetic sample whose source revision was revised or deleted after it was made."""

    sample: str
    external_id: str
    dataset: str | None
    source: str
    source_id: str
    #: "revised" (a newer revision exists) or "deleted"
    reason: str
    #: the newest revision of the source (None: deleted)
    newer: str | None
    generator: str | None
    prompt_version: str | None


def _stale_pattern(d: str) -> str:
    """Binds ``?src``, ``?inv``, ``?newer`` for a synthetic sample ``d`` derived from an
    invalidated revision after it was generated."""
    return f"""{d} pr:origin "synthetic" ; prov:wasDerivedFrom ?src .
  ?src a pr:Sample ; prov:invalidatedAtTime ?inv .
  OPTIONAL {{ {d} prov:wasGeneratedBy ?_g . ?_g a pr:Generation ; prov:endedAtTime ?_gt }}
  FILTER(!BOUND(?_gt) || ?inv > ?_gt)
  OPTIONAL {{ ?newer prov:wasRevisionOf ?src }}"""


def stale_samples(kg: KnowledgeGraph, dataset: str | None = None) -> list[StaleSample]:
    """The current synthetic samples (of ``dataset``, or of any) whose source revision was
    revised or deleted after they were generated, by external id."""
    in_dataset = (
        f"?d pr:inDatasetVersion ?_dv . ?_dv pr:datasetName {lit(dataset)} ."
        if dataset is not None
        else ""
    )
    rows = kg.select(
        f"""SELECT ?d ?ext ?ds ?src ?src_ext ?newer ?gen ?pv WHERE {{
  {current_sample("?d")}
  {_stale_pattern("?d")}
  {in_dataset}
  ?d pr:externalId ?ext . OPTIONAL {{ ?src pr:externalId ?src_ext }}
  OPTIONAL {{ ?d pr:inDatasetVersion ?dv2 . ?dv2 pr:datasetName ?ds }}
  OPTIONAL {{ ?d prov:wasGeneratedBy ?g . ?g a pr:Generation ; prov:used ?c .
    ?c pr:generatorName ?gen . OPTIONAL {{ ?c pr:promptVersion ?pv }} }}
}}"""
    )
    out: dict[tuple[str, str], StaleSample] = {}
    for r in rows:
        key = (r["d"], r["src"])
        newer = None if r.get("newer") is None else str(r["newer"])
        old = out.get(key)
        if old is not None and (old.newer or "") >= (newer or ""):
            continue
        out[key] = StaleSample(
            sample=r["d"], external_id=str(r["ext"]),
            dataset=None if r.get("ds") is None else str(r["ds"]),
            source=r["src"], source_id=str(r.get("src_ext") or ""),
            reason="revised" if newer is not None else "deleted", newer=newer,
            generator=None if r.get("gen") is None else str(r["gen"]),
            prompt_version=None if r.get("pv") is None else str(r["pv"]),
        )  # fmt: skip
    return sorted(out.values(), key=lambda s: (s.external_id, s.sample, s.source))


def release_stale_count(kg: KnowledgeGraph, release: str) -> int:
    """How many sample revisions of the release named ``release`` are stale now (a
    synthetic member whose source revision was revised or deleted since it was made)."""
    rows = kg.select(
        f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {release_member_pattern('?d', release)}\n"
        f"  {_stale_pattern('?d')} }}"
    )
    return int(rows[0]["n"]) if rows else 0


@dataclass(frozen=True, slots=True)
class StaleGoldenItem:
    """A golden item with a judged sample that was revised or deleted."""

    golden_set: str
    item: str
    query_id: str
    sample_id: str
    #: "revised" or "deleted"
    reason: str


def stale_golden_items(kg: KnowledgeGraph, dataset: str | None = None) -> list[StaleGoldenItem]:
    """Golden items (of the golden sets about ``dataset``, or all) judging a sample one of
    whose revisions was invalidated: by golden set, query id and sample id."""
    about = f"?gs pr:datasetName {lit(dataset)} ." if dataset is not None else ""
    rows = kg.select(
        f"""SELECT DISTINCT ?gs ?item ?qid ?sid ?newer WHERE {{
  ?gs a pr:GoldenSet ; pr:goldenItem ?item . {about}
  ?item pr:queryId ?qid ; pr:judgement ?j . ?j pr:judgedSample ?l ; pr:grade ?grade .
  FILTER(?grade > 0)
  ?rev prov:specializationOf ?l ; pr:externalId ?sid .
  {is_invalidated("?rev")}
  OPTIONAL {{ ?newer prov:wasRevisionOf ?rev }}
}}"""
    )
    out: dict[tuple[str, str, str], StaleGoldenItem] = {}
    for r in rows:
        key = (str(r["gs"]), str(r["qid"]), str(r["sid"]))
        reason = "revised" if r.get("newer") is not None else "deleted"
        if key in out and out[key].reason == "revised":
            continue
        out[key] = StaleGoldenItem(key[0], str(r["item"]), key[1], key[2], reason)
    return [out[k] for k in sorted(out)]


def derived_closure(kg: KnowledgeGraph, samples: Iterable[str]) -> list[SelectedSample]:
    """The current samples derived, directly or through others, from any revision of the
    logical samples of ``samples`` (revision IRIs); ``samples`` themselves left out."""
    seen = set(samples)
    frontier = sorted(seen)
    found: dict[str, str] = {}
    while frontier:
        nxt: list[str] = []
        for start in range(0, len(frontier), _VALUES_CHUNK):
            values = " ".join(f"<{s}>" for s in frontier[start : start + _VALUES_CHUNK])
            rows = kg.select(
                f"""SELECT DISTINCT ?d ?ext WHERE {{
  VALUES ?gone {{ {values} }}
  ?gone prov:specializationOf ?l . ?rev prov:specializationOf ?l .
  ?d prov:wasDerivedFrom ?rev .
  {current_sample("?d")}
  OPTIONAL {{ ?d pr:externalId ?ext }}
}}"""
            )
            for r in rows:
                d = str(r["d"])
                if d not in seen:
                    seen.add(d)
                    found[d] = str(r.get("ext") or "")
                    nxt.append(d)
        frontier = sorted(nxt)
    return [SelectedSample(iri=d, external_id=found[d]) for d in sorted(found)]


def golden_set_label(iri: str) -> str:
    """``name@version`` of a golden set IRI (``prid:golden/<name>/<version>``)."""
    tail = iri[len(ids.golden_set_iri("", "")[:-1]) :]
    name, _, version = tail.partition("/")
    return f"{ids.unquote_seg(name)}@{ids.unquote_seg(version)}"
