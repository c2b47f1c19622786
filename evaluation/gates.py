"""KPI gates: thresholds an evaluation must meet, overall or on a slice.

A gate is written ``METRIC[SLICE=VALUE] OP THRESHOLD``, the slice part optional::

    ndcg@10>=0.6                  overall nDCG@10 at least 0.6
    ndcg@10[origin=real]>=0.6     the same on the queries whose gold passages are all real
    recall@100[tag=fees]>0.8
    synthetic_share@10<=0.5       at most half of the top 10 synthetic, on average

``OP`` is one of ``>=``, ``>``, ``<=``, ``<``. Metric names are read as
:func:`evaluation.metrics.parse_metric` reads them (``P@5`` is ``precision@5``);
``exact_match``, ``token_f1`` and ``synthetic_share@k`` are accepted as well.

In settings (``evaluation.gates``) a gate is a key and a threshold, meaning
``>=``: ``{"ndcg@10": 0.6, "ndcg@10[origin=real]": 0.6}``; a key may end in an
operator to mean another one (``{"synthetic_share@10<=": 0.5}``).

A gate whose metric or slice the run did not compute is missed (a KPI that
cannot be shown to hold does not hold); its message says what is missing.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from evaluation.errors import GateError, MetricError
from evaluation.metrics import parse_metric
from evaluation.results import ANSWER_METRICS, SYNTHETIC_SHARE, EvalResult
from evaluation.slices import slice_label
from kg.mapping.evaluation import OVERALL, OVERALL_VALUE
from kg.typing import Comparator

Op = Comparator
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
_GATE_RE = re.compile(
    r"^\s*(?P<metric>[^\[\]<>\s]+?)\s*"
    r"(?:\[\s*(?P<slice>[^\]]+?)\s*\])?\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<threshold>\S+)\s*$"
)
_SHARE_RE = re.compile(rf"^{SYNTHETIC_SHARE}@(\d+)$")


@dataclass(frozen=True)
class Gate:
    metric: str
    op: Op
    threshold: float
    slice_name: str = OVERALL
    slice_value: str = OVERALL_VALUE

    @property
    def where(self) -> str:
        """``overall`` or ``origin=real``."""
        return slice_label(self.slice_name, self.slice_value)

    def __str__(self) -> str:
        part = "" if self.slice_name == OVERALL else f"[{self.where}]"
        return f"{self.metric}{part}{self.op}{self.threshold:g}"


@dataclass(frozen=True)
class GateOutcome:
    gate: Gate
    #: the value the run reached (None when the run did not compute it)
    value: float | None
    passed: bool
    query_count: int | None = None
    small: bool = False

    @property
    def margin(self) -> float | None:
        """``value - threshold`` (negative: below the threshold)."""
        return None if self.value is None else self.value - self.gate.threshold

    def message(self) -> str:
        g = self.gate
        if self.value is None:
            return (
                f"gate {g} missed: {g.metric} was not computed on {g.where} "
                "(no such metric or slice in this run; check -k / --metric and the slice name)"
            )
        verdict = "met" if self.passed else "missed"
        gap = abs(self.value - g.threshold)
        side = "above" if self.value > g.threshold else "below"
        if self.value == g.threshold:
            side, gap = "at", 0.0
        n = f", {self.query_count} queries" if self.query_count is not None else ""
        small = " (small slice)" if self.small else ""
        return (
            f"gate {g} {verdict}: {g.metric} on {g.where} = {self.value:.4f}, threshold "
            f"{g.op} {g.threshold:g}, {gap:.4f} {side} it{n}{small}"
        )


def canonical_metric(name: str) -> str:
    """The canonical name of a gate's metric (``P@5`` -> ``precision@5``)."""
    text = name.strip()
    if text in ANSWER_METRICS or _SHARE_RE.match(text):
        return text
    try:
        return parse_metric(text).name
    except MetricError as exc:
        raise GateError(
            f"gate metric {name!r} is unknown: {exc}; or use exact_match, token_f1, "
            "synthetic_share@k"
        ) from None


def parse_gate(text: str) -> Gate:
    """Parse ``METRIC[SLICE=VALUE]OP THRESHOLD``; raises :class:`GateError`."""
    m = _GATE_RE.match(text)
    if m is None:
        raise GateError(
            f"gate {text!r} is not METRIC[SLICE=VALUE]>=THRESHOLD; write e.g. "
            "'ndcg@10>=0.6' or 'ndcg@10[origin=real]>=0.6' (operators >=, >, <=, <)"
        )
    try:
        threshold = float(m["threshold"])
    except ValueError:
        raise GateError(f"gate {text!r}: threshold {m['threshold']!r} is not a number") from None
    if threshold != threshold:
        raise GateError(f"gate {text!r}: threshold is NaN")
    slice_name, slice_value = OVERALL, OVERALL_VALUE
    if m["slice"] is not None:
        name, sep, value = m["slice"].partition("=")
        if not sep or not name.strip() or not value.strip():
            raise GateError(
                f"gate {text!r}: the slice {m['slice']!r} is not NAME=VALUE "
                "(e.g. origin=real, tag=fees)"
            )
        slice_name, slice_value = name.strip(), value.strip()
    return Gate(
        canonical_metric(m["metric"]), cast(Op, m["op"]), threshold, slice_name, slice_value
    )


def gates_from_settings(gates: Mapping[str, float]) -> list[Gate]:
    """Gates from ``settings.evaluation.gates`` (``{"ndcg@10[origin=real]": 0.6}``)."""
    out = []
    for key, threshold in gates.items():
        op = "" if key.rstrip().endswith(("<", ">", "=")) else ">="
        out.append(parse_gate(f"{key}{op}{threshold}"))
    return out


def check_gates(result: EvalResult, gates: Iterable[Gate]) -> list[GateOutcome]:
    """Each gate against ``result``, in the order given."""
    out = []
    for gate in gates:
        summary = result.summary(gate.metric, gate.slice_name, gate.slice_value)
        if summary is None:
            out.append(GateOutcome(gate, None, False))
            continue
        small = any(
            s.small
            for s in result.slices
            if s.name == gate.slice_name and s.value == gate.slice_value
        )
        passed = _OPS[gate.op](summary.mean, gate.threshold)
        out.append(GateOutcome(gate, summary.mean, passed, summary.query_count, small))
    return out
