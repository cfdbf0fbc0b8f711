"""Score charts drawn by the project (no JavaScript): one code path for PDFs and web pages.

A chart is a few HTML blocks: names, band zones and values are HTML text, and one inline SVG
beside them draws only shapes. WeasyPrint lays out HTML text far faster than SVG
<text>, and the SVG merges its shapes into a few paths (one per colour), so a chart costs a
dozen SVG nodes however many rows it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from app.reports.palette import BAND_TINTS
from app.reports.views import NOT_ENOUGH, BandView, ScoreView

STEN_W = 34  # CSS px per sten: the scale is 340 px wide and fits A4 and Letter
SCALE_W = STEN_W * 10
ROW_H = {"bar": 30, "dot": 22}  # must match the line heights of .ct (two lines) and .cs


def _x(sten: float) -> float:
    """Sten 0.5 … 10.5 across the scale, so each sten owns an equal cell."""
    return (min(10.5, max(0.5, sten)) - 0.5) * STEN_W


def _span(lo: float, hi: float) -> str:
    """The stens a zone covers, e.g. "1–2"."""
    first, last = round(lo + 0.5), round(hi - 0.5)
    return f"{first}" if first == last else f"{first}–{last}"


def _zones(cuts: Sequence[float], bands: Sequence[BandView]) -> list[tuple[BandView, float, float]]:
    """Each band's span on the sten scale, from the instrument's cut points."""
    edges = [0.5, *(c + 0.5 for c in cuts), 10.5]
    return [(band, edges[k], edges[k + 1]) for k, band in enumerate(bands)]


def _svg(rows: Sequence[ScoreView], zones: list[tuple[BandView, float, float]], style: str) -> str:
    row_h = ROW_H[style]
    height = row_h * len(rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cg" width="{SCALE_W}" '
        f'height="{height}" viewBox="0 0 {SCALE_W} {height}" aria-hidden="true">'
    ]
    for band, lo, hi in zones:
        out.append(
            f'<rect x="{_x(lo):.1f}" width="{_x(hi) - _x(lo):.1f}" height="{height}" '
            f'fill="{BAND_TINTS[band.key]}"/>'
        )
    rules = "".join(f"M0 {k * row_h}H{SCALE_W}" for k in range(1, len(rows)))
    if rules:
        out.append(f'<path d="{rules}" stroke="#fff"/>')
    marks: dict[str, list[str]] = {}
    whiskers = []
    r, cap = 5, 5
    for k, s in enumerate(rows):
        if not s.sufficient or s.band is None or s.sten is None:
            continue
        mid = k * row_h + row_h / 2
        x = _x(s.sten)
        if style == "bar":
            h = row_h / 2
            mark = f"M0 {mid - h / 2:.1f}H{x:.1f}V{mid + h / 2:.1f}H0Z"
        else:
            mark = f"M{x - r:.1f} {mid:.1f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z"
        marks.setdefault(s.band.colour, []).append(mark)
        if s.ci:
            lo, hi = (_x(v) for v in s.ci)
            whiskers.append(
                f"M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - cap}V{mid + cap}"
                f"M{hi:.1f} {mid - cap}V{mid + cap}"
            )
    stroke = 'stroke="#333" stroke-width="0.5"' if style == "bar" else 'stroke="#222"'
    if style == "bar":  # bars under their whiskers, dots over them
        out += [f'<path d="{"".join(d)}" fill="{c}" {stroke}/>' for c, d in marks.items()]
    if whiskers:
        out.append(f'<path d="{"".join(whiskers)}" stroke="#222" stroke-width="1.2" fill="none"/>')
    if style == "dot":
        out += [f'<path d="{"".join(d)}" fill="{c}" {stroke}/>' for c, d in marks.items()]
    out.append("</svg>")
    return "".join(out)


def _value(s: ScoreView) -> str:
    if not s.sufficient or s.band is None:
        return NOT_ENOUGH
    return f"{s.sten}{'*' if s.borderline else ''} {escape(s.band.label)}"


def _rows(rows: Sequence[tuple[str, str, ScoreView]]) -> str:
    """One line per row (two with a sublabel): the name, a tab to the value column, the value.

    A single preformatted paragraph whose line height is the SVG's row height lays out far
    faster than a table row per score, and keeps each name next to its value in the text.
    The tab must sit in the line's first text run: tab stops count from the run's start.
    """
    lines = []
    for label, sublabel, s in rows:
        if sublabel:
            lines.append(f"<b>{escape(label)}\t</b>{_value(s)}\n{escape(sublabel)}")
        else:
            lines.append(f"{escape(label)}\t{_value(s)}")
    return "\n".join(lines)


def scale_chart(
    rows: Sequence[tuple[str, str, ScoreView]],
    cuts: Sequence[float],
    bands: Sequence[BandView],
    *,
    style: str = "bar",
    provisional: bool = False,
) -> str:
    """Rows on the 1–10 sten scale over the band zones: a bar (stages) or a dot
    (competencies) per row, its confidence band as a whisker, and the sten and band label
    printed beside it. Returns HTML: a line naming the zones, the rows as one preformatted
    paragraph, and a shapes-only SVG drawn beside them."""
    zones = _zones(cuts, bands)
    # The zones are named in one line of text above the scale: a header cell per zone
    # (a table) costs WeasyPrint more than the whole SVG.
    names = " · ".join(f"{escape(band.label)} {_span(lo, hi)}" for band, lo, hi in zones)
    out = [f'<div class="chart"><p class="cz">Band zones (sten): {names}</p>']
    lines = "ct" if style == "bar" else "cs"
    out.append(f'<p class="{lines}">{_rows(rows)}</p>')
    height = ROW_H[style] * len(rows)
    # Drawn beside the names, not over them: pulled up by its own height.
    out.append(
        _svg([s for _, _, s in rows], zones, style).replace(
            'class="cg"', f'class="cg" style="margin-top:-{height}px"', 1
        )
    )
    note = "Sten scale 1–10 (average 5.5) · whiskers: confidence band · * borderline"
    if provisional:
        note += " · <b>PROVISIONAL norms</b>"
    out.append(f'<p class="cn">{note}</p></div>')
    return "".join(out)
