"""The text of the generated files: JSONL, the gazetteer's Turtle, the golden set's
metadata, the counts of the manifest and the README (from ``README.md.in``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exampledata.build import Built
    from exampledata.source import Source

Record = dict[str, Any]


def jsonl(records: Sequence[Record]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _is_disagreement(rec: Record) -> bool:
    values = {
        lab["value"]
        for lab in rec["labels"]
        if lab["field"] == "intent" and lab["annotator_kind"] == "human"
    }
    return len(values) > 1


def stats(v1: list[Record], v2: list[Record], golden: list[Record], bad: int) -> dict[str, int]:
    def count(recs: list[Record], **match: str) -> int:
        return sum(all(rec.get(k) == v for k, v in match.items()) for rec in recs)

    def labels(kind: str) -> int:
        return sum(1 for r in v1 for x in r["labels"] if x["annotator_kind"] == kind)

    human_labelled = [r for r in v1 if any(x["annotator_kind"] == "human" for x in r["labels"])]
    v1_by_id = {r["id"]: r for r in v1}
    changed = [r for r in v2 if r["id"] in v1_by_id and r["text"] != v1_by_id[r["id"]]["text"]]
    origins = {r["id"]: r["origin"] for r in v1}
    rel = [sid for g in golden for sid in g["relevant"]]
    return {
        "v1_samples": len(v1),
        "v1_real_passages": count(v1, origin="real"),
        "v1_synthetic_paraphrases": count(v1, origin="synthetic", kind="passage"),
        "v1_synthetic_questions": count(v1, origin="synthetic", kind="question"),
        "v1_restricted": count(v1, sensitivity="restricted"),
        "v1_public": count(v1, sensitivity="public"),
        "v1_internal": count(v1, sensitivity="internal"),
        "v1_labels": sum(len(r["labels"]) for r in v1),
        "v1_human_labels": labels("human"),
        "v1_heuristic_labels": labels("heuristic"),
        "v1_human_labelled_samples": len(human_labelled),
        "v1_disagreements": sum(_is_disagreement(r) for r in human_labelled),
        "v2_samples": len(v2),
        "v2_changed": len(changed),
        "v2_changed_real": sum(1 for r in changed if r["origin"] == "real"),
        "v2_new": sum(1 for r in v2 if r["id"] not in v1_by_id),
        "v2_disagreements_new": sum(_is_disagreement(r) for r in v2 if r["id"] not in v1_by_id),
        "golden_queries": len(golden),
        "golden_judgements": len(rel),
        "golden_real_judgements": sum(origins[s] == "real" for s in rel),
        "golden_synthetic_judgements": sum(origins[s] == "synthetic" for s in rel),
        "bad_records_lines": 0,  # filled by the writer
        "bad_records_bad": bad,
    }


def _turtle_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gazetteer_ttl(src: Source) -> str:
    scheme = src.scheme
    lines = [f"# {line}" for line in scheme["comment"]]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in scheme["prefixes"].items()]
    lines += [
        "",
        "nw:scheme a skos:ConceptScheme ;",
        f"    skos:prefLabel {_turtle_str(scheme['label'])} ;",
        f"    dcterms:description {_turtle_str(scheme['description'])} ;",
        f"    dcterms:license <{scheme['license']}> .",
        "",
    ]
    for c in src.gazetteer:
        lines.append(f"nw:{c.slug} a skos:Concept ;")
        lines.append("    skos:inScheme nw:scheme ;")
        lines.append(f"    skos:prefLabel {_turtle_str(c.label)} ;")
        if c.aliases:
            lines.append("    skos:altLabel " + ", ".join(_turtle_str(a) for a in c.aliases) + " ;")
        lines.append(f"    pr:entityType {_turtle_str(c.entity_type)} .")
        lines.append("")
    return "\n".join(lines)


def golden_meta(src: Source) -> dict[str, Any]:
    meta = src.golden_meta
    return {
        "name": meta["name"],
        "version": meta["version"],
        "dataset": src.dataset,
        "author": meta["author"],
        "guideline_version": meta["guideline_version"],
        "description": " ".join(meta["description"].split()).format(
            v1=src.v1, queries=len(src.golden)
        ),
        **({"split": meta["split"]} if "split" in meta else {}),
    }


def readme(src: Source, b: Built, seed: int, files: dict[str, dict[str, Any]]) -> str:
    s = b.stats
    rows = "\n".join(
        f"| `{name}` | {meta['lines']} | `{meta['sha256'][:16]}` |" for name, meta in files.items()
    )
    return src.readme_template.format(
        s=s,
        seed=seed,
        rows=rows,
        revised=", ".join(f"`{k}`" for k in b.revised_keys),
        dataset=src.dataset,
        v1=src.v1,
        v2=src.v2,
        engine=src.engine,
        intake=src.intake_dataset,
        bad_good=s["bad_records_lines"] - s["bad_records_bad"],
        concepts=len(src.gazetteer),
    )
