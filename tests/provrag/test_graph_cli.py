"""``provrag init | sparql | stats | export | import`` on an embedded store under ``--home``.

(``validate`` is tested with the SHACL shapes.)
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.graph import ONTOLOGY_GRAPH
from kg.model import SampleRecord
from provrag.cli import app
from provrag.commands.graph_cmds import CONFIG_TEMPLATE
from provrag.exit_codes import ExitCode
from provrag.settings import Settings, load_settings
from provrag.wiring import open_kg

RECORDS = [
    SampleRecord.model_validate(
        {
            "id": "kb-1",
            "text": "Freeze a lost card in the app.",
            "origin": "synthetic",
            "dataset": "support-kb",
            "version": "2026.11",
            "generation": {"generator": "faq-paraphraser", "prompt_version": "3", "seed": 7},
        }
    ),
    SampleRecord.model_validate(
        {
            "id": "kb-2",
            "text": "Cards can be replaced — ça marche.",
            "origin": "real",
            "dataset": "support-kb",
            "version": "2026.11",
            "labels": [
                {
                    "field": "intent",
                    "value": "card_lost",
                    "annotator": "ann-1",
                    "guideline_version": "1.2",
                }
            ],
        }
    ),
]
COUNT_SAMPLES = (
    "SELECT ?origin (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample ; pr:origin ?origin } "
    "GROUP BY ?origin ORDER BY ?origin"
)


def run(home: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--home", str(home), *args])


def _make_home(path: Path, write_samples: Any) -> Path:
    kg = open_kg(load_settings(path))
    write_samples(kg, RECORDS)
    kg.store.close()
    del kg
    gc.collect()  # drop the store object: it holds the RocksDB lock
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, write_samples: Any) -> Path:
    """A home with RECORDS, shared by the tests that do not change the graph."""
    return _make_home(tmp_path_factory.mktemp("shared") / "home", write_samples)


@pytest.fixture
def own_home(tmp_path: Path, write_samples: Any) -> Path:
    """A home with RECORDS for one test that changes the graph."""
    return _make_home(tmp_path / "home", write_samples)


def nquads_of(home: Path, tmp_path: Path, name: str) -> ox.Dataset:
    out = tmp_path / name
    result = run(home, "export", "--format", "nquads", "--output", str(out))
    assert result.exit_code == 0, result.output
    ds = ox.Dataset(ox.parse(out.read_bytes(), ox.RdfFormat.N_QUADS))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ds


# ---------------------------------------------------------------------------- init


def test_init_creates_home_settings_store_and_ontology(tmp_path: Path) -> None:
    home = tmp_path / "new-home"
    result = run(home, "init")
    assert result.exit_code == 0, result.output
    assert (home / "provrag.toml").read_text(encoding="utf-8") == CONFIG_TEMPLATE
    assert (home / "store").is_dir()
    ask = run(home, "sparql", f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ pr:Sample a ?type }} }}")
    assert ask.output.strip() == "true"


def test_init_keeps_an_existing_settings_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "provrag.toml").write_text("chunk_size = 10\n", encoding="utf-8")
    assert run(home, "init").exit_code == 0
    assert run(home, "init").exit_code == 0
    assert (home / "provrag.toml").read_text(encoding="utf-8") == "chunk_size = 10\n"


def test_settings_template_covers_every_setting_and_uncomments_to_valid_settings(
    tmp_path: Path,
) -> None:
    uncommented = "\n".join(
        line[2:] for line in CONFIG_TEMPLATE.splitlines() if re.match(r"# (\[\w+\]|\w+ = )", line)
    )
    values = tomllib.loads(uncommented)
    (tmp_path / "provrag.toml").write_text(uncommented, encoding="utf-8")
    settings = load_settings(tmp_path)
    assert set(values) == set(Settings.model_fields) - {"home"}
    assert settings.retrieval.rrf_k == values["retrieval"]["rrf_k"]


# -------------------------------------------------------------------------- sparql


def test_sparql_table(home: Path) -> None:
    result = run(home, "sparql", COUNT_SAMPLES)
    assert result.exit_code == 0, result.output
    assert re.search(r"real\s*│\s*1", result.output)
    assert re.search(r"synthetic\s*│\s*1", result.output)


def test_sparql_json_is_sparql_results_json(home: Path) -> None:
    result = run(home, "sparql", COUNT_SAMPLES, "--format", "json")
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["origin", "n"]
    assert data["results"]["bindings"][0] == {
        "origin": {"type": "literal", "value": "real"},
        "n": {
            "type": "literal",
            "value": "1",
            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
        },
    }
    # an independent parser reads it back
    parsed = ox.parse_query_results(result.stdout, ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [s["origin"].value for s in parsed] == ["real", "synthetic"]


def test_sparql_csv(home: Path) -> None:
    query = "SELECT ?id ?text WHERE { ?s pr:externalId ?id ; pr:text ?text } ORDER BY ?id"
    result = run(home, "sparql", query, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows == [["id", "text"], *[[r.id, r.text] for r in RECORDS]]


def test_sparql_ask(home: Path) -> None:
    result = run(home, "sparql", 'ASK { ?s pr:externalId "kb-1" }', "--format", "json")
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}
    assert run(home, "sparql", 'ASK { ?s pr:externalId "nope" }').output.strip() == "false"


def test_sparql_construct_as_turtle(home: Path) -> None:
    query = "CONSTRUCT { ?s pr:text ?text } WHERE { ?s pr:text ?text }"
    result = run(home, "sparql", query, "--format", "turtle")
    assert result.exit_code == 0, result.output
    assert "@prefix pr:" in result.stdout
    texts = {q.object.value for q in ox.parse(result.stdout, ox.RdfFormat.TURTLE)}
    assert texts == {r.text for r in RECORDS}


def test_sparql_describe_as_json_ld(home: Path) -> None:
    query = 'DESCRIBE ?s WHERE { ?s pr:externalId "kb-2" }'
    result = run(home, "sparql", query, "--format", "json")
    quads = list(ox.parse(result.stdout, ox.RdfFormat.JSON_LD))
    assert any(q.object == ox.Literal(RECORDS[1].text) for q in quads)


def test_sparql_from_file(home: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "count.rq"
    query_file.write_text("# how many?\n" + COUNT_SAMPLES, encoding="utf-8")
    result = run(home, "sparql", "--file", str(query_file), "--format", "csv")
    assert result.stdout.splitlines() == ["origin,n", "real,1", "synthetic,1"]


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> "c" } }',
        "PREFIX ex: <http://example.org/>\nDROP ALL",
    ],
)
def test_sparql_refuses_updates(home: Path, tmp_path: Path, update: str) -> None:
    before = nquads_of(home, tmp_path, "before.nq")
    result = run(home, "sparql", update)
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert nquads_of(home, tmp_path, "after.nq") == before


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["SELECT ?s WHERE { ?s ?p "], "syntax", ExitCode.ERROR),
        ([], "exactly one", ExitCode.USAGE),
        (["SELECT * {}", "--format", "xml"], "unknown --format", ExitCode.USAGE),
        (["SELECT * { ?s ?p ?o }", "--format", "turtle"], "CONSTRUCT or DESCRIBE", ExitCode.USAGE),
        (["--file", "/no/such/query.rq"], "cannot read", ExitCode.ERROR),
    ],
)
def test_sparql_errors_exit_with_a_message(
    home: Path, args: list[str], message: str, code: ExitCode
) -> None:
    result = run(home, "sparql", *args)
    assert result.exit_code == code
    assert message in " ".join(result.stderr.split())


# --------------------------------------------------------------------------- stats


def test_stats_json(home: Path) -> None:
    result = run(home, "stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["totals"]["samples_current"] == len(RECORDS)
    assert data["by_origin"] == {"real": 1, "synthetic": 1}
    assert data["by_annotator"] == [
        {"annotator": "ann-1", "kind": "human", "labels": 1, "samples": 1}
    ]


def test_stats_tables(home: Path) -> None:
    result = run(home, "stats")
    assert result.exit_code == 0, result.output
    assert "Current samples by generator config" in result.output
    assert "faq-paraphraser" in result.output
    assert "ann-1" in result.output


# ------------------------------------------------------------------------ validate


def test_validate_exits_0_on_a_conforming_graph_and_2_on_a_broken_one(own_home: Path) -> None:
    result = run(own_home, "validate")
    assert result.exit_code == ExitCode.OK, result.output
    kg = open_kg(load_settings(own_home))
    kg.update(
        'DELETE { GRAPH ?g { ?s pr:origin "real" } } INSERT { GRAPH ?g { ?s pr:origin "alien" } } '
        'WHERE { GRAPH ?g { ?s pr:origin "real" } }'
    )
    kg.store.close()
    del kg
    gc.collect()  # release the store's lock
    result = run(own_home, "validate", "--json")
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    report = json.loads(result.stdout)
    assert not report["conforms"]
    assert any(v["path"] == "pr:origin" and v["value"] == "alien" for v in report["violations"])


# ------------------------------------------------------------------ export / import


@pytest.mark.parametrize("suffix", [".trig", ".nq"])
def test_export_then_import_into_a_new_home_is_isomorphic(
    home: Path, tmp_path: Path, suffix: str
) -> None:
    backup = tmp_path / f"backup{suffix}"
    exported = run(home, "export", "--output", str(backup))
    other = tmp_path / "other-home"
    imported = run(other, "import", str(backup))
    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert nquads_of(other, tmp_path, "b.nq") == nquads_of(home, tmp_path, "a.nq")


def test_turtle_export_and_reimport_of_the_same_file(home: Path, tmp_path: Path) -> None:
    union = tmp_path / "union.ttl"
    assert run(home, "export", "--format", "turtle", "--output", str(union)).exit_code == 0
    other = tmp_path / "other-home"
    first = run(other, "import", str(union))
    second = run(other, "import", str(union))
    assert first.exit_code == 0, first.output
    assert "imported" in first.output
    assert "imported before" in second.output
    count = run(
        other, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a pr:Sample }", "--format", "csv"
    )
    assert count.stdout.splitlines()[1] == str(len(RECORDS))


def test_import_into_a_named_graph(own_home: Path, tmp_path: Path) -> None:
    home = own_home
    vocab = tmp_path / "terms.nt"
    vocab.write_text(
        '<http://example.org/card> <http://www.w3.org/2000/01/rdf-schema#label> "card" .\n',
        encoding="utf-8",
    )
    result = run(home, "import", str(vocab), "--graph", "http://example.org/graph/terms")
    assert result.exit_code == 0, result.output
    ask = run(
        home, "sparql", 'ASK { GRAPH <http://example.org/graph/terms> { ?c rdfs:label "card" } }'
    )
    assert ask.output.strip() == "true"


@pytest.mark.parametrize(("fmt", "read"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_lineage_graph_export_reads_back_with_networkx(
    home: Path, tmp_path: Path, fmt: str, read: Any
) -> None:
    out = tmp_path / f"lineage.{fmt}"
    result = run(home, "export", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert f"as {fmt} to" in result.output
    graph = read(out)
    samples = {d["external_id"]: d for _, d in graph.nodes(data=True) if d["node_type"] == "sample"}
    assert samples.keys() == {"kb-1", "kb-2"}
    synthetic, real = samples["kb-1"], samples["kb-2"]
    assert (synthetic["origin"], synthetic["generator"], synthetic["prompt_version"]) == (
        "synthetic",
        "faq-paraphraser",
        "3",
    )
    assert synthetic["seed"] == 7 and synthetic["current"] is True
    assert (synthetic["dataset"], synthetic["version"], synthetic["kind"]) == (
        "support-kb",
        "2026.11",
        "passage",
    )
    assert (real["origin"], real["annotators"], real["guideline_versions"]) == (
        "real",
        "ann-1",
        "1.2",
    )
    assert "generator" not in real
    types = {d["node_type"] for _, d in graph.nodes(data=True)}
    assert types == {"sample", "generator_config", "annotator", "dataset_version"}
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    assert relations == {"generated_by_config", "labelled_by", "in_version"}


def test_lineage_graph_export_by_format_flag(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "lineage.xml"
    result = run(home, "export", "--format", "graphml", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).number_of_nodes() == 5
    assert not out.with_name("lineage.xml.part").exists()


def test_export_needs_a_known_format(home: Path, tmp_path: Path) -> None:
    result = run(home, "export", "--output", str(tmp_path / "graph.xyz"))
    assert result.exit_code == ExitCode.USAGE
    assert "--format" in result.stderr


def test_import_of_broken_rdf_names_the_file(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    result = run(home, "import", str(broken))
    assert result.exit_code == 1
    assert "broken.ttl" in result.stderr
