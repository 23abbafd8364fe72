"""The funnel as an SVG bar chart, drawn on the server (no scripts, works on paper too).

One row per step: a long bar for the people who reached the step, and under it a short bar for
those who got stuck there. Plain presentation attributes (no style attribute), so the dashboard's
content security policy needs no inline styles; a <title> and <desc> describe it for screen
readers, and the same numbers are in the table and the CSV.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from bot.web.insight.funnel import Funnel, shorten

WIDTH = 760
LABEL = 300
BAR = WIDTH - LABEL - 70
ROW = 34
TOP = 44
REACHED = "#0b5cad"
STUCK = "#b42318"
TEXT = "#1d2330"
MUTED = "#5a6272"


def _attr(value: object) -> str:
    return escape(str(value), {'"': "&quot;"})


def _bar(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
        f'fill="{fill}"/>'
    )


def _text(
    x: float, y: float, text: str, *, fill: str = TEXT, anchor: str = "start", size: int = 13
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" font-size="{size}" '
        f'font-family="system-ui, sans-serif" text-anchor="{anchor}">{escape(text)}</text>'
    )


def funnel_svg(funnel: Funnel, subtitle: str = "") -> str:
    rows = [
        ("Gestart", funnel.started, 0),
        *((f"{s.number}. {shorten(s.label, 40)}", s.reached, s.stuck) for s in funnel.steps),
        ("Klaar", funnel.done, 0),
    ]
    height = TOP + ROW * len(rows) + 40
    scale = BAR / funnel.largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="t d">',
        f'<title id="t">{escape(funnel.title)}: hoeveel mensen welke stap bereikten</title>',
        '<desc id="d">'
        + escape(
            "; ".join(
                f"{label}: {reached} bereikt, {stuck} vastgelopen" for label, reached, stuck in rows
            )
        )
        + "</desc>",
        _bar(0, 0, WIDTH, height, "#ffffff"),
        _text(12, 22, funnel.title, size=16),
    ]
    if subtitle:
        parts.append(_text(WIDTH - 12, 22, subtitle, fill=MUTED, anchor="end", size=12))
    for index, (label, reached, stuck) in enumerate(rows):
        y = TOP + index * ROW
        parts.append(_text(LABEL - 8, y + 15, label, anchor="end", size=12))
        parts.append(_bar(LABEL, y + 2, reached * scale, 16, REACHED))
        parts.append(_text(LABEL + reached * scale + 6, y + 15, str(reached), size=12))
        if stuck:
            parts.append(_bar(LABEL, y + 20, stuck * scale, 8, STUCK))
            parts.append(
                _text(LABEL + stuck * scale + 6, y + 29, f"{stuck} vast", fill=STUCK, size=11)
            )
    legend = TOP + ROW * len(rows) + 14
    parts += [
        _bar(LABEL, legend, 14, 10, REACHED),
        _text(LABEL + 20, legend + 10, "bereikten de stap", size=12),
        _bar(LABEL + 170, legend, 14, 10, STUCK),
        _text(LABEL + 190, legend + 10, "liepen er vast", size=12),
        "</svg>",
    ]
    return "\n".join(parts)
