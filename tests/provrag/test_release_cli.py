"""Issue 10's acceptance, on the example data: releases A (v1) and B (v2), serving,
promotion, rollback, refusals that change nothing, and the stale report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provrag.cli import app
from provrag.exit_codes import ExitCode
from tests.conftest import bearer
from tests.provrag.stores import graph

pytestmark = pytest.mark.model

DATA = Path(__file__).resolve().parents[2] / "provrag" / "example_data"
DATASET = "northwind-support"
QUERY = "What is the fee for an international payment?"


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def run_json(home: Path, *args: str) -> object:
    code, out = run(home, *args, "--json")
    assert code == 0, out
    return json.loads(out)


def records(name: str) -> dict[str, dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in (json.loads(line) for line in lines if line.strip())}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 ingested and released as A (approved), v2 ingested and released as B with a
    gate it misses."""
    home = tmp_path_factory.mktemp("releases")
    (home / "provrag.toml").write_text("ner = false\n", encoding="utf-8")
    golden = str(DATA / "golden.jsonl")
    assert run(home, "ingest", str(DATA / "kb_v1.jsonl"))[0] == 0
    code, out = run(
        home, "release", "create", "A", "--dataset", DATASET, "--version", "2026.10",
        "--golden", golden, "--gate", "ndcg@10>=0.5",
    )  # fmt: skip
    assert code == 0, out
    assert run(home, "release", "approve", "A", "--by", "alice", "--note", "v1 ok")[0] == 0
    assert run(home, "ingest", str(DATA / "kb_v2.jsonl"))[0] == 0
    code, out = run(
        home, "release", "create", "B", "--dataset", DATASET, "--version", "2026.11",
        "--golden", "northwind-golden", "--gate", "ndcg@10>=0.999",
    )  # fmt: skip
    assert code == ExitCode.CHECK_FAILED, out
    return home


@pytest.fixture
def home(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(base, copy)
    return copy


def members(home: Path, name: str) -> set[str]:
    manifest = json.loads((home / "releases" / name / "manifest.json").read_text("utf-8"))
    return {m["revision"] for m in manifest["members"]}


def hit_iris(home: Path, *extra: str) -> list[str]:
    payload = run_json(home, "search", QUERY, "-k", "20", *extra)
    assert isinstance(payload, dict)
    return [h["sample_iri"] for h in payload["hits"]]


def test_search_release_returns_only_its_revisions(home: Path) -> None:
    a, b = members(home, "A"), members(home, "B")
    hits = hit_iris(home, "--release", "A")
    assert hits and set(hits) <= a
    assert set(hits) - b  # a revision v2 revised: A still serves the old text
    assert set(hit_iris(home, "--release", "B")) <= b


def test_promote_then_rollback_serves_a_again_and_records_who_and_why(home: Path) -> None:
    a, b = members(home, "A"), members(home, "B")
    assert run(home, "release", "promote", "A", "--by", "bob")[0] == 0
    assert set(hit_iris(home)) <= a
    code, out = run(home, "release", "approve", "B", "--by", "alice", "--override",
                    "--note", "known regression")  # fmt: skip
    assert code == 0, out
    assert run(home, "release", "promote", "B", "--by", "bob", "--reason", "v2")[0] == 0
    assert set(hit_iris(home)) <= b and set(hit_iris(home)) - a
    code, out = run(home, "release", "rollback", "--by", "carol", "--reason", "fee is wrong")
    assert code == 0, out
    assert set(hit_iris(home)) <= a
    with graph(home) as kg:
        rows = kg.select(
            "SELECT ?by ?why ?to ?from WHERE { ?r a pr:ReleaseRollback ; "
            "prov:wasAssociatedWith ?p ; pr:note ?why ; pr:release ?to ; "
            "pr:replacedRelease ?from ; prov:endedAtTime ?t . ?p rdfs:label ?by }"
        )
    assert {(r["by"], r["why"], r["to"][-1], r["from"][-1]) for r in rows} == {
        ("carol", "fee is wrong", "A", "B")
    }


@pytest.mark.parametrize(
    "args",
    [
        ("release", "promote", "B", "--by", "bob"),  # not approved
        ("release", "approve", "B", "--by", "alice"),  # its gate failed, no --override
        ("release", "create", "A", "--dataset", DATASET),  # the name is taken
    ],
)
def test_refusals_exit_2_and_change_nothing(home: Path, args: tuple[str, ...]) -> None:
    with graph(home) as kg:
        before = kg.store.quad_count()
    code, out = run(home, *args)
    assert code == ExitCode.CHECK_FAILED, out
    with graph(home) as kg:
        assert kg.store.quad_count() == before


def test_lineage_stale_lists_the_synthetic_samples_of_revised_passages(home: Path) -> None:
    v1, v2 = records("kb_v1.jsonl"), records("kb_v2.jsonl")
    revised = {i for i in v2 if i in v1 and v1[i]["text"] != v2[i]["text"]}
    expected = sorted(
        i
        for i, r in v2.items()
        if r["origin"] == "synthetic"
        and i in v1
        and v1[i]["text"] == r["text"]  # not regenerated in v2: still made from the old text
        and set(r.get("derived_from") or []) & revised  # type: ignore[arg-type]
    )
    payload = run_json(home, "lineage", "stale", "--dataset", DATASET)
    assert isinstance(payload, dict)
    assert sorted(s["external_id"] for s in payload["stale_samples"]) == expected
    assert {s["reason"] for s in payload["stale_samples"]} == {"revised"}
    assert payload["stale_golden_items"]


def test_show_reports_the_stale_share_and_diff_the_changes(home: Path) -> None:
    shown = run_json(home, "release", "show", "A")
    assert isinstance(shown, dict)
    assert shown["stale"] > 0 and shown["stale_share"] == shown["stale"] / shown["members"]
    assert shown["approvals"][0]["by"] == "alice"
    diff = run_json(home, "release", "diff", "A", "B")
    assert isinstance(diff, dict)
    assert diff["added"]["count"] == 15 and diff["revised"]["count"] == 25
    assert diff["removed"]["count"] == 0
    assert diff["revised"]["origin"] == {"real": 10, "synthetic": 15}
    assert {m["metric"] for m in diff["metrics"]} >= {"ndcg@10"}
    assert all(0.0 <= m["p_value"] <= 1.0 for m in diff["metrics"])


def test_delete_cascade_invalidates_what_was_derived(home: Path) -> None:
    v2 = records("kb_v2.jsonl")
    derived = sorted(i for i, r in v2.items() if "kb-0001" in (r.get("derived_from") or []))  # type: ignore[operator]
    assert derived
    code, out = run(home, "delete", "--id", "kb-0001", "--dataset", DATASET, "--cascade", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["cascaded"] == len(derived)
    assert sorted(report["cascaded_samples"]) == derived


def test_the_server_serves_the_promoted_release(home: Path) -> None:
    from fastapi.testclient import TestClient

    from provrag.server import create_app
    from provrag.settings import load_settings

    assert run(home, "release", "promote", "A", "--by", "bob")[0] == 0
    auth = bearer(home)
    with TestClient(create_app(load_settings(home)), headers=auth) as client:
        served = client.get("/search", params={"q": QUERY, "k": 20})
        other = client.get("/search", params={"q": QUERY, "k": 20, "release": "current"})
        unknown = client.get("/search", params={"q": QUERY, "release": "nope"})
    assert served.status_code == 200 and other.status_code == 200
    assert {h["sample_iri"] for h in served.json()} <= members(home, "A")
    assert {h["sample_iri"] for h in other.json()} - members(home, "A")
    assert unknown.status_code == 404


def test_an_override_without_a_note_is_a_usage_error(home: Path) -> None:
    with graph(home) as kg:
        before = kg.store.quad_count()
    code, out = run(home, "release", "approve", "B", "--by", "alice", "--override")
    assert code == ExitCode.USAGE, out
    with graph(home) as kg:
        assert kg.store.quad_count() == before


def test_the_python_api_promotes_and_serves(home: Path) -> None:
    import provrag

    with provrag.open(home) as pr:
        assert [r["name"] for r in pr.releases()] == ["A", "B"]
        pr.promote("A", by="bob", reason="api")
        hits = pr.search(QUERY, k=20).hits
        assert hits and {h.sample_iri for h in hits} <= members(home, "A")
        assert pr.release("A")["served"] is True
        assert pr.stale("northwind-support").samples


def test_a_gate_missed_at_creation_is_an_alert(home: Path) -> None:
    with graph(home) as kg:
        rows = kg.select('SELECT ?a WHERE { ?a a pr:Alert ; pr:monitor "gate" }')
    assert len(rows) == 1
