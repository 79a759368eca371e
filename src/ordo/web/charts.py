"""Charts drawn on the server as SVG: no script and no outside library, so they obey the Content
Security Policy, print, and read the same on a phone (the drawing scales to its box). Each chart
has a title for screen readers; the page puts the numbers beside it as a table."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR = "#2563eb"
AXIS = "#9fb3c8"
TEXT = "#486581"


def bar_chart(
    values: Sequence[int | Decimal],
    labels: Sequence[str],
    *,
    title: str,
    peak: str = "",
    width: int = 640,
    height: int = 180,
) -> SafeString:
    """Vertical bars, one per value, the largest reaching the top; the first, middle and last
    labels under the axis and ``peak`` (the largest value, as the page writes it) above."""
    top, bottom, left = 18, 22, 6
    inner = height - top - bottom
    count = max(len(values), 1)
    slot = (width - left * 2) / count
    highest = max((float(v) for v in values), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        f' preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + inner}" x2="{width - left}" y2="{top + inner}" stroke="{AXIS}"/>',
    ]
    for n, value in enumerate(values):
        size = inner * float(value) / highest
        x = left + n * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{top + inner - size:.1f}" width="{slot * 0.7:.1f}" height="{size:.1f}"'
            f' fill="{BAR}"><title>{escape(labels[n])}: {escape(str(value))}</title></rect>'
        )
    for n in sorted({0, len(labels) // 2, len(labels) - 1}):
        if 0 <= n < len(labels):
            anchor = "start" if n == 0 else "end" if n == len(labels) - 1 else "middle"
            x = left + n * slot + (0 if anchor == "start" else slot if anchor == "end" else slot / 2)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" font-size="12" fill="{TEXT}" text-anchor="{anchor}">'
                f"{escape(labels[n])}</text>"
            )
    if peak:
        parts.append(f'<text x="{left}" y="12" font-size="12" fill="{TEXT}">↑ {escape(peak)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above
