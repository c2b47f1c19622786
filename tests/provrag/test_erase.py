"""``provrag erase``: after it, the erased text is in no file under the home (every file
grepped, binary ones included: the RocksDB store, FAISS, BM25, caches, exports,
quarantine, a release), and the provenance skeleton is still there to query."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.ingest_helpers import real, record, write_jsonl
from tests.provrag.test_ingest_cli import cli

pytestmark = [pytest.mark.slow, pytest.mark.model]  # NER and the embedding model run

TEXT_1 = (
    "Ms Philippa Quillfeather of 42 Larkspur Row, Dunmore asked us to close account "
    "99-1234-5678. Her Zephyrine travel card was stolen in Lisbon last week."
)
TEXT_1B = TEXT_1 + " She also wants her paper statements sent to the Larkspur address."
TEXT_2 = "Philippa Quillfeather wants account 99-1234-5678 closed: her Zephyrine card is gone."
#: what must be found nowhere afterwards: the texts and their distinctive parts
DISTINCTIVE = [
    TEXT_1,
    TEXT_1B,
    TEXT_2,
    "Quillfeather",
    "quillfeather",
    "Larkspur",
    "Zephyrine",
    "99-1234-5678",
    "QF-778812-LARKSPUR",
    "paper statements",
]
OTHERS = {
    "kb-0003": "Savings accounts pay 3% interest a year on balances over 100 pounds.",
    "kb-0004": "Freeze a lost card in the Northwind app, then call us on 0808 157 0142.",
}


def _rec(i: int, text: str, **extra: Any) -> dict[str, Any]:
    return real(i, **{"text": text, "dataset": "kb", "version": "1", **extra})


def _occurrences(home: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = [
            s for s in DISTINCTIVE if s.encode() in data or json.dumps(s)[1:-1].encode() in data
        ]
        if hits:
            found[str(path.relative_to(home))] = hits
    return found


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    tmp = tmp_path_factory.mktemp("erase")
    home = tmp / "home"
    v1 = [
        _rec(
            1,
            TEXT_1,
            metadata={"customer_ref": "QF-778812-LARKSPUR"},
            labels=[
                {
                    "field": "intent",
                    "value": "account_closure",
                    "annotator": "ann-1",
                    "guideline_version": "1.2",
                }
            ],
        ),
        record(2, text=TEXT_2, dataset="kb", version="1", derived_from=["kb-0001"]),
        *(_rec(int(i[-1]), text) for i, text in OTHERS.items()),
    ]
    code, out, err = cli(home, "ingest", str(write_jsonl(tmp / "v1.jsonl", v1)), "--json")
    assert code == 0, out
    v2 = [_rec(1, TEXT_1B, version="2"), {"id": "kb-0001", "text": TEXT_1, "origin": "alien"}]
    code, _, err = cli(home, "ingest", str(write_jsonl(tmp / "v2.jsonl", v2)), "--dataset", "kb")
    assert code == 3, err  # one record quarantined
    assert cli(home, "ask", "Who asked us to close an account?", "--record", "--json")[0] == 0
    for name in ("all.nq", "all.trig", "lineage.graphml"):
        assert cli(home, "export", "--output", str(home / "exports" / name))[0] == 0
    release = home / "releases" / "r1"
    release.mkdir(parents=True)
    (release / "manifest.json").write_text(json.dumps({"ids": ["kb-0001"], "texts": [TEXT_1B]}))
    (release / "lexical.pkl").write_bytes(pickle.dumps({"docs": [TEXT_1B, OTHERS["kb-0003"]]}))
    before = _occurrences(home)
    code, out, err = cli(
        home, "erase", "--id", "kb-0001", "--dataset", "kb", "--reason", "GDPR art. 17", "--json"
    )
    assert code == 0, err
    return home, json.loads(out), before


def test_the_setup_put_the_text_in_many_places(erased: tuple[Path, dict, dict]) -> None:
    _, _, before = erased
    places = set(before)
    assert {"exports/all.nq", "exports/all.trig", "releases/r1/manifest.json"} <= places
    assert any(p.startswith("quarantine/") for p in places)


def test_the_erased_text_is_in_no_file_under_the_home(erased: tuple[Path, dict, dict]) -> None:
    home, report, _ = erased
    assert _occurrences(home) == {}
    assert report["files"]["removed"] == ["releases/r1/lexical.pkl"]
    assert report["store_rewritten"] is True


def test_erase_cascades_to_revisions_and_derived_samples(erased: tuple[Path, dict, dict]) -> None:
    _, report, _ = erased
    samples = {(s["external_id"], s["derived"]) for s in report["samples"]}
    assert samples == {("kb-0001", False), ("kb-0002", True)}
    assert len(report["samples"]) == 3  # two revisions of kb-0001, one of kb-0002
    assert report["who"] and report["reason"] == "GDPR art. 17"


def test_the_skeleton_remains(erased: tuple[Path, dict, dict]) -> None:
    home, report, _ = erased
    query = """SELECT ?id ?hash ?who ?reason ?current WHERE {
      ?s pr:erasedBy ?e ; pr:externalId ?id ; pr:contentHash ?hash .
      ?e a pr:Erasure ; pr:reason ?reason ; prov:wasAssociatedWith/rdfs:label ?who .
      BIND(NOT EXISTS { ?s prov:invalidatedAtTime ?t } AS ?current)
      FILTER NOT EXISTS { ?s pr:text ?text }
      FILTER NOT EXISTS { ?s pr:hasLabel ?label }
    } ORDER BY ?id ?hash"""
    code, out, _ = cli(home, "sparql", query, "--format", "json")
    rows = json.loads(out)["results"]["bindings"]
    assert code == 0
    assert sorted((r["id"]["value"], r["hash"]["value"]) for r in rows) == sorted(
        (s["external_id"], s["content_hash"]) for s in report["samples"]
    )
    assert {r["current"]["value"] for r in rows} == {"false"}
    assert {r["reason"]["value"] for r in rows} == {"GDPR art. 17"}


def test_what_was_not_erased_stays_searchable(erased: tuple[Path, dict, dict]) -> None:
    home, _, _ = erased
    code, out, _ = cli(home, "search", "interest on savings", "--json", "-k", "5")
    hits = {h["sample_id"] for h in json.loads(out)["hits"]}
    assert code == 0 and hits == set(OTHERS)
    assert cli(home, "validate")[0] == 0
    assert cli(home, "index", "--check")[0] == 0


def test_erasing_an_unknown_sample_is_an_error(tmp_path: Path) -> None:
    code, _, err = cli(
        tmp_path / "home", "erase", "--id", "nope", "--dataset", "kb", "--reason", "test"
    )
    assert code == 1 and "no sample 'nope' in dataset 'kb'" in " ".join(err.split())
