"""Small inline SVG charts for the dashboard: no library, no network, no script.

:func:`point_chart` draws one or more series over categorical x positions (dataset
versions, runs), each point with an optional interval (whisker) and an optional
threshold line. Values and labels are escaped; the SVG is a string to inline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

#: series colours (colour-blind safe, Okabe-Ito)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Point:
    x: str
    y: float | None
    low: float | None = None
    high: float | None = None


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def point_chart(
    title: str,
    series: Mapping[str, Sequence[Point]],
    *,
    y_min: float | None = 0.0,
    y_max: float | None = None,
    threshold: float | None = None,
    threshold_label: str = "threshold",
    width: int = 640,
    height: int = 240,
    y_label: str = "",
) -> str:
    """An SVG of ``series`` (name -> points) over the x labels in first-seen order."""
    xs: list[str] = []
    for points in series.values():
        for p in points:
            if p.x not in xs:
                xs.append(p.x)
    values = [
        v
        for points in series.values()
        for p in points
        for v in (p.y, p.low, p.high)
        if v is not None
    ]
    if threshold is not None:
        values.append(threshold)
    lo = min(values) if values else 0.0
    hi = max(values) if values else 1.0
    lo = min(lo, y_min) if y_min is not None else lo
    hi = max(hi, y_max) if y_max is not None else hi
    if hi - lo < 1e-9:
        hi = lo + 1.0
    left, right, top, bottom = 56, 16, 28, 64
    pw, ph = width - left - right, height - top - bottom

    def sx(i: int) -> float:
        return left + (pw * (i + 0.5) / len(xs) if xs else pw / 2)

    def sy(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>',
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = sy(v)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" '
            f'text-anchor="end">{_fmt(v)}</text>'
        )
    if y_label:
        out.append(
            f'<text x="12" y="{top + ph / 2:.1f}" font-size="10" '
            f'transform="rotate(-90 12 {top + ph / 2:.1f})" text-anchor="middle">'
            f"{escape(y_label)}</text>"
        )
    for i, x in enumerate(xs):
        label = x if len(x) <= 22 else x[:21] + "…"
        out.append(
            f'<text x="{sx(i):.1f}" y="{top + ph + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-25 {sx(i):.1f} {top + ph + 14})">{escape(label)}</text>'
        )
    if threshold is not None:
        y = sy(threshold)
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c00" '
            'stroke-dasharray="5,4"/>'
        )
        out.append(
            f'<text x="{left + pw - 2}" y="{y - 3:.1f}" font-size="10" fill="#c00" '
            f'text-anchor="end">{escape(threshold_label)} {_fmt(threshold)}</text>'
        )
    for n, (name, points) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        shift = (n - (len(series) - 1) / 2) * 4
        coords = []
        for p in points:
            if p.y is None:
                continue
            cx, cy = sx(xs.index(p.x)) + shift, sy(p.y)
            coords.append(f"{cx:.1f},{cy:.1f}")
            if p.low is not None and p.high is not None:
                out.append(
                    f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{sy(p.low):.1f}" '
                    f'y2="{sy(p.high):.1f}" stroke="{colour}" stroke-width="1.5"/>'
                )
            tip = f"{name} {p.x}: {_fmt(p.y)}"
            if p.low is not None and p.high is not None:
                tip += f" [{_fmt(p.low)}, {_fmt(p.high)}]"
            out.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        if len(coords) > 1:
            out.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
                'stroke-width="1.2" opacity="0.6"/>'
            )
        ly = top + 6 + n * 13
        lx = left + pw - 120
        out.append(f'<rect x="{lx}" y="{ly}" width="9" height="9" fill="{colour}"/>')
        out.append(f'<text x="{lx + 13}" y="{ly + 8}" font-size="10">{escape(name[:18])}</text>')
    out.append("</svg>")
    return "\n".join(out)
