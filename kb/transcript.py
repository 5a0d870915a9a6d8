"""The transcript page's rows: chapter headings and segments in time order, with anchors.

The first row starting at each whole second carries `id="t-<second>"` (ids stay unique).
A moment that falls inside a segment rather than at a row's start gets an empty anchor
in that segment, so every moment link on the site lands somewhere.
"""

import bisect
from dataclasses import dataclass, field


@dataclass
class Row:
    kind: str  # chapter or segment
    start_seconds: float
    text: str
    exact: bool = True
    anchor: str = ""
    inner_anchors: list[str] = field(default_factory=list)


def transcript_rows(chapters, segments, moments=()) -> list[Row]:
    rows = [Row("chapter", c.start_seconds, c.title) for c in chapters]
    rows += [Row("segment", s.start_seconds, s.text, s.exact) for s in segments]
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
