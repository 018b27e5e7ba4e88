"""Horizontal bar charts drawn on the server as SVG, in the DSFR's colours.

Drawn here rather than by a JavaScript library: the chart is in the page as it is served (no
script, no layout shift, prints as it shows), its numbers are the ones of the table next to it,
written by :mod:`tremplin.formats`, and the tests read them in the HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BLUE = "#000091"  # bleu France
BLUE_LIGHT = "#8585f6"
RED = "#c9191e"  # rouge Marianne (425)
RED_LIGHT = "#f6b1a9"
GREY = "#929292"

WIDTH = 860
LABEL_WIDTH = 300
VALUE_WIDTH = 190
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 12
LABEL_CHARS = 44


@dataclass(frozen=True)
class Segment:
    value: float
    colour: str


@dataclass(frozen=True)
class Bar:
    """One bar: segments stacked from the left, and the text written after it."""

    segments: Sequence[Segment]
    text: str

    @property
    def total(self) -> float:
        return sum(max(s.value, 0.0) for s in self.segments)


@dataclass(frozen=True)
class Row:
    """One category: its label (a link when ``href`` is set) and its bars."""

    label: str
    bars: Sequence[Bar]
    href: str | None = None


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(
    identifier: str,
    title: str,
    description: str,
    rows: Sequence[Row],
    legend: Sequence[tuple[str, str]],
) -> Markup:
    """An SVG chart: one line per row, its bars scaled on the largest bar of the chart."""
    largest = max((bar.total for row in rows for bar in row.bars), default=0.0) or 1.0
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    parts: list[str] = []
    y = 28
    legend_x = 0
    for name, colour in legend:
        parts.append(f'<rect x="{legend_x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{legend_x + 16}" y="14" class="graphique__legende">{escape(name)}</text>'
        )
        legend_x += 24 + 7 * len(name)
    for row in rows:
        height = len(row.bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        label = escape(_short(row.label))
        text_y = y + height / 2 + 4
        text = (
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.1f}" text-anchor="end" '
            f'class="graphique__categorie"><title>{escape(row.label)}</title>{label}</text>'
        )
        if row.href:
            text = f'<a href="{escape(row.href)}">{text}</a>'
        parts.append(text)
        for index, bar in enumerate(row.bars):
            top = y + index * (BAR_HEIGHT + BAR_GAP)
            x = float(LABEL_WIDTH)
            for segment in bar.segments:
                width = max(segment.value, 0.0) * scale
                if width > 0:
                    parts.append(
                        f'<rect x="{x:.1f}" y="{top}" width="{width:.1f}" '
                        f'height="{BAR_HEIGHT}" fill="{segment.colour}"/>'
                    )
                x += width
            parts.append(
                f'<text x="{x + 6:.1f}" y="{top + BAR_HEIGHT - 3}" '
                f'class="graphique__valeur">{escape(bar.text)}</text>'
            )
        y += height + ROW_GAP
    height = y + 4
    # A chart whose labels are links is a group of links, not a mere image (axe-core:
    # nested-interactive).
    role = "group" if any(row.href for row in rows) else "img"
    return Markup(
        f'<svg id="{escape(identifier)}" class="graphique" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="{role}" aria-labelledby="{escape(identifier)}-titre '
        f'{escape(identifier)}-description" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(identifier)}-titre">{escape(title)}</title>'
        f'<desc id="{escape(identifier)}-description">{escape(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
