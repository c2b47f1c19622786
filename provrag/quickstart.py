"""``provrag quickstart``: a guided run of the whole job on the bundled example data.

Each step runs a real ``provrag`` command in this process (the same code a user
runs by hand), shows the command line first, and checks its exit code. The
command line is run by the :data:`RunCommand` the caller passes in (the CLI
gives its own root command), so this module never imports the CLI. The tour
ends with a summary of what was measured and where the artefacts are.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from provrag.exit_codes import ExitCode
from provrag.settings import Settings

#: runs one ``provrag`` command line (the arguments after ``provrag``) in this process
#: and returns its exit code
RunCommand = Callable[[list[str]], int]


def example_data_dir() -> Path:
    """Directory of the bundled example data (package data of :mod:`provrag`)."""
    return Path(str(resources.files("provrag") / "example_data"))


@dataclass
class Step:
    title: str
    args: list[str]
    expect: tuple[ExitCode, ...] = (ExitCode.OK,)
    capture: bool = False


@dataclass
class Outcome:
    step: Step
    code: int
    output: str = ""
    seconds: float = 0.0


@dataclass
class Tour:
    settings: Settings
    console: Console
    run_command: RunCommand
    outcomes: list[Outcome] = field(default_factory=list)

    def _prefix(self) -> list[str]:
        prefix = ["--home", str(self.settings.home), "--store", self.settings.store]
        if self.settings.store_url:
            prefix += ["--store-url", self.settings.store_url]
        return prefix

    def run(self, step: Step) -> Outcome:
        import time

        shown = " ".join(_quote(a) for a in step.args)
        self.console.rule(f"[bold]{step.title}")
        self.console.print(f"[dim]$[/] provrag {shown}", highlight=False)
        buffer = io.StringIO()
        started = time.perf_counter()
        sink = contextlib.redirect_stdout(buffer) if step.capture else contextlib.nullcontext()
        with sink:
            code = self.run_command(self._prefix() + step.args)
        outcome = Outcome(step, code, buffer.getvalue(), time.perf_counter() - started)
        if step.capture and outcome.output:
            self.console.print(outcome.output.rstrip(), highlight=False, markup=False)
        mark = "[green]ok[/]" if code in step.expect else "[red]unexpected[/]"
        self.console.print(f"[dim]exit {code} ({mark}[dim], {outcome.seconds:.1f} s)[/]")
        self.outcomes.append(outcome)
        return outcome

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.code not in o.step.expect]


def _quote(arg: str) -> str:
    return f'"{arg}"' if re.search(r"\s", arg) else arg


def _json_of(text: str) -> Any:  # noqa: ANN401 - any JSON document
    """The JSON document in a command's captured output (it may follow other lines)."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except json.JSONDecodeError:
        return None


def _ensure_gazetteer(settings: Settings, gazetteer: Path) -> None:
    """Point the home's provrag.toml at the example gazetteer (kept if already set)."""
    config = settings.home / "provrag.toml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    if re.search(r"^\s*gazetteer\s*=", text, re.MULTILINE):
        return
    config.parent.mkdir(parents=True, exist_ok=True)
    line = f'gazetteer = "{gazetteer.as_posix()}"\n'
    # top-level keys must precede any [section] table in TOML
    match = re.search(r"^\[", text, re.MULTILINE)
    text = text[: match.start()] + line + text[match.start() :] if match else text + line
    config.write_text(text, encoding="utf-8")


def run_quickstart(
    settings: Settings, console: Console, run_command: RunCommand, *, with_eval: bool = True
) -> ExitCode:
    """Run the tour, each step through ``run_command``; returns the process exit code
    (0 when every step went as expected)."""
    data = example_data_dir()
    kb_v1, kb_v2 = data / "kb_v1.jsonl", data / "kb_v2.jsonl"
    bad, golden = data / "bad_records.jsonl", data / "golden.jsonl"
    tour = Tour(settings, console, run_command)
    console.print(
        f"[bold]provrag quickstart[/] on the example data in {data}\n"
        f"project home: {settings.home.resolve()}  (store: {settings.store})",
        highlight=False,
    )
    tour.run(Step("1. Create the project home and load the ontology", ["init"]))
    _ensure_gazetteer(settings, data / "gazetteer.ttl")

    tour.run(
        Step(
            "2. Ingest v1 of the bank's support knowledge base (NER + embeddings)",
            ["ingest", str(kb_v1)],
        )
    )
    tour.run(
        Step("3. Ingest the same file again: nothing new, nothing embedded", ["ingest", str(kb_v1)])
    )
    tour.run(
        Step(
            "4. A file with bad records: good ones go in, bad ones to quarantine (exit 3)",
            ["ingest", str(bad)],
            expect=(ExitCode.INGEST_PARTIAL,),
        )
    )
    tour.run(Step("5. Ingest v2: changed passages become revisions", ["ingest", str(kb_v2)]))
    tour.run(Step("6. What the graph holds", ["stats"]))
    tour.run(Step("7. SHACL validation of the whole graph", ["validate"]))
    tour.run(
        Step(
            "8. Where one synthetic sample came from (documented SPARQL query)",
            ["sparql", _provenance_query("kb-0150")],
        )
    )
    tour.run(
        Step(
            "9. Graph-enriched search, explained",
            ["search", "How do I block my Visa card after losing it?", "-k", "5", "--explain"],
        )
    )
    tour.run(
        Step(
            "10. The same search over real (non-synthetic) passages only",
            [
                "search",
                "How do I block my Visa card after losing it?",
                "-k",
                "5",
                "--origin",
                "real",
            ],
        )
    )
    asked = tour.run(
        Step(
            "11. A grounded answer, recorded in the graph",
            ["ask", "What is the daily ATM withdrawal limit?", "--record", "--json"],
            capture=True,
        )
    )
    answer = _json_of(asked.output) or {}
    if isinstance(answer, dict) and answer.get("id"):
        tour.run(Step("12. Trace the answer back to its sources", ["trace", str(answer["id"])]))
    tour.run(
        Step(
            "13. Delete a sample: it leaves every query and the index",
            [
                "delete",
                "--id",
                "kb-0003",
                "--dataset",
                "northwind-support",
                "--reason",
                "quickstart demo",
            ],
        )
    )
    tour.run(Step("14. The index matches the graph", ["index", "--check"]))
    tour.run(
        Step("15. Label agreement of the three annotators", ["agreement", "--field", "intent"])
    )
    tour.run(
        Step(
            "16. Drift between the two dataset versions",
            ["drift", "--dataset", "northwind-support", "--from", "2026.10", "--to", "2026.11"],
        )
    )
    run_ids: list[str] = []
    if with_eval:
        for kind in ("dense", "enriched"):
            out = tour.run(
                Step(
                    f"17. Evaluate the {kind} retriever on the expert golden set, sliced by "
                    "provenance (real vs synthetic gold passages, tags, annotators)",
                    ["eval", "--golden", str(golden), "--retriever", kind],
                    capture=True,
                )
            )
            found = re.search(r"^run (\S+)", out.output, re.MULTILINE)
            if found:
                run_ids.append(found.group(1))
        if len(run_ids) == 2:
            tour.run(
                Step(
                    "18. Compare the two runs (paired randomisation test)",
                    ["eval", "compare", *run_ids],
                )
            )
            tour.run(Step("19. HTML + Markdown report with plots", ["report", *run_ids]))
        _release_story(tour, golden)
    _summary(tour, run_ids)
    return ExitCode.ERROR if tour.failed else ExitCode.OK


def _gate_value(output: str) -> float | None:
    """nDCG@10 of the evaluation a ``release create --json`` ran (its first gate's value)."""
    created = _json_of(output)
    gates = created.get("gates") if isinstance(created, dict) else None
    value = gates[0].get("value") if gates else None
    return float(value) if isinstance(value, int | float) else None


def _release_story(tour: Tour, golden: Path) -> None:
    """v1 released, approved and served; v2 caught by a no-regression gate; its approval
    refused, then overridden; v2 promoted, rolled back; what went stale."""
    dataset = ["--dataset", "northwind-support"]
    v1 = tour.run(
        Step(
            "20. Release v1: its own index, evaluated on the golden set, KPI gate checked",
            [
                "release",
                "create",
                "v1",
                *dataset,
                "--version",
                "2026.10",
                "--golden",
                str(golden),
                "--gate",
                "ndcg@10>=0.7",
                "--json",
            ],
            capture=True,
        )
    )
    tour.run(
        Step(
            "21. A person approves v1",
            ["release", "approve", "v1", "--by", "alice", "--note", "gates met, spot-checked"],
        )
    )
    tour.run(
        Step(
            "22. Serve v1: search, ask, trace and eval now see exactly its samples",
            ["release", "promote", "v1", "--by", "alice", "--reason", "first release"],
        )
    )
    baseline = _gate_value(v1.output)
    gate = f"ndcg@10>={baseline:.4f}" if baseline is not None else "ndcg@10>=0.7"
    v2 = tour.run(
        Step(
            f"23. Release v2 with a no-regression gate ({gate}, v1's score)",
            [
                "release",
                "create",
                "v2",
                *dataset,
                "--version",
                "2026.11",
                "--golden",
                "northwind-golden",
                "--gate",
                gate,
            ],
            expect=(ExitCode.OK, ExitCode.CHECK_FAILED),
        )
    )
    if v2.code == ExitCode.CHECK_FAILED:
        tour.run(
            Step(
                "24. The gate caught a regression: approving v2 is refused (exit 2)",
                ["release", "approve", "v2", "--by", "bob"],
                expect=(ExitCode.CHECK_FAILED,),
            )
        )
        approve = ["--override", "--note", "the new rates must go out today"]
    else:
        approve = ["--note", "no regression"]
    tour.run(
        Step(
            "25. Approve v2 (a failed gate needs --override and a note)",
            ["release", "approve", "v2", "--by", "bob", *approve],
        )
    )
    tour.run(Step("26. Serve v2", ["release", "promote", "v2", "--by", "bob"]))
    tour.run(
        Step(
            "27. What changed from v1 to v2, and the metric deltas with p-values",
            ["release", "diff", "v1", "v2"],
        )
    )
    tour.run(
        Step(
            "28. Roll back: v1 is served again (recorded with who and why)",
            ["release", "rollback", "--by", "alice", "--reason", "nDCG@10 below v1 in production"],
        )
    )
    tour.run(Step("29. The releases, and which one is served", ["release", "list"]))
    tour.run(
        Step(
            "30. Stale: questions made from passages revised in v2, golden items too",
            ["lineage", "stale", *dataset],
        )
    )


def _provenance_query(external_id: str) -> str:
    from kg.queries import provenance_query_for

    return provenance_query_for(external_id)


def _summary(tour: Tour, run_ids: Sequence[str]) -> None:
    console = tour.console
    console.rule("[bold]Summary")
    table = Table("step", "exit", "seconds", "")
    for o in tour.outcomes:
        ok = o.code in o.step.expect
        table.add_row(
            o.step.title,
            str(o.code),
            f"{o.seconds:.1f}",
            "[green]as expected" if ok else "[red]unexpected",
        )
    console.print(table)
    home = tour.settings.home
    console.print(f"graph store:  {tour.settings.store_path}", highlight=False)
    console.print(f"quarantine:   {home / 'quarantine'}", highlight=False)
    if run_ids:
        console.print(f"eval runs:    {', '.join(run_ids)} (in {home / 'runs'})", highlight=False)
        console.print(f"report:       {home / 'reports'}", highlight=False)
    if tour.failed:
        console.print(f"[red]{len(tour.failed)} step(s) did not go as expected.")
    else:
        console.print(
            f"[green]Every step went as expected.[/] Try: .venv/bin/provrag --home {home} "
            "search 'card fees abroad' --explain",
            highlight=False,
        )
