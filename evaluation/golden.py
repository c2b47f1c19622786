"""Golden sets: load (our JSONL, BEIR, TREC qrels), validate, and ingest into the graph.

Our JSONL: one item per line::

    {"query_id": "q1", "query": "...", "relevant": {"<sample external id>": 2},
     "gold_answers": ["..."], "tags": ["..."], "author": "...", "guideline_version": "1.0"}

Only ``query_id`` and ``query`` are required. Grades are integers >= 0 (0 =
judged not relevant). Set-level metadata sits in an optional sibling file
``<name>.meta.json`` (``golden.jsonl`` -> ``golden.meta.json``) with the keys
``name``, ``version``, ``dataset`` (the dataset the sample ids belong to),
``author``, ``guideline_version``, ``description`` and ``split``; a ``meta`` dict
given to :func:`load_golden_jsonl` overrides it key by key. Defaults: name = file
stem, version = "1".

Dev/holdout split: an item names its own (``"split": "dev"`` or ``"holdout"``), or
the meta file declares a deterministic hash split of the others (``"split":
{"dev_ratio": 0.5, "seed": 13}``, :class:`kg.model.SplitRule`). Each item's split
is recorded in the graph with the set. ``load_golden_jsonl(path, split="dev")``
keeps the dev items and never checks, parses into items or returns the others (what
``provrag tune`` reads: the holdout stays unseen).

Every problem is reported with file, line and field, all at once, in one
:class:`~evaluation.errors.GoldenSetError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evaluation.beir_io import load_beir as load_beir
from evaluation.beir_io import load_trec_qrels as load_trec_qrels
from evaluation.errors import (
    GoldenProblem,
    GoldenSetError,
    GoldenVersionConflictError,
)
from evaluation.golden_meta import META_KEYS as META_KEYS
from evaluation.golden_meta import item_split, read_meta
from evaluation.metrics import Qrels
from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.golden import golden_content_hash, golden_set_triples
from kg.model import GoldenItem, SplitRule
from kg.queries.golden import golden_content_hashes
from kg.typing import GOLDEN_SPLITS, GoldenSplit

ITEM_KEYS = frozenset(GoldenItem.model_fields)


@dataclass
class GoldenSet:
    """A versioned expert golden set. ``source``/``lines`` locate items in their file."""

    name: str
    version: str
    dataset: str | None
    author: str | None
    guideline_version: str | None
    items: list[GoldenItem]
    description: str | None = None
    source: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    #: the declared hash split of the items that name none (None: not declared)
    split_rule: SplitRule | None = None
    #: the one split these items are (None: the whole set)
    selected: GoldenSplit | None = None

    @property
    def iri(self) -> str:
        return ids.golden_set_iri(self.name, self.version)

    def subset(self, split: GoldenSplit) -> GoldenSet:
        """The items of ``split`` only (same name and version; never ingested as the set).

        Raises :class:`GoldenSetError` when an item declares no split or none is of ``split``.
        """
        undeclared = [it.query_id for it in self.items if it.split is None]
        if undeclared:
            raise GoldenSetError(
                f"golden set {self.name!r} declares no split for {len(undeclared)} queries "
                f'(first: {", ".join(undeclared[:3])}); give each item "split": "dev" or '
                '"holdout", or declare "split": {"dev_ratio": 0.5, "seed": 13} in '
                f"{self.name}.meta.json"
            )
        items = [it for it in self.items if it.split == split]
        if not items:
            raise GoldenSetError(
                f"golden set {self.name!r} version {self.version!r} has no {split!r} query"
            )
        kept = {it.query_id for it in items}
        lines = {q: n for q, n in self.lines.items() if q in kept}
        return GoldenSet(
            self.name,
            self.version,
            self.dataset,
            self.author,
            self.guideline_version,
            items,
            self.description,
            self.source,
            lines,
            self.split_rule,
            split,
        )

    def qrels(self) -> Qrels:
        """Judgements of the items that have any (answer-only items are not retrieval queries)."""
        return {item.query_id: dict(item.relevant) for item in self.items if item.relevant}

    def queries(self) -> dict[str, str]:
        return {item.query_id: item.query for item in self.items}

    def gold_answers(self) -> dict[str, list[str]]:
        """Gold answers of the items that have any."""
        return {item.query_id: list(item.gold_answers) for item in self.items if item.gold_answers}

    def item(self, query_id: str) -> GoldenItem:
        for it in self.items:
            if it.query_id == query_id:
                return it
        raise KeyError(query_id)


# ------------------------------------------------------------------------- checks


def _is_grade(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _item_problems(
    data: Mapping[str, Any], path: str | None, line: int | None
) -> list[GoldenProblem]:
    """Field checks of one raw item, with messages that say how to fix it."""

    def problem(message: str, fld: str, value: Any = None) -> GoldenProblem:
        return GoldenProblem(message, path, line, fld, value)

    out: list[GoldenProblem] = []
    for key in sorted(set(data) - ITEM_KEYS):
        out.append(problem(f"unknown field; allowed: {', '.join(sorted(ITEM_KEYS))}", key))
    qid = data.get("query_id")
    if not isinstance(qid, str) or not qid.strip():
        out.append(problem("query_id must be a non-empty string", "query_id", qid))
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        out.append(problem("query must be a non-empty text", "query", query))
    relevant = data.get("relevant", {})
    if not isinstance(relevant, dict):
        out.append(
            problem('relevant must be an object {"<sample id>": grade}', "relevant", relevant)
        )
    else:
        for sid, grade in relevant.items():
            if not sid.strip():
                out.append(problem("sample id must be non-empty", "relevant", sid))
            if not _is_grade(grade):
                out.append(
                    problem(
                        "grade must be an integer >= 0 (0 = not relevant)", f"relevant.{sid}", grade
                    )
                )
    for key in ("gold_answers", "tags"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            out.append(problem(f"{key} must be a list of strings", key, value))
        elif key == "gold_answers" and any(not v.strip() for v in value):
            out.append(problem("a gold answer is blank; remove it", key, value))
    for key in ("author", "guideline_version"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            out.append(problem(f"{key} must be a non-empty string when given", key, value))
    split = data.get("split")
    if split is not None and split not in GOLDEN_SPLITS:
        out.append(problem(f"split must be one of {', '.join(GOLDEN_SPLITS)}", "split", split))
    return out


def check_golden(golden: GoldenSet) -> list[GoldenProblem]:
    """Problems of a golden set built in code or read from a file (empty list: valid)."""
    out: list[GoldenProblem] = []
    for key in ("name", "version"):
        value = getattr(golden, key)
        if not isinstance(value, str) or not value.strip():
            out.append(
                GoldenProblem(
                    f"the golden set needs a non-empty {key}", golden.source, None, key, value
                )
            )
    seen: dict[str, int | None] = {}
    for item in golden.items:
        line = golden.lines.get(item.query_id)
        out += _item_problems(item.model_dump(), golden.source, line)
        if item.query_id in seen:
            first = seen[item.query_id]
            at = f" (first on line {first})" if first is not None else ""
            out.append(
                GoldenProblem(
                    f"duplicate query id{at}; query ids must be unique",
                    golden.source,
                    line,
                    "query_id",
                    item.query_id,
                )
            )
        seen.setdefault(item.query_id, line)
    if golden.dataset is None and any(item.relevant for item in golden.items):
        out.append(
            GoldenProblem(
                'the golden set judges samples but names no dataset; set "dataset" in '
                f"{golden.name}.meta.json (or pass it as meta)",
                golden.source,
                None,
                "dataset",
            )
        )
    return out


def validate_against(golden: GoldenSet, known_ids: set[str]) -> list[GoldenProblem]:
    """Judged sample ids that are not in ``known_ids`` (external ids of the dataset's samples)."""
    out = []
    for item in golden.items:
        for sid in item.relevant:
            if sid not in known_ids:
                out.append(
                    GoldenProblem(
                        f"query {item.query_id!r} judges sample {sid!r}, which dataset "
                        f"{golden.dataset!r} does not hold; fix the id or ingest the sample first",
                        golden.source,
                        golden.lines.get(item.query_id),
                        f"relevant.{sid}",
                        sid,
                    )
                )
    return out


# ------------------------------------------------------------------------ loaders


def load_golden_jsonl(
    path: str | Path, meta: Mapping[str, Any] | None = None, *, split: GoldenSplit | None = None
) -> GoldenSet:
    """Read our JSONL golden set (and its ``<name>.meta.json``); raises GoldenSetError.

    Each item gets its split (its own, or the meta's rule's). With ``split``, only
    the items of that split are checked and kept: a line of another split is read
    as JSON to learn its split, and nothing else is done with it.
    """
    p = Path(path)
    if not p.is_file():
        raise GoldenSetError(f"{p}: no such file; give the path of a golden set .jsonl file")
    info, problems = read_meta(p, meta)
    rule: SplitRule | None = info.get("split")
    src = str(p)
    items: list[GoldenItem] = []
    lines: dict[str, int] = {}
    with p.open(encoding="utf-8") as f:
        for lineno, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(GoldenProblem(f"not valid JSON: {exc.msg}", src, lineno))
                continue
            if not isinstance(data, dict):
                problems.append(GoldenProblem("each line must be a JSON object", src, lineno))
                continue
            own = item_split(data, rule)
            if split is not None and own is not None and own != split:
                continue  # another split's item: never checked nor parsed
            if split is not None and own is None and "split" not in data:
                problems.append(
                    GoldenProblem(
                        f"the item names no split and {p.name} declares none, so it cannot be "
                        f'kept in or out of {split!r}; give it "split": "dev" or "holdout", or '
                        'declare "split": {"dev_ratio": 0.5, "seed": 13} in the meta file',
                        src,
                        lineno,
                        "split",
                    )
                )
                continue
            found = _item_problems(data, src, lineno)
            if found:
                problems += found
                continue
            if own is not None:
                data = {**data, "split": own}
            try:
                item = GoldenItem(**data)
            except ValidationError as exc:
                problems += [
                    GoldenProblem(e["msg"], src, lineno, ".".join(map(str, e["loc"])))
                    for e in exc.errors()
                ]
                continue
            if item.query_id in lines:
                problems.append(
                    GoldenProblem(
                        f"duplicate query id (first on line {lines[item.query_id]}); "
                        "query ids must be unique",
                        src,
                        lineno,
                        "query_id",
                        item.query_id,
                    )
                )
                continue
            lines[item.query_id] = lineno
            items.append(item)
    if problems:
        raise GoldenSetError(problems)
    golden = GoldenSet(
        name=info.get("name") or p.name.removesuffix(".jsonl"),
        version=info.get("version") or "1",
        dataset=info.get("dataset"),
        author=info.get("author"),
        guideline_version=info.get("guideline_version"),
        items=items,
        description=info.get("description"),
        source=src,
        lines=lines,
        split_rule=rule,
        selected=split,
    )
    if not items:
        what = "item" if split is None else f"{split!r} item"
        raise GoldenSetError([GoldenProblem(f"the golden set has no {what}", src)])
    return golden


def golden_from_qrels(
    name: str,
    version: str,
    dataset: str,
    queries: Mapping[str, str],
    qrels: Qrels,
    *,
    author: str | None = None,
    guideline_version: str | None = None,
    description: str | None = None,
) -> GoldenSet:
    """A golden set from BEIR/TREC style queries + qrels (queries without text are errors)."""
    missing = [q for q in qrels if not queries.get(q, "").strip()]
    if missing:
        raise GoldenSetError(
            [
                GoldenProblem(
                    f"{len(missing)} judged queries have no text (first: {', '.join(missing[:5])})",
                    field="query",
                )
            ]
        )
    items = [GoldenItem(query_id=q, query=queries[q], relevant=dict(j)) for q, j in qrels.items()]
    golden = GoldenSet(name, version, dataset, author, guideline_version, items, description)
    problems = check_golden(golden)
    if problems:
        raise GoldenSetError(problems)
    return golden


# ------------------------------------------------------------------------- ingest


def ingest_golden(kg: KnowledgeGraph, golden: GoldenSet) -> str:
    """Write ``golden`` into its own named graph ``prid:golden/<name>/<version>``; its IRI.

    Atomic (the graph becomes visible only when complete). Re-ingesting the same
    content under the same version is a no-op; different content under a version
    already stored raises :class:`GoldenVersionConflictError`.
    """
    if golden.selected is not None:
        raise GoldenSetError(
            f"golden set {golden.name!r} holds only its {golden.selected!r} split; ingest "
            "the whole set (load it without split=)"
        )
    problems = check_golden(golden)
    if problems:
        raise GoldenSetError(problems)
    graph = golden.iri
    status = kg.graph_status(graph)
    if status == "open":
        raise GoldenSetError(
            f"golden set {golden.name!r} version {golden.version!r} is being written by "
            "another process, or a crashed write left it open; reopen the graph (provrag "
            "recovers open graphs when it opens the store) and ingest again"
        )
    if status == "committed":
        stored = golden_content_hashes(kg, graph)
        new = golden_content_hash(golden)
        if stored == {new}:
            return graph
        raise GoldenVersionConflictError(
            [
                GoldenProblem(
                    f"golden set {golden.name!r} version {golden.version!r} is already in the "
                    'graph with different content; bump the version ("version" in '
                    f"{golden.name}.meta.json) to ingest the changed set",
                    golden.source,
                    None,
                    "version",
                    golden.version,
                )
            ]
        )
    with kg.write_graph(graph) as writer:
        writer.add_statements(golden_set_triples(golden))
    return graph
