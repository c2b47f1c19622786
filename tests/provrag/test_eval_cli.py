"""``provrag eval`` / ``eval compare`` / ``eval rerun`` / ``eval list`` / ``report`` through the
CLI, with the real retriever (provrag.wiring) over a small ingested dataset, and BEIR-layout
datasets (a hand-made one, and one built from PubMedQA when ../shared/data has it)."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import ir_measures
import numpy as np
import pytest
from ir_measures import AP, RR, P, R, Success, nDCG
from typer.testing import CliRunner

from evaluation.trecio import read_trec_qrels, read_trec_run
from provrag.cli import app
from provrag.exit_codes import ExitCode

pytestmark = pytest.mark.model

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
MEASURES = {
    "ndcg@10": nDCG @ 10,
    "recall@10": R @ 10,
    "precision@10": P @ 10,
    "mrr@10": RR @ 10,
    "map@10": AP @ 10,
    "hit_rate@10": Success @ 10,
}

PASSAGES = {
    "card-lost": "If your card is lost or stolen, freeze it in the app and call 0800 111 222.",
    "card-fee": "Paying abroad with the debit card costs a 2.75% foreign transaction fee.",
    "transfer": "International transfers cost 15 pounds and arrive within two working days.",
    "mortgage": "Our two-year fixed mortgage rate is 4.1% for a loan up to 75% of the value.",
    "branch": "The Leeds branch opens 9:00 to 17:00 on weekdays and closes at 13:00 Saturday.",
    "savings": "The easy saver account pays 3.2% interest a year, paid monthly.",
    "app": "Install the mobile app from the app store and log in with your card number.",
    "fraud": "Report a suspicious payment at once; we refund fraud losses within 5 days.",
}
PARAPHRASES = {
    "card-lost-p": "Lost your card? Freeze it in the app and ring 0800 111 222 to cancel it.",
    "transfer-p": "Sending money to a bank abroad costs 15 pounds and takes two working days.",
    "savings-p": "Easy saver: 3.2% a year in interest, paid every month.",
}
GOLDEN = [
    {
        "query_id": "g1",
        "query": "my card was stolen, what number do I call?",
        "relevant": {"card-lost": 2, "card-lost-p": 1},
        "tags": ["cards"],
        "gold_answers": ["0800 111 222"],
    },
    {
        "query_id": "g2",
        "query": "fee for wiring money overseas",
        "relevant": {"transfer": 2, "transfer-p": 2},
        "tags": ["transfers"],
    },
    {
        "query_id": "g3",
        "query": "how much interest does the easy saver pay",
        "relevant": {"savings-p": 2},
        "tags": ["savings"],
    },
    {
        "query_id": "g4",
        "query": "when does the Leeds branch close on Saturday",
        "relevant": {"branch": 2},
        "tags": ["branches"],
    },
    {
        "query_id": "g5",
        "query": "what do I pay when I use my card in euros",
        "relevant": {"card-fee": 2, "transfer": 0},
        "tags": ["cards", "fees"],
    },
    {
        "query_id": "g6",
        "query": "someone took money from my account without asking",
        "relevant": {"fraud": 1},
        "tags": ["fraud"],
    },
]


def _records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"id": k, "text": t, "origin": "real", "dataset": "mini", "sensitivity": "public"}
        for k, t in PASSAGES.items()
    ]
    out += [
        {
            "id": k,
            "text": t,
            "origin": "synthetic",
            "dataset": "mini",
            "generation": {"generator": "para", "prompt_version": "2", "seed": 1},
        }
        for k, t in PARAPHRASES.items()
    ]
    out[-1]["sensitivity"] = "restricted"  # only a restricted caller sees savings-p
    return out


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def cli(home: Path, *args: str) -> Any:
    gc.collect()  # release any store handle a test opened
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evalcli")
    data = _write_jsonl(root / "kb.jsonl", _records())
    result = cli(root / "home", "ingest", str(data), "--no-ner")
    assert result.exit_code == 0, result.stderr
    return root / "home"


@pytest.fixture(scope="module")
def golden_path(home: Path) -> Path:
    path = _write_jsonl(home.parent / "golden.jsonl", GOLDEN)
    (home.parent / "golden.meta.json").write_text(
        json.dumps(
            {"name": "mini-golden", "version": "1", "dataset": "mini", "author": "expert-1"}
        ),
        encoding="utf-8",
    )
    return path


def _eval(home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = cli(home, "eval", *args, "--json")
    payload = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, payload, result.stderr


def _rescored(run_dir: Path) -> dict[str, float]:
    qrels = read_trec_qrels(run_dir / "qrels.trec")
    run = read_trec_run(run_dir / "run.trec")
    agg = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run)
    return {name: float(agg[m]) for name, m in MEASURES.items()}


@pytest.fixture(scope="module")
def dense_run(home: Path, golden_path: Path) -> dict[str, Any]:
    code, payload, err = _eval(home, "--golden", str(golden_path), "--retriever", "dense")
    assert code == 0, err
    return payload


def test_eval_golden_path_prints_json_and_writes_a_rescorable_run(
    home: Path, dense_run: dict[str, Any]
) -> None:
    payload = dense_run
    assert payload["golden"] == {"name": "mini-golden", "version": "1", "dataset": "mini"}
    assert payload["retriever"] == "dense" and payload["queries"] == 6
    run_dir = Path(payload["run_dir"])
    assert {p.name for p in run_dir.iterdir()} >= {"run.trec", "qrels.trec", "metrics.json"}
    theirs = _rescored(run_dir)
    for name, value in theirs.items():
        assert payload["overall"][name]["mean"] == pytest.approx(value, abs=1e-9), name
    slices = {(s["name"], s["value"]): s for s in payload["slices"]}
    assert slices[("origin", "real")]["query_count"] == 3  # g4, g5, g6
    assert slices[("origin", "mixed")]["query_count"] == 2
    assert slices[("origin", "synthetic")]["small"]  # g3 alone, below min_slice_queries
    assert ("gold_origin", "synthetic") in slices and ("generator", "para") in slices
    assert "synthetic_share@10" in payload["overall"]


def test_restricted_samples_are_seen_by_default_and_not_with_a_lower_clearance(
    home: Path, golden_path: Path, dense_run: dict[str, Any]
) -> None:
    run_dir = Path(dense_run["run_dir"])
    assert "savings-p" in read_trec_run(run_dir / "run.trec")["g3"]
    code, payload, err = _eval(
        home, "--golden", "mini-golden", "--retriever", "dense", "--clearance", "internal"
    )
    assert code == 0, err
    assert "savings-p" not in read_trec_run(Path(payload["run_dir"]) / "run.trec")["g3"]
    assert payload["overall"]["recall@10"]["mean"] < dense_run["overall"]["recall@10"]["mean"]


def test_a_missed_gate_exits_2_naming_metric_slice_value_and_threshold(
    home: Path, dense_run: dict[str, Any]
) -> None:
    code, payload, err = _eval(
        home,
        "--golden",
        "mini-golden",
        "--retriever",
        "dense",
        "--gate",
        "ndcg@10>=0",
        "--gate",
        "ndcg@10[origin=real]>=1.5",
    )
    assert code == ExitCode.CHECK_FAILED == 2
    real = next(s for s in payload["slices"] if (s["name"], s["value"]) == ("origin", "real"))
    value = real["metrics"]["ndcg@10"]["mean"]
    text = " ".join(err.split())
    for part in (
        "ndcg@10[origin=real]>=1.5 missed",
        "ndcg@10 on origin=real",
        f"= {value:.4f}",
        ">= 1.5",
        f"{1.5 - value:.4f} below",
    ):
        assert part in text, (part, text)
    assert [g["passed"] for g in payload["gates"]] == [True, False]


def test_gates_from_the_settings_file(home: Path) -> None:
    toml = home / "provrag.toml"
    toml.write_text('[evaluation.gates]\n"recall@10[tag=cards]" = 1.5\n', encoding="utf-8")
    try:
        code, _, err = _eval(home, "--golden", "mini-golden", "--retriever", "lexical")
    finally:
        toml.unlink()
    assert code == 2 and "recall@10 on tag=cards" in " ".join(err.split())


def test_rerun_reproduces_the_numbers_exactly(home: Path, dense_run: dict[str, Any]) -> None:
    result = cli(home, "eval", "rerun", dense_run["run_id"], "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["identical"] and payload["recorded"] == payload["rerun"]
    assert payload["recorded"]["overall ndcg@10 mean"] == dense_run["overall"]["ndcg@10"]["mean"]
    assert payload["new_run_id"] != dense_run["run_id"]


def test_rerun_exits_2_when_a_number_differs(home: Path, golden_path: Path) -> None:
    code, payload, err = _eval(home, "--golden", "mini-golden", "--retriever", "lexical")
    assert code == 0, err
    metrics = Path(payload["run_dir"]) / "metrics.json"
    data = json.loads(metrics.read_text())
    data["overall"]["ndcg@10"]["mean"] += 0.125  # as if the index had changed since
    metrics.write_text(json.dumps(data))
    result = cli(home, "eval", "rerun", payload["run_id"])
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "overall ndcg@10 mean" in result.stdout and "DIFFERENT" in result.stdout
    assert "1 of" in result.stderr


def test_compare_two_runs(home: Path, dense_run: dict[str, Any]) -> None:
    code, lexical, err = _eval(home, "--golden", "mini-golden", "--retriever", "lexical")
    assert code == 0, err
    result = cli(home, "eval", "compare", dense_run["run_id"], lexical["run_id"], "--json")
    assert result.exit_code == 0, result.stderr
    comparison = json.loads(result.stdout)
    delta = {d["metric"]: d for d in comparison["deltas"]}
    expected = lexical["overall"]["ndcg@10"]["mean"] - dense_run["overall"]["ndcg@10"]["mean"]
    assert delta["ndcg@10"]["delta"] == pytest.approx(expected)
    assert 0 < delta["ndcg@10"]["p_value"] <= 1
    human = cli(home, "eval", "compare", dense_run["run_id"], lexical["run_id"])
    assert human.exit_code == 0 and "paired randomisation" in human.stdout


def test_report_writes_html_and_markdown(home: Path, dense_run: dict[str, Any]) -> None:
    out = home.parent / "report"
    result = cli(home, "report", dense_run["run_id"], "--output", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    files = json.loads(result.stdout)
    assert Path(files["html"]).is_file() and Path(files["markdown"]).is_file()
    assert "origin=real" in Path(files["markdown"]).read_text()


def test_list_shows_the_runs(home: Path, dense_run: dict[str, Any]) -> None:
    result = cli(home, "eval", "list", "--json")
    assert result.exit_code == 0
    assert dense_run["run_id"] in {r["run_id"] for r in json.loads(result.stdout)}


def test_answers_are_scored_on_request(home: Path) -> None:
    code, payload, err = _eval(home, "--golden", "mini-golden", "-r", "dense", "--answers")
    assert code == 0, err
    assert payload["overall"]["token_f1"]["query_count"] == 1  # only g1 has a gold answer


def test_unknown_sample_ids_in_a_golden_file_are_a_clear_error(home: Path) -> None:
    bad = _write_jsonl(
        home.parent / "bad.jsonl", [{"query_id": "x", "query": "q", "relevant": {"no-such-id": 1}}]
    )
    (home.parent / "bad.meta.json").write_text(json.dumps({"dataset": "mini"}))
    result = cli(home, "eval", "--golden", str(bad))
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "no-such-id" in err and "bad.jsonl:1" in err


def test_eval_needs_a_golden_set_or_a_beir_directory(home: Path) -> None:
    result = cli(home, "eval")
    assert result.exit_code == ExitCode.USAGE and "--golden" in result.stderr


def test_an_unknown_golden_name_is_a_clear_error(home: Path) -> None:
    result = cli(home, "eval", "--golden", "nope")
    assert result.exit_code == 1 and "no golden set named 'nope'" in result.stderr


# --------------------------------------------------------------------------- BEIR


def _beir_dir(
    root: Path,
    corpus: dict[str, tuple[str, str]],
    queries: dict[str, str],
    qrels: list[tuple[str, str, int]],
) -> Path:
    (root / "qrels").mkdir(parents=True)
    _write_jsonl(
        root / "corpus.jsonl", [{"_id": d, "title": t, "text": x} for d, (t, x) in corpus.items()]
    )
    _write_jsonl(root / "queries.jsonl", [{"_id": q, "text": t} for q, t in queries.items()])
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in qrels),
        encoding="utf-8",
    )
    return root


def test_beir_end_to_end_on_a_hand_made_dataset(tmp_path: Path) -> None:
    corpus = {
        "d1": ("Aspirin", "Aspirin reduces fever and relieves mild pain."),
        "d2": ("Insulin", "Insulin lowers blood sugar in people with diabetes."),
        "d3": ("", "Vitamin C deficiency causes scurvy."),
        "d4": ("Statins", "Statins lower cholesterol and the risk of heart attack."),
        "q2": ("Echo", "Which drug lowers blood sugar?"),  # the query's own id and text
    }
    queries = {
        "q1": "what relieves a headache",
        "q2": "Which drug lowers blood sugar?",
        "q3": "cause of scurvy",
    }
    qrels = [("q1", "d1", 1), ("q2", "d2", 1), ("q3", "d3", 2), ("q3", "d1", 0)]
    directory = _beir_dir(tmp_path / "tinybeir", corpus, queries, qrels)
    code, payload, err = _eval(tmp_path / "home", "--beir", str(directory), "-r", "dense")
    assert code == 0, err
    assert payload["beir"]["dataset"] == "tinybeir" and payload["beir"]["documents"] == 5
    assert payload["golden"]["name"] == "beir-tinybeir-test" and payload["queries"] == 3
    run_dir = Path(payload["run_dir"])
    run = read_trec_run(run_dir / "run.trec")
    assert "q2" not in run["q2"]  # ignore_identical_ids, as BEIR does
    assert len(run["q1"]) == 5 and len(run["q2"]) == 4
    for name, value in _rescored(run_dir).items():
        assert payload["overall"][name]["mean"] == pytest.approx(value, abs=1e-9), name
    again, payload2, err = _eval(tmp_path / "home", "--beir", str(directory), "-r", "dense")
    assert again == 0, err
    assert payload2["beir"]["new"] == 0  # the same corpus again: nothing new
    assert payload2["overall"] == payload["overall"]


def _pubmedqa_beir(root: Path, n: int) -> Path:
    data = json.loads((SHARED / "pubmedqa_pqal" / "ori_pqal.json").read_text(encoding="utf-8"))
    pmids = sorted(data)[:n]
    corpus = {p: ("", " ".join(data[p]["CONTEXTS"])) for p in pmids}
    queries = {f"q{p}": data[p]["QUESTION"] for p in pmids}
    return _beir_dir(root, corpus, queries, [(f"q{p}", p, 1) for p in pmids])


@pytest.mark.slow
def test_beir_dense_equals_an_independent_exact_search_on_pubmedqa(tmp_path: Path) -> None:
    if not (SHARED / "pubmedqa_pqal" / "ori_pqal.json").is_file():
        pytest.skip(f"PubMedQA is not at {SHARED}; nothing to build the BEIR dataset from")
    directory = _pubmedqa_beir(tmp_path / "pubmedqa", 200)
    code, payload, err = _eval(tmp_path / "home", "--beir", str(directory), "-r", "dense")
    assert code == 0, err
    run_dir = Path(payload["run_dir"])
    for name, value in _rescored(run_dir).items():
        assert payload["overall"][name]["mean"] == pytest.approx(value, abs=1e-9), name
    # reference: the MTEB procedure by hand (sentence-transformers, "title text", exact
    # cosine top 10), scored by ir_measures
    from retrieval.embedder import load_embedder

    model = load_embedder().model  # type: ignore[attr-defined]
    corpus = [json.loads(line) for line in (directory / "corpus.jsonl").open()]
    queries = [json.loads(line) for line in (directory / "queries.jsonl").open()]
    docs = model.encode(
        [f"{d['title']} {d['text']}".strip() for d in corpus],
        normalize_embeddings=True,
        batch_size=64,
    )
    qv = model.encode([q["text"] for q in queries], normalize_embeddings=True)
    scores = np.asarray(qv) @ np.asarray(docs).T
    run = {}
    for i, q in enumerate(queries):
        top = np.argsort(-scores[i])[:10]
        run[q["_id"]] = {corpus[j]["_id"]: float(scores[i, j]) for j in top}
    qrels = read_trec_qrels(run_dir / "qrels.trec")
    reference = ir_measures.calc_aggregate([nDCG @ 10], qrels, run)[nDCG @ 10]
    assert payload["overall"]["ndcg@10"]["mean"] == pytest.approx(reference, abs=0.005)
