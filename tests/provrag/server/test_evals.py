"""/eval/runs and /eval/runs/{id}: the recorded evaluation runs."""

from __future__ import annotations

from pathlib import Path

from evaluation.golden import ingest_golden
from evaluation.record import new_run_id, record_run
from kg.model import Filters
from provrag.server.models import RunDetail
from tests.conftest import WriteSamples
from tests.evaluation.toy import RANKINGS, RECORDS, CannedRetriever, run_toy, toy_golden
from tests.provrag.server.conftest import make_client


def test_runs_are_listed_and_one_run_shows_its_metrics(
    tmp_path: Path, write_samples: WriteSamples
) -> None:
    with make_client(tmp_path / "home") as client:
        assert client.get("/eval/runs").json() == []
        kg = client.app.state.session.kg  # type: ignore[attr-defined]
        iris = write_samples(kg, RECORDS)
        golden = toy_golden()
        ingest_golden(kg, golden)
        retriever = CannedRetriever(
            RANKINGS, {r.id or "": i for r, i in zip(RECORDS, iris, strict=True)}
        )
        result = run_toy(golden, retriever, kg=kg, filters=Filters(dataset=golden.dataset))
        result.run_id = new_run_id()
        record_run(kg, result, retriever_settings={"channels": ["dense"]}, provrag_version="t")
        runs = client.get("/eval/runs").json()
        detail = client.get(f"/eval/runs/{result.run_id}")
        unknown = client.get("/eval/runs/no-such-run")
    assert [r["run_id"] for r in runs] == [result.run_id]
    assert {"golden", "retriever", "k", "ndcg"} <= set(runs[0])
    assert detail.status_code == 200
    body = detail.json()
    assert set(body) == set(RunDetail.model_fields)  # the OpenAPI model says what is sent
    overall = {m["metric"]: m["value"] for m in body["metrics"] if m["slice_name"] == "overall"}
    assert overall and body["run_id"] == result.run_id and body["k"] == result.k
    assert abs(overall[f"ndcg@{result.k}"] - result.overall[f"ndcg@{result.k}"].mean) < 1e-9
    assert unknown.status_code == 404 and "no-such-run" in unknown.json()["message"]
