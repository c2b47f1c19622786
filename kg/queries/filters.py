"""Which current samples pass a provenance and governance filter, decided in the graph.

A filter names an origin, a dataset (and version), a generator (and prompt
version), an annotator and label ``(field, value)`` pairs; every one set must
hold (AND). A clearance is always applied: a sample is allowed only when its
sensitivity is at most the clearance (``public < internal < restricted``); a
sample without a sensitivity counts as ``restricted``, so the filter fails closed.
Invalidated samples are never allowed, whatever the filter, unless it names a
release: then exactly the release's sample revisions are the candidates.
"""

from __future__ import annotations

from typing import Any

from kg.errors import FilterError, QueryError
from kg.graph import KnowledgeGraph
from kg.mapping import lit
from kg.model import Filters
from kg.queries.current import is_current
from kg.queries.releases import release_member_pattern
from kg.store.base import SelectResult
from kg.typing import CLEARANCES, SENSITIVITY_ORDER, Clearance


def visible_sensitivities(clearance: Clearance) -> list[str]:
    """Sensitivities a caller with ``clearance`` may see (public < internal < restricted)."""
    level = SENSITIVITY_ORDER.get(clearance)
    if level is None:
        raise FilterError(f"clearance {clearance!r} is unknown; use one of {', '.join(CLEARANCES)}")
    return [s for s, n in sorted(SENSITIVITY_ORDER.items(), key=lambda x: x[1]) if n <= level]


def allowed_samples_query(
    filters: Filters, clearance: Clearance, *, with_kind: bool = False
) -> str:
    """The SPARQL SELECT of the IRIs (``?s``) of the current samples that pass
    ``filters`` and ``clearance`` (``with_kind``: and their kind, ``?kind``).

    ``filters.kinds`` (the answerable kinds) is not a filter of this set: a search
    matches samples of every kind and counts a derived one for its source."""
    seen = ", ".join(lit(s) for s in visible_sensitivities(clearance))
    lines = [
        "SELECT DISTINCT ?s ?kind WHERE {" if with_kind else "SELECT DISTINCT ?s WHERE {",
        *(
            [f"  {release_member_pattern('?s', filters.release)}"]
            if filters.release is not None
            else ["  ?s a pr:Sample .", f"  {is_current('?s')}"]
        ),
        *(["  OPTIONAL { ?s pr:kind ?kind }"] if with_kind else []),
        "  OPTIONAL { ?s pr:sensitivity ?_sensitivity }",
        f'  FILTER(COALESCE(STR(?_sensitivity), "restricted") IN ({seen}))',
    ]
    if filters.origin is not None:
        lines.append(f"  ?s pr:origin {lit(filters.origin)} .")
    if filters.dataset is not None or filters.version is not None:
        lines.append("  ?s pr:inDatasetVersion ?_dv .")
        if filters.dataset is not None:
            lines.append(f"  ?_dv pr:datasetName {lit(filters.dataset)} .")
        if filters.version is not None:
            lines.append(f"  ?_dv pr:versionLabel {lit(filters.version)} .")
    if filters.scopes is not None:
        scoped = ", ".join(lit(d) for d in filters.scopes) or '""'
        lines.append("  ?s pr:inDatasetVersion ?_sdv . ?_sdv pr:datasetName ?_sds .")
        lines.append(f"  FILTER(STR(?_sds) IN ({scoped}))")
    if filters.generator is not None or filters.prompt_version is not None:
        lines.append("  ?s prov:wasGeneratedBy ?_gen . ?_gen a pr:Generation ; prov:used ?_cfg .")
        if filters.generator is not None:
            lines.append(f"  ?_cfg pr:generatorName {lit(filters.generator)} .")
        if filters.prompt_version is not None:
            lines.append(f"  ?_cfg pr:promptVersion {lit(filters.prompt_version)} .")
    if filters.annotator is not None:
        lines.append(
            "  ?s pr:hasLabel ?_al . ?_al prov:wasAttributedTo ?_agent . "
            f"?_agent rdfs:label {lit(filters.annotator)} ."
        )
    for n, (field, value) in enumerate(filters.labels):
        lines.append(
            f"  ?s pr:hasLabel ?_l{n} . ?_l{n} pr:labelField {lit(field)} ; "
            f"pr:labelValue ?_v{n} . FILTER(STR(?_v{n}) = {lit(value)})"
        )
    lines.append("}")
    return "\n".join(lines)


def allowed_sample_iris(kg: KnowledgeGraph, filters: Filters, clearance: Clearance) -> set[str]:
    """IRIs of the current (never invalidated) samples that pass ``filters`` and
    ``clearance``."""
    result = kg.query(allowed_samples_query(filters, clearance))
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the allowed-samples query did not return rows")
    rows: list[dict[str, Any]] = result.rows
    return {str(r["s"].value) for r in rows if r.get("s") is not None}


def allowed_sample_kinds(
    kg: KnowledgeGraph, filters: Filters, clearance: Clearance
) -> dict[str, str | None]:
    """The samples of :func:`allowed_sample_iris`, each with its kind (None: unstated;
    the smallest when the graph states several)."""
    result = kg.query(allowed_samples_query(filters, clearance, with_kind=True))
    if not isinstance(result, SelectResult):  # pragma: no cover - SELECT always gives rows
        raise QueryError("the allowed-samples query did not return rows")
    out: dict[str, str | None] = {}
    rows: list[dict[str, Any]] = result.rows
    for r in rows:
        s = r.get("s")
        if s is None:
            continue
        kind = r.get("kind")
        k = None if kind is None else str(kind.value)
        old = out.get(str(s.value))
        out[str(s.value)] = k if old is None or (k is not None and k < old) else old
    return out
