"""KPI gates: parsing, settings, and messages that name metric, slice, value and threshold."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evaluation.errors import GateError
from evaluation.gates import Gate, check_gates, gates_from_settings, parse_gate
from evaluation.results import EvalResult
from tests.evaluation.toy import RANKINGS, CannedRetriever, make_kg, run_toy, toy_golden


@pytest.fixture
def result(write_samples: Callable[..., list[str]]) -> EvalResult:
    kg, iris = make_kg(write_samples)
    return run_toy(toy_golden(), CannedRetriever(RANKINGS, iris), kg=kg)


@pytest.mark.parametrize(
    ("text", "gate"),
    [
        ("ndcg@10>=0.6", Gate("ndcg@10", ">=", 0.6)),
        (" ndcg@10 [ origin = real ] >= 0.6 ", Gate("ndcg@10", ">=", 0.6, "origin", "real")),
        ("P@5<0.5", Gate("precision@5", "<", 0.5)),
        ("recall(rel=2)@10>0.1", Gate("recall(rel=2)@10", ">", 0.1)),
        ("synthetic_share@10<=0.8", Gate("synthetic_share@10", "<=", 0.8)),
        ("exact_match[tag=a=b]>=1", Gate("exact_match", ">=", 1.0, "tag", "a=b")),
    ],
)
def test_parse_gate(text: str, gate: Gate) -> None:
    assert parse_gate(text) == gate


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ndcg@10", "not METRIC"),
        ("ndcg@10=0.6", "not METRIC"),
        ("ndcg@10>=high", "not a number"),
        ("ndcg@10[origin]>=0.6", "is not NAME=VALUE"),
        ("bleu@10>=0.6", "unknown"),
    ],
)
def test_bad_gates_are_refused_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(GateError, match=message):
        parse_gate(text)


def test_gates_from_settings_mean_at_least_unless_the_key_says_otherwise() -> None:
    gates = gates_from_settings(
        {"ndcg@10": 0.6, "ndcg@10[origin=real]": 0.5, "synthetic_share@10<=": 0.8}
    )
    assert gates == [
        Gate("ndcg@10", ">=", 0.6),
        Gate("ndcg@10", ">=", 0.5, "origin", "real"),
        Gate("synthetic_share@10", "<=", 0.8),
    ]


def test_a_met_and_a_missed_gate(result: EvalResult) -> None:
    value = result.overall["ndcg@10"].mean
    real = result.summary("ndcg@10", "origin", "real")
    assert real is not None
    met, missed = check_gates(
        result,
        [parse_gate(f"ndcg@10>={value - 0.01}"), parse_gate("ndcg@10[origin=real]>=0.99")],
    )
    assert met.passed and met.margin == pytest.approx(0.01)
    assert not missed.passed and missed.value == real.mean
    text = missed.message()
    for part in (
        "missed",
        "ndcg@10",
        "origin=real",
        f"{real.mean:.4f}",
        ">= 0.99",
        f"{0.99 - real.mean:.4f} below",
        "2 queries",
    ):
        assert part in text, (part, text)


def test_a_gate_on_a_slice_the_run_does_not_have_is_missed(result: EvalResult) -> None:
    (outcome,) = check_gates(result, [parse_gate("ndcg@10[tag=nothing]>=0.1")])
    assert not outcome.passed and outcome.value is None
    assert "not computed on tag=nothing" in outcome.message()


def test_small_slices_are_named_in_the_message(result: EvalResult) -> None:
    (outcome,) = check_gates(result, [parse_gate("ndcg@10[origin=synthetic]>=0")])
    assert outcome.passed and outcome.small and "(small slice)" in outcome.message()


def test_upper_bound_gates(result: EvalResult) -> None:
    share = result.overall["synthetic_share@10"].mean
    (ok, bad) = check_gates(
        result,
        [parse_gate(f"synthetic_share@10<={share}"), parse_gate(f"synthetic_share@10<{share}")],
    )
    assert ok.passed and not bad.passed
