"""Compare every retriever on every public dataset, in one table.

Datasets (``scripts/compare_retrievers_data.py``): SciFact test, SciFact train (the
development split: settings are chosen on it), MuSiQue (HippoRAG's 100 multi-hop
questions), PubMedQA PQA-L, CLAPNQ dev, and the bundled bank golden set. Each is
ingested into a provrag home through the real ingest path, with entity extraction
(the settings' extractor), indexed, and evaluated by the real evaluation path
(:func:`provrag.evaluating.evaluate`, trec_eval conventions, clearance
``restricted``) with each retriever built by :mod:`provrag.wiring`: the numbers are
what ``provrag eval`` gives a user.

A row is a name, a retriever mode and overrides of the ``[retrieval]`` settings
(:class:`RetrieverConfig`); a row whose overrides name a setting that
``RetrieverConfig`` does not have is skipped with a note (the ablations name the
settings of the PageRank retriever). Rows: ``main`` = dense, lexical, hybrid,
enriched; ``ablations`` = enriched without one mechanism each (derivation mapping,
PageRank, synonym edges, specificity); ``fusion`` = hybrid and enriched with the
reciprocal rank fusion used before z-score fusion, and min-max fusion;
``diagnostics`` = the older probes of the
graph channel (dense + graph, two hops, lexical weight 1.0, the graph channel as
a re-ranker, the graph alone).

Columns: nDCG@10, R@2, R@5, R@10, the nDCG@10 difference to dense and its p-value
(paired randomisation test on per-query nDCG@10, ``evaluation.stats``), and the
milliseconds per query of the whole evaluation loop.

Homes are temporary unless ``--home-root DIR`` keeps them: a second run then
ingests nothing and embeds nothing (the index and its embedding cache are in the
home), so only the queries run again.

    PYTHONPATH=. .venv/bin/python scripts/compare_retrievers.py \
        [--datasets scifact-test scifact-train musique pubmedqa clapnq bank] \
        [--rows main ablations diagnostics] [--limit N] [--home-root DIR] \
        [--output bench_results/compare_retrievers.json]  # + .md beside it
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from compare_retrievers_data import DATASETS, EXAMPLE, DatasetSpec  # noqa: E402

from kg.typing import RetrieverMode  # noqa: E402

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from evaluation.golden import GoldenSet
    from kg.graph import KnowledgeGraph
    from provrag.settings import Settings

METRICS = ["ndcg@10", "recall@2", "recall@5", "recall@10"]
HEADERS = {"ndcg@10": "nDCG@10", "recall@2": "R@2", "recall@5": "R@5", "recall@10": "R@10"}
BASELINE = "dense"
P_SAMPLES = 10_000


@dataclass(frozen=True)
class Row:
    """One retriever of the table: a mode and overrides of the ``[retrieval]`` settings.

    A dict value is merged into the setting's dict (``{"weights": {"lexical": 0.0}}``
    changes one weight).
    """

    name: str
    mode: RetrieverMode
    overrides: dict[str, Any] = field(default_factory=dict)
    group: str = "main"


#: reciprocal rank fusion's weights, the default before z-score fusion
_RRF = {"dense": 1.0, "lexical": 0.5, "graph": 1.0}
ROWS: list[Row] = [
    Row("dense", "dense"),
    Row("lexical", "lexical"),
    Row("hybrid", "hybrid"),
    Row("enriched", "enriched"),
    # the mechanisms of the PageRank retriever, one left out per row
    Row("enriched - derivation mapping", "enriched", {"derivation": False}, "ablations"),
    Row("enriched - PageRank", "enriched", {"graph_ranking": "off"}, "ablations"),
    Row("enriched + synonym edges", "enriched", {"synonyms": True}, "ablations"),
    Row("enriched - specificity", "enriched", {"specificity": False}, "ablations"),
    Row("enriched - subject gate", "enriched", {"ppr_gate_subject": False}, "ablations"),
    Row("enriched + agreement gate 2", "enriched", {"ppr_gate_top": 2}, "ablations"),
    # the fusion the retrievers used before z-scores (RRF, lexical 0.5), and min-max scores
    Row("hybrid, RRF", "hybrid", {"fusion": "rrf", "weights": _RRF}, "fusion"),
    Row("enriched, RRF", "enriched", {"fusion": "rrf", "weights": _RRF}, "fusion"),
    Row("hybrid, min-max", "hybrid", {"fusion": "weighted"}, "fusion"),
    # probes of the graph channel of fusion
    Row("dense+graph", "enriched", {"weights": {"lexical": 0.0}}, "diagnostics"),
    Row("enriched 2-hop", "enriched", {"graph_hops": 2}, "diagnostics"),
    Row("hybrid, lexical 1.0", "hybrid", {"weights": {"lexical": 1.0}}, "diagnostics"),
    Row("enriched, rerank", "enriched", {"graph_role": "rerank"}, "diagnostics"),
    Row(
        "enriched, rerank, graph 0.25",
        "enriched",
        {"graph_role": "rerank", "weights": {"graph": 0.25}},
        "diagnostics",
    ),
    Row("graph alone", "enriched", {"weights": {"dense": 0.0, "lexical": 0.0}}, "diagnostics"),
]
GROUPS = ("main", "ablations", "fusion", "diagnostics")


def retriever_fields() -> set[str]:
    """The settings a row may override: the fields of ``RetrieverConfig``."""
    from retrieval.config import RetrieverConfig

    return set(RetrieverConfig.model_fields)


def missing_settings(row: Row, known: set[str]) -> list[str]:
    """The override names of ``row`` that ``RetrieverConfig`` lacks (empty: it can run)."""
    return sorted(set(row.overrides) - known)


def with_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """``settings`` with ``overrides`` on its ``[retrieval]`` section."""
    if not overrides:
        return settings
    current = settings.retrieval
    update = {
        k: {**getattr(current, k), **v} if isinstance(v, dict) else v for k, v in overrides.items()
    }
    return settings.model_copy(update={"retrieval": current.model_copy(update=update)})


# ----------------------------------------------------------------------- progress


class _Records:
    """``ingest.pipeline.ProgressCallback`` on a task of a rich bar."""

    def __init__(self, bar: Progress, description: str) -> None:
        self.bar, self.task = bar, bar.add_task(description, total=None)

    def total(self, n: int | None) -> None:
        self.bar.update(self.task, total=n)

    def advance(self, records: int) -> None:
        self.bar.advance(self.task, records)


def _counter(bar: Progress, description: str) -> Callable[[int, int], None]:
    task = bar.add_task(description, total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=max(total, 1))

    return progress


# ------------------------------------------------------------------------ homes


@dataclass
class Prepared:
    settings: Settings
    kg: KnowledgeGraph
    embedder: Any
    golden: GoldenSet
    passages: int
    ingest_seconds: float
    index_seconds: float
    embedded: int


def prepare(spec: DatasetSpec, home: Path, bar: Progress, log: Callable[[str], None]) -> Prepared:
    """Ingest (with entities) and index ``spec`` in ``home``, as a user would."""
    from provrag.services.beir import ingest_beir
    from provrag.services.golden import resolve_golden
    from provrag.services.indexing import sync
    from provrag.settings import load_settings
    from provrag.wiring import build_embedder, build_extractor, open_kg

    overrides: dict[str, Any] = {"gazetteer": EXAMPLE / "gazetteer.ttl"} if spec.bank else {}
    settings = load_settings(home, **overrides)
    kg = open_kg(settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        extractor = build_extractor(settings) if settings.ner else None
    for w in caught:
        log(f"[yellow]{w.message}")
    t0 = time.perf_counter()
    records = _Records(bar, f"{spec.label}: ingest + entities")
    if spec.bank:
        from ingest.pipeline import ingest_files

        report = ingest_files(
            kg,
            [EXAMPLE / "kb_v1.jsonl"],
            extractor=extractor,
            chunk_size=settings.chunk_size,
            quarantine_dir=settings.quarantine_dir,
            progress=records,
        )
        golden = resolve_golden(kg, str(EXAMPLE / "golden.jsonl"))
        passages = report.read
    else:
        directory = spec.beir or home / "beir" / spec.key
        if spec.convert is not None and not (directory / "corpus.jsonl").is_file():
            spec.convert(directory)
        done = ingest_beir(
            settings, kg, directory, split=spec.split, extractor=extractor, progress=records
        )
        golden, passages = done.golden, done.documents
    ingest_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder = build_embedder(settings)  # one model per process, whatever the home
    synced = sync(
        settings, kg, embedder=embedder, progress=_counter(bar, f"{spec.label}: embedding")
    )
    return Prepared(
        settings,
        kg,
        embedder,
        golden,
        passages,
        ingest_seconds,
        time.perf_counter() - t0,
        synced.embedded,
    )


@contextmanager
def homes(root: Path | None) -> Iterator[Path]:
    """``root`` (kept), or a temporary directory removed at the end."""
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="provrag-compare-") as tmp:
        yield Path(tmp)


# ------------------------------------------------------------------------- runs


def run_dataset(
    spec: DatasetSpec,
    rows: list[Row],
    home: Path,
    limit: int | None,
    bar: Progress,
    log: Callable[[str], None],
) -> dict[str, Any]:
    from evaluation.stats import paired_randomization_test
    from kg.queries.graph_info import mention_counts
    from provrag.services.evaluating import EvalOptions, evaluate
    from provrag.wiring import LazyNerLinker, build_retriever

    p = prepare(spec, home, bar, log)
    golden = p.golden
    if limit:
        golden = dataclasses.replace(golden, items=golden.items[:limit])
    mentions = mention_counts(p.kg)
    log(
        f"{spec.label}: {p.passages} documents (ingest {p.ingest_seconds:.1f} s, index "
        f"{p.index_seconds:.1f} s, {p.embedded} embedded); {mentions.entities} entities, "
        f"{mentions.links} links; {len(golden.qrels())} queries"
    )
    linker = LazyNerLinker(p.settings)
    # models loaded before any row is timed
    p.embedder.embed(["warm up"])
    linker.link("warm up")
    results: dict[str, dict[str, Any]] = {}
    per_query: dict[str, dict[str, float]] = {}
    linked = None
    for row in rows:
        settings = with_overrides(p.settings, row.overrides)
        retriever = build_retriever(
            settings,
            p.kg,
            mode=row.mode,
            embedder=p.embedder,
            linker=linker,
        )
        options = EvalOptions(
            retriever_kind=row.mode,
            ks=[10],
            metrics=METRICS,
            ignore_identical_ids=not spec.bank,  # BEIR's convention, as `eval --beir`
        )
        t0 = time.perf_counter()
        result = evaluate(
            settings,
            p.kg,
            golden,
            options,
            retriever=retriever,
            record=False,
            progress=_counter(bar, f"{spec.label}: {row.name}"),
        )
        seconds = time.perf_counter() - t0
        per_query[row.name] = result.per_query["ndcg@10"]
        out: dict[str, Any] = {
            "mode": row.mode,
            "group": row.group,
            "overrides": row.overrides,
            **{m: round(result.overall[m].mean, 4) for m in METRICS},
            "ms_per_query": round(1000 * seconds / max(len(result.qrels), 1), 1),
        }
        if BASELINE in per_query:
            diff, pval = paired_randomization_test(
                per_query[BASELINE], per_query[row.name], samples=P_SAMPLES, seed=13
            )
            out.update(d_ndcg_vs_dense=round(diff, 4), p_vs_dense=round(pval, 4))
        results[row.name] = out
        if row.name == "enriched" and linked is None:
            linked = sum(1 for item in golden.items if retriever.linked_entities(item.query))
        log(f"  {row.name:32s} " + "  ".join(f"{HEADERS[m]} {out[m]:.4f}" for m in METRICS))
    p.kg.close()
    return {
        "dataset": spec.key,
        "label": spec.label,
        "split": spec.split,
        "dev": spec.dev,
        "passages": p.passages,
        "queries": len(golden.qrels()),
        "queries_with_linked_entities": linked,
        "entities": mentions.entities,
        "entity_links": mentions.links,
        "ingest_seconds": round(p.ingest_seconds, 1),
        "index_seconds": round(p.index_seconds, 1),
        "results": results,
    }


# ----------------------------------------------------------------------- output


def _cells(row: dict[str, Any]) -> list[str]:
    cells = [f"{row[m]:.4f}" for m in METRICS]
    if "p_vs_dense" in row:
        cells += [f"{row['d_ndcg_vs_dense']:+.4f}", f"{row['p_vs_dense']:.4f}"]
    else:
        cells += ["", ""]
    return cells + [f"{row['ms_per_query']:.1f}"]


COLUMNS = ["dataset", "retriever", *HEADERS.values(), "d nDCG@10", "p vs dense", "ms/query"]


def _dataset_label(d: dict[str, Any]) -> str:
    return f"{d['label']} ({d['queries']} q, {d['passages']} docs)"


def print_table(datasets: list[dict[str, Any]], notes: list[str], console: Console) -> None:
    from rich.table import Table

    table = Table(title="retrievers by dataset (p: paired randomisation test vs dense)")
    for col in COLUMNS:
        table.add_column(col, justify="left" if col in ("dataset", "retriever") else "right")
    for d in datasets:
        for n, (name, row) in enumerate(d["results"].items()):
            table.add_row(_dataset_label(d) if n == 0 else "", name, *_cells(row))
        table.add_section()
    console.print(table)
    for note in notes:
        console.print(f"note: {note}", highlight=False)


def markdown(datasets: list[dict[str, Any]], notes: list[str], machine: dict[str, str]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * (len(COLUMNS) - 2)) + "|",
    ]
    for d in datasets:
        for n, (name, row) in enumerate(d["results"].items()):
            label = _dataset_label(d) if n == 0 else ""
            lines.append("| " + " | ".join([label, name, *_cells(row)]) + " |")
    out = [
        "Retrievers by dataset: nDCG@10 and recall at 2, 5 and 10 through the real ingest, "
        "index and evaluation path; d nDCG@10 and p against dense (paired randomisation "
        f"test on per-query nDCG@10, {P_SAMPLES} sign flips). SciFact train is the "
        "development split (settings were chosen on it).",
        "",
        *lines,
        "",
    ]
    out += [f"- {n}" for n in notes]
    out.append(f"- machine: Python {machine['python']}, {machine['platform']}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS), metavar="NAME"
    )
    parser.add_argument("--rows", nargs="+", choices=GROUPS, default=["main", "ablations"])
    parser.add_argument("--limit", type=int, default=None, help="first N queries only")
    parser.add_argument(
        "--home-root",
        type=Path,
        default=None,
        help="keep the provrag homes here (a re-run ingests and embeds nothing)",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench_results" / "compare_retrievers.json"
    )
    args = parser.parse_args()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True, width=160)
    known = retriever_fields()
    rows, notes = [], []
    for row in ROWS:
        if row.group not in args.rows:
            continue
        missing = missing_settings(row, known)
        if missing:
            notes.append(
                f"row {row.name!r} skipped: RetrieverConfig has no setting {', '.join(missing)}"
            )
        else:
            rows.append(row)
    specs = []
    for key in args.datasets:
        spec = DATASETS[key]
        if spec.source().exists():
            specs.append(spec)
        else:
            notes.append(f"dataset {key!r} skipped: {spec.source().resolve()} is absent")
    for note in notes:
        console.log(note)
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        homes(args.home_root) as root,
        Progress(*columns, console=console, transient=True) as bar,
    ):
        for spec in specs:
            home = root / spec.home
            results.append(run_dataset(spec, rows, home, args.limit, bar, console.log))
    print_table(results, notes, Console(width=160))
    machine = {"python": platform.python_version(), "platform": platform.platform()}
    payload = {"machine": machine, "metrics": METRICS, "notes": notes, "datasets": results}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    md = args.output.with_suffix(".md")
    md.write_text(markdown(results, notes, machine), encoding="utf-8")
    console.log(f"wrote {args.output} and {md}")


if __name__ == "__main__":
    main()
