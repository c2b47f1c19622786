"""The Python API (``provrag.open``) on the bundled example data, without models: a
memory store, no NER, no index (search, ask and evaluate need the embedding model:
the parity and README tests run them)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import provrag
from kg.errors import StoreError
from provrag.api import Client, SparqlResult
from provrag.quickstart import example_data_dir

DATA = example_data_dir()
DATASET = "northwind-support"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    home = tmp_path_factory.mktemp("home")
    with provrag.open(home, store="memory", ner=False) as pr:
        for name in ("kb_v1.jsonl", "kb_v2.jsonl"):
            assert pr.ingest(DATA / name, index=False).report.new > 0
        yield pr


def test_open_applies_the_overrides(client: Client) -> None:
    assert (client.settings.store, client.settings.ner) == ("memory", False)
    assert "memory" in repr(client)


def test_a_client_closes_its_store(tmp_path: Path) -> None:
    with provrag.open(tmp_path) as pr:
        kg = pr.kg
    with pytest.raises(StoreError, match="closed"):
        kg.query("ASK {}")


def test_select_rows_and_dataframe(client: Client) -> None:
    result = client.sparql(
        "SELECT ?origin (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample ; pr:origin ?origin } "
        "GROUP BY ?origin ORDER BY ?origin"
    )
    assert result.kind == "select" and result.variables == ["origin", "n"]
    assert [r["origin"] for r in result.rows] == ["real", "synthetic"]
    assert all(isinstance(r["n"], int) and r["n"] > 0 for r in result)
    frame = result.to_dataframe()
    assert list(frame.columns) == ["origin", "n"] and len(frame) == 2


def test_ask_is_a_bool(client: Client) -> None:
    assert client.sparql("ASK { ?s pr:externalId 'kb-0001' }")
    assert not client.sparql("ASK { ?s pr:externalId 'no-such-id' }")


def test_construct_gives_turtle_and_an_rdflib_graph(client: Client) -> None:
    result: SparqlResult = client.sparql(
        "CONSTRUCT { ?s pr:externalId ?id } WHERE { ?s pr:externalId ?id } LIMIT 3"
    )
    assert result.kind == "graph" and len(result) == 3
    assert "pr:externalId" in result.turtle
    assert len(result.graph) == 3
    assert list(result.to_dataframe().columns) == ["subject", "predicate", "object"]


def test_stats_are_dataframes(client: Client) -> None:
    frames = client.stats()
    assert frames["totals"].loc[0, "samples_current"] > 0
    assert set(frames["by_origin"]["origin"]) == {"real", "synthetic"}
    assert {"dataset", "version", "samples"} <= set(frames["by_dataset_version"].columns)


def test_agreement_as_dataframes(client: Client) -> None:
    result = client.agreement("intent", dataset=DATASET)
    assert result.summary.loc[0, "annotators"] == len(result.report.annotators) >= 2
    assert len(result.pairs) == len(result.report.pairs)
    assert list(result.disagreements.columns)[:2] == ["sample", "origin"]
    assert len(result.disagreements) == len(result.report.disagreements) > 0


def test_drift_as_dataframes(client: Client) -> None:
    result = client.drift(DATASET, "2026.10", "2026.11")
    assert result.samples.loc[0, "changed"] == result.report.samples.changed > 0
    assert {"origin", "prompt_version"} <= set(result.distributions["distribution"])
    assert list(result.lengths["version"]) == ["2026.10", "2026.11"]


def test_trace_of_a_sample(client: Client) -> None:
    outcome = client.trace("kb-0001", dataset=DATASET)
    assert outcome.to_dict()["kind"] == "sample"
    assert "prov:" in client.trace("kb-0001", "turtle", dataset=DATASET).document


def test_a_dataframe_is_ingested_like_a_file(client: Client) -> None:
    frame = pd.DataFrame(
        [
            {"id": "df-1", "text": "A row from a notebook.", "origin": "real"},
            {"id": "df-2", "text": "Another row.", "origin": "unknown-origin"},
        ]
    )
    outcome = client.ingest(frame, dataset="notebook", version="1", index=False)
    assert (outcome.report.new, outcome.report.quarantined, int(outcome.exit_code)) == (1, 1, 3)
    assert client.sparql("ASK { ?s pr:externalId 'df-1' }")


def test_importing_provrag_loads_neither_pandas_nor_the_api() -> None:
    code = "import sys, provrag; print('pandas' in sys.modules, 'provrag.api' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_alerts_as_a_dataframe(client: Client) -> None:
    from provrag.services.alerts import check_threshold

    aid = check_threshold(
        client.kg,
        monitor="coverage",
        measure="real_covered_share",
        value=0.5,
        threshold=0.8,
        comparator=">=",
        dataset=DATASET,
    )
    frame = client.alerts()
    row = frame.set_index("alert_id").loc[aid]
    assert row["monitor"] == "coverage" and row["value"] == 0.5 and row["note"] is None
