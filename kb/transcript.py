"""The transcript page's rows: chapter headings and segments in time order, with anchors.

The first row starting at each whole second carries `id="t-<second>"` (ids stay unique).
A moment that falls inside a segment rather than at a row's start gets an empty anchor
in that segment, so every moment link on the site lands somewhere.
"""

import bisect
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from kb.timecodes import format_timecode


@dataclass
class Row:
    kind: str  # chapter or segment
    start_seconds: float
    text: str
    exact: bool = True
    anchor: str = ""
    inner_anchors: list[str] = field(default_factory=list)


def transcript_rows(chapters, segments, moments=()) -> list[Row]:
    """`segments`: (start_seconds, text, exact) for each line; a long talk has thousands,
    so no model instances for them."""
    rows = [Row("chapter", c.start_seconds, c.title) for c in chapters]
    rows += [Row("segment", start, text, exact) for start, text, exact in segments]
    # A chapter heading comes before the segment that starts with it.
    rows.sort(key=lambda row: (row.start_seconds, row.kind != "chapter"))
    taken: set[int] = set()
    for row in rows:
        second = int(row.start_seconds)
        if second not in taken:
            taken.add(second)
            row.anchor = f"t-{second}"
    starts = [row.start_seconds for row in rows]
    for second in sorted({int(m) for m in moments} - taken):
        index = bisect.bisect_right(starts, second) - 1
        if index >= 0:
            rows[index].inner_anchors.append(f"t-{second}")
            taken.add(second)
    return rows


def rows_html(rows: list[Row]) -> SafeString:
    """The rows as HTML, every text escaped. Built here rather than in a template loop: a
    two-hour talk has four thousand lines, 70 ms through the template language."""
    parts = []
    for row in rows:
        anchor = f' id="{escape(row.anchor)}"' if row.anchor else ""
        inner = "".join(f'<span id="{escape(a)}"></span>' for a in row.inner_anchors)
        time = escape(format_timecode(row.start_seconds))
        text = escape(row.text)
        if row.kind == "chapter":
            parts.append(
                f'<h2{anchor} class="seg-chapter">{inner}<span class="time">{time}</span>'
                f" {text}</h2>"
            )
        else:
            approx = "" if row.exact else "≈"
            parts.append(
                f'<p{anchor} class="seg">{inner}<span class="time">{approx}{time}</span> {text}</p>'
            )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value escaped above
