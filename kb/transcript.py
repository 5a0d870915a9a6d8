"""The transcript page's rows: chapter headings and segments in time order, with anchors.

The first row starting at each whole second carries `id="t-<second>"` (ids stay unique).
A moment that falls inside a segment rather than at a row's start gets an empty anchor
in that segment, so every moment link on the site lands somewhere.
"""

import bisect
from dataclasses import dataclass, field
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kb.timecodes import format_timecode


@dataclass
class Row:
    kind: str  # chapter or segment
    start_seconds: float
    text: str
    exact: bool = True
    # Who starts speaking here, where the transcript says and it changes: (name, slug).
    speaker: tuple[str, str] | None = None
    anchor: str = ""
    inner_anchors: list[str] = field(default_factory=list)


def transcript_rows(chapters, segments, moments=()) -> list[Row]:
    """`segments`: (start_seconds, text, exact, speaker's name, speaker's slug) for each
    line, the speaker's None where the transcript does not say; a long talk has
    thousands, so no model instances for them."""
    rows = [Row("chapter", c.start_seconds, c.title) for c in chapters]
    rows += [
        Row("segment", start, text, exact, (name, slug) if name else None)
        for start, text, exact, name, slug in segments
    ]
    # A chapter heading comes before the segment that starts with it.
    rows.sort(key=lambda row: (row.start_seconds, row.kind != "chapter"))
    # A speaker is named where they start, and again after each chapter heading, so a
    # reader landing on a chapter knows who speaks.
    speaking = None
    for row in rows:
        if row.kind == "chapter":
            speaking = None
        elif row.speaker is not None:
            row.speaker, speaking = (None if row.speaker == speaking else row.speaker), row.speaker
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
            who = ""
            if row.speaker:
                name, slug = row.speaker
                url = reverse("kb:person", kwargs={"slug": slug})
                who = f' <a class="speaker" href="{escape(url)}">{escape(name)}</a>:'
            parts.append(
                f'<p{anchor} class="seg">{inner}<span class="time">{approx}{time}</span>{who}'
                f" {text}</p>"
            )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value escaped above
