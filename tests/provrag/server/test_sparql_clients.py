"""Acceptance: SPARQLWrapper and rdflib's SPARQLStore, against a real ``provrag serve``
on 127.0.0.1, run SELECT, ASK and CONSTRUCT in JSON and XML with the answers of
``provrag sparql``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper
from typer.testing import CliRunner

from provrag.cli import app
from tests.conftest import bearer
from tests.provrag.server.conftest import write_records
from tests.servers import free_port, running

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 60.0
PR = "https://w3id.org/provrag/ns#"

SELECT = (
    f"PREFIX pr: <{PR}> SELECT ?id ?origin WHERE {{ ?s pr:externalId ?id ; pr:origin ?origin }}"
)
ASK_YES = f"PREFIX pr: <{PR}> ASK {{ ?s pr:externalId 'p3' ; pr:origin 'synthetic' }}"
ASK_NO = f"PREFIX pr: <{PR}> ASK {{ ?s pr:externalId 'p3' ; pr:origin 'real' }}"
CONSTRUCT = (
    f"PREFIX pr: <{PR}> CONSTRUCT {{ ?s pr:externalId ?id ; pr:text ?text }} "
    "WHERE { ?s pr:externalId ?id ; pr:text ?text }"
)


@dataclass
class Served:
    endpoint: str
    #: the Authorization header of an admin token
    headers: dict[str, str]
    #: the answers of `provrag sparql --format json`, by query
    cli: dict[str, Any]


def _cli(home: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`provrag serve` on a project of three samples, and the CLI's answers on it."""
    home = tmp_path_factory.mktemp("home")
    data = write_records(tmp_path_factory.mktemp("data") / "kb.jsonl")
    _cli(home, "ingest", str(data), "--no-ner", "--no-index", "--json")
    # the CLI first: the embedded store has one owner at a time, then the server
    cli = {q: json.loads(_cli(home, "sparql", q, "--format", "json")) for q in (SELECT,)}
    cli |= {q: json.loads(_cli(home, "sparql", q, "--format", "json")) for q in (ASK_YES, ASK_NO)}
    cli[CONSTRUCT] = _cli(home, "sparql", CONSTRUCT, "--format", "turtle")
    headers = bearer(home)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROVRAG_NER": "false"}
    command = [sys.executable, "-m", "provrag.cli", "--home", str(home), "serve"]
    with running(
        [*command, "--host", "127.0.0.1", "--port", str(port)], f"{base}/health",
        name="provrag serve", timeout_s=START_TIMEOUT_S, env=env, cwd=ROOT,
    ):  # fmt: skip
        yield Served(f"{base}/sparql", headers, cli)


def _rows(bindings: list[dict[str, Any]]) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings}


def _rdflib_rows(result: Any) -> set[tuple[tuple[str, str], ...]]:  # noqa: ANN401
    return {
        tuple(sorted((str(v), str(row[v])) for v in result.vars if row[v] is not None))
        for row in result
    }


def _cli_graph(served: Served) -> rdflib.Graph:
    return rdflib.Graph().parse(data=served.cli[CONSTRUCT], format="turtle")


def _wrapper(served: Served, query: str, fmt: str, method: str = "GET") -> Any:  # noqa: ANN401
    client = SPARQLWrapper(served.endpoint)
    for name, value in served.headers.items():
        client.addCustomHttpHeader(name, value)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.queryAndConvert()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_json_and_xml(served: Served, method: str) -> None:
    expected = _rows(served.cli[SELECT]["results"]["bindings"])
    as_json = _wrapper(served, SELECT, JSON, method)
    as_xml = _wrapper(served, SELECT, XML, method)  # an xml.dom document
    xml_rows = {
        tuple(
            sorted(
                (b.getAttribute("name"), b.firstChild.firstChild.data)
                for b in result.getElementsByTagName("binding")
            )
        )
        for result in as_xml.getElementsByTagName("result")
    }
    assert _rows(as_json["results"]["bindings"]) == expected == xml_rows
    assert len(expected) == 3


@pytest.mark.parametrize("query", [ASK_YES, ASK_NO])
def test_sparqlwrapper_ask_in_json_and_xml(served: Served, query: str) -> None:
    expected = served.cli[query]["boolean"]
    as_json = _wrapper(served, query, JSON)["boolean"]
    as_xml = _wrapper(served, query, XML).getElementsByTagName("boolean")[0].firstChild.data
    assert as_json is expected and as_xml == ("true" if expected else "false")


def test_sparqlwrapper_construct_in_json_and_xml(served: Served) -> None:
    as_json = _wrapper(served, CONSTRUCT, JSON)  # JSON-LD, read into an rdflib graph
    as_xml = _wrapper(served, CONSTRUCT, XML)  # RDF/XML, read into an rdflib graph
    expected = _cli_graph(served)
    assert len(expected) == 6
    assert isomorphic(as_json, expected) and isomorphic(as_xml, expected)


@pytest.mark.parametrize("method", ["GET", "POST_FORM"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_rdflib_sparqlstore_select_and_ask(served: Served, fmt: str, method: str) -> None:
    store = SPARQLStore(served.endpoint, returnFormat=fmt, method=method, headers=served.headers)
    graph = rdflib.Graph(store)
    assert _rdflib_rows(graph.query(SELECT)) == _rows(served.cli[SELECT]["results"]["bindings"])
    for query in (ASK_YES, ASK_NO):
        assert graph.query(query).askAnswer is served.cli[query]["boolean"]


@pytest.mark.parametrize("fmt", ["json-ld", "xml"])
def test_rdflib_sparqlstore_construct(served: Served, fmt: str) -> None:
    # rdflib asks a CONSTRUCT's answer in the returnFormat's media types: for JSON that is
    # JSON-LD (its "json" names SPARQL results, which a graph cannot be written in: 406)
    graph = rdflib.Graph(SPARQLStore(served.endpoint, returnFormat=fmt, headers=served.headers))
    answer = graph.query(CONSTRUCT).graph
    assert answer is not None and isomorphic(answer, _cli_graph(served))
