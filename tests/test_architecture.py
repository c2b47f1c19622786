"""The house rules, enforced: layers, no import cycles, SPARQL only in kg/, no
``assert`` in shipped code, small modules.

Each test lists every offender (``file:line``) in its failure message, so one run
shows all that is left to fix.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: our importable packages, top layer first (pyproject.toml's import-linter contract)
PACKAGES = ("provrag", "evaluation", "retrieval", "ingest", "kg", "ontologies")
#: where SPARQL text must not appear (everything but kg/, the system of record)
NO_SPARQL_DIRS = ("ingest", "retrieval", "evaluation", "provrag", "scripts")
#: where modules must stay small
SMALL_MODULE_DIRS = ("kg", "ingest", "retrieval", "evaluation", "provrag", "scripts")
MAX_MODULE_LINES = 500
#: modules allowed past MAX_MODULE_LINES: repository path -> why (data, not code).
#: An entry whose module has shrunk under the limit (or is gone) fails the test too.
LONG_MODULE_EXCEPTIONS: dict[str, str] = {}


def _python_files(*dirs: str) -> Iterator[Path]:
    for d in dirs:
        yield from sorted((REPO / d).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def _module_file(module: str) -> str:
    base = REPO / module.replace(".", "/")
    return _rel(base / "__init__.py" if base.is_dir() else base.with_suffix(".py"))


def _fail_on(rule: str, offenders: list[str], fix: str) -> None:
    """Fail listing every offender, one a line (no traceback: the list is the message)."""
    if offenders:
        listing = "\n".join(f"  {o}" for o in offenders)
        pytest.fail(f"{len(offenders)} violation(s) of {rule}; {fix}:\n{listing}", pytrace=False)


# ----------------------------------------------------------------------- layers


def _lint_imports() -> str:
    """The ``lint-imports`` script of PyPI ``import-linter``: next to python, else on PATH."""
    local = Path(sys.executable).parent / "lint-imports"
    found = str(local) if local.is_file() else shutil.which("lint-imports")
    if found is None:
        pytest.fail(
            "the `lint-imports` command is missing, so the layer contract cannot be checked; "
            "install the test extras: pip install -e '.[test]'"
        )
    return found


def _run_lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_linter_contracts_are_kept() -> None:
    """provrag -> evaluation -> retrieval | ingest -> kg: imports only point down."""
    result = _run_lint_imports(REPO)
    if result.returncode != 0:
        pytest.fail(
            f"lint-imports found a broken contract (exit {result.returncode}); imports must "
            "point down the layers of pyproject.toml [tool.importlinter]:\n"
            f"{result.stdout}{result.stderr}",
            pytrace=False,
        )


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("kg", "ingest"),
        ("ingest", "retrieval"),
        ("retrieval", "ingest"),
        ("retrieval", "evaluation"),
        ("evaluation", "provrag"),
    ],
)
def test_the_contract_refuses_an_upward_or_sideways_import(
    tmp_path: Path, importer: str, imported: str
) -> None:
    """The contract of pyproject.toml, run on a stand-in tree with one bad import."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    for package in linter["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / importer / "bad.py").write_text(f"import {imported}\n", encoding="utf-8")
    contracts = "\n".join(
        "[[tool.importlinter.contracts]]\n"
        f"name = {c['name']!r}\ntype = {c['type']!r}\nlayers = {c['layers']!r}\n"
        for c in linter["contracts"]
        if c["type"] == "layers"  # the stand-in tree has the packages, not their modules
    )
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.importlinter]\nroot_packages = {linter['root_packages']!r}\n\n{contracts}",
        encoding="utf-8",
    )
    result = _run_lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{importer}.bad -> {imported}" in result.stdout


def test_no_import_cycles_among_our_modules() -> None:
    """Strongly connected components of grimp's import graph of our packages.

    Every import statement grimp finds counts: module level, ``TYPE_CHECKING``
    blocks and imports deferred into functions alike.
    """
    import grimp
    import networkx as nx

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    imports = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    offenders: list[str] = []
    for component in nx.strongly_connected_components(imports):
        if len(component) < 2:
            continue
        cycle = [a for a, _ in nx.find_cycle(imports.subgraph(component))]
        edges = []
        for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            detail = graph.get_import_details(importer=a, imported=b)
            line = detail[0]["line_number"] if detail else 1
            edges.append(f"{_module_file(a)}:{line} ({a} imports {b})")
        members = (
            f" (one cycle of {', '.join(sorted(component))})" if len(component) > len(cycle) else ""
        )
        offenders.append(
            " -> ".join([*cycle, cycle[0]]) + members + "\n    " + "\n    ".join(edges)
        )
    _fail_on(
        "'no import cycles'",
        sorted(offenders),
        "move what both sides need into a module below them, or invert the dependency",
    )


# ----------------------------------------------------------------------- SPARQL

#: SPARQL's ``PREFIX p: <...>`` (Turtle's ``@prefix`` is not SPARQL)
_PREFIX_DECL = re.compile(r"(?<![@\w])PREFIX\s+[\w-]*:\s*<", re.IGNORECASE)
_VARIABLE = re.compile(r"(?<![\w?$])[?$][A-Za-z_]\w*")
_KEYWORD = re.compile(
    r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|WHERE|FILTER|OPTIONAL|BIND|VALUES|"
    r"GRAPH|UNION|MINUS|NOT EXISTS)\b",
    re.IGNORECASE,
)
_PREFIXED_NAME = re.compile(r"(?<![\w:/])(pr|prid|prov|skos|dcat|dcterms|rdfs?|xsd|sh):\w")
#: a formatted value of an f-string stands in as a name, so ``?{var}`` reads as a variable
_HOLE = "x_"


def looks_like_sparql(text: str) -> bool:
    """Whether a string reads as SPARQL rather than SQL or prose.

    SPARQL: a ``PREFIX`` declaration; or a ``?variable`` with a SPARQL keyword or a
    prefixed name (``pr:``, ``prov:``...); or a keyword, a prefixed name and a ``{``.
    SQLite's SQL has keywords too, but its parameters are a bare ``?``.
    """
    if _PREFIX_DECL.search(text):
        return True
    keyword = _KEYWORD.search(text) is not None
    pname = _PREFIXED_NAME.search(text) is not None
    if _VARIABLE.search(text):
        return keyword or pname
    return keyword and pname and "{" in text


def _docstrings(tree: ast.Module) -> set[int]:
    nodes: list[ast.AST] = [tree]
    nodes += [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    found: set[int] = set()
    for node in nodes:
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, text) of every string constant and f-string but the docstrings."""
    skip = _docstrings(tree)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append(_HOLE)
            yield node.lineno, "".join(parts)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and id(node) not in inside_fstring
        ):
            yield node.lineno, node.value


def sparql_offenders(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, text in _strings(tree):
            if looks_like_sparql(text):
                first = next((s.strip() for s in text.splitlines() if s.strip()), "")
                out.append(f"{_rel(path)}:{line}: {first[:70]}")
    return sorted(out, key=_by_place)


def _by_place(offender: str) -> tuple[str, int]:
    path, line, *_ = offender.split(":")
    return path, int(line)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s a pr:Sample }",
        "PREFIX pr: <https://w3id.org/provrag/ns#>\nASK {}",
        "  ?s pr:mentions ?e .",
        f"ASK {{ <{_HOLE}> pr:contentHash ?h }}",
        "FILTER(?origin = 'real')",
    ],
)
def test_the_sparql_detector_sees_sparql(text: str) -> None:
    assert looks_like_sparql(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT dimension FROM models WHERE model = ?",
        "SELECT COUNT(*) FROM embeddings WHERE model = ? AND text_hash IN (?, ?)",
        "the sample is a prov:Entity; see docs/sparql.md",
        "Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).",
        "https://example.org/search?q=1",
        "@prefix pr: <https://w3id.org/provrag/ns#> .",
    ],
)
def test_the_sparql_detector_lets_sql_and_prose_pass(text: str) -> None:
    assert not looks_like_sparql(text)


def test_the_sparql_detector_reads_fstrings_and_skips_docstrings(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Module doc: SELECT ?s WHERE { ?s a pr:Sample }."""\n'
        "def f(v):\n"
        '    """SELECT ?s WHERE { ?s a pr:Sample }"""\n'
        '    return f"SELECT ?{v} WHERE {{ ?{v} pr:origin ?o }}"\n',
        encoding="utf-8",
    )
    found = sparql_offenders([module])
    assert [o.split(":", 2)[1] for o in found] == ["4"], found


def test_no_sparql_outside_kg() -> None:
    """Every SPARQL text lives in kg/ (mostly kg/queries) as a named query function."""
    offenders = sparql_offenders(list(_python_files(*NO_SPARQL_DIRS)))
    _fail_on(
        "'SPARQL lives in kg/'",
        offenders,
        "move each query into a named function of kg/queries and call it",
    )


# ----------------------------------------------------------------------- asserts


def test_no_assert_outside_tests() -> None:
    """``assert`` vanishes under ``python -O``: real checks raise the package's errors."""
    offenders = []
    for path in _python_files(*PACKAGES, "scripts"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{_rel(path)}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)
        ]
    _fail_on(
        "'no assert outside tests/'",
        sorted(offenders, key=_by_place),
        "raise an error of the package's errors.py (or narrow the type another way)",
    )


# ----------------------------------------------------------------------- module size


def test_modules_stay_under_the_line_limit() -> None:
    offenders = []
    stale = []
    for path in _python_files(*SMALL_MODULE_DIRS):
        rel = _rel(path)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if rel in LONG_MODULE_EXCEPTIONS:
            if lines <= MAX_MODULE_LINES:
                stale.append(f"{rel}:1 has {lines} lines: drop its exception")
        elif lines > MAX_MODULE_LINES:
            offenders.append(f"{rel}:{MAX_MODULE_LINES + 1} ({lines} lines)")
    stale += [
        f"{rel}: no such module" for rel in LONG_MODULE_EXCEPTIONS if not (REPO / rel).is_file()
    ]
    _fail_on(
        f"'modules under {MAX_MODULE_LINES} lines'",
        sorted(offenders) + stale,
        "split the module along its seams (or declare data in LONG_MODULE_EXCEPTIONS, with why)",
    )
