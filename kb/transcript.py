"""The transcript page's body: a chapter index, then each chapter as a section that opens in
parts of a couple of minutes, the lines inside flowing as paragraphs.

A long talk is thousands of caption fragments: one line each, it was a wall a phone scrolled
for minutes. Here every chapter and every part is a `<details>` element, closed until the
reader opens it (or arrives at a moment inside it: browsers open the sections around a
fragment's target, and site.js does it where they don't), so the page on arrival is the
index and the one part that holds the moment, while every line stays on the page for find
and for anchors.

The first element starting at each whole second (a chapter's heading, else a line) carries
`id="t-<second>"` (ids stay unique). A moment that falls inside a line rather than at an
element's start gets an empty anchor in that line, so every moment link on the site lands.
"""

import bisect
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from kb.models import slug_url
from kb.timecodes import format_timecode

# A part is what opens at once: about this much speech, cut where a paragraph ends. A
# minute is a screen and a half on a phone, so a two-hour talk arriving at a moment in its
# longest chapter (its index, closed chapters, that chapter's parts, one open) stays short.
PART_SECONDS = 60
# A paragraph ends where the speaker changes, else after about this much speech.
PARAGRAPH_SECONDS = 30
GIST_CHARS = 70


@dataclass
class Line:
    start_seconds: float
    text: str
    exact: bool = True
    # Who says it, where the transcript says: (name, slug).
    speaker: tuple[str, str] | None = None
    anchor: str = ""
    inner_anchors: list[str] = field(default_factory=list)


@dataclass
class Part:
    paragraphs: list[list[Line]]
    end_seconds: float = 0.0

    @property
    def start_seconds(self) -> float:
        return self.paragraphs[0][0].start_seconds


@dataclass
class Section:
    """A chapter (or the lines before the first chapter, or a whole talk without any)."""

    number: int
    title: str
    start_seconds: float
    heading: Line  # the heading's own anchors
    lessons: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    lines: list[Line] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def html_id(self) -> str:
        return f"ch-{self.number}"


def transcript_sections(
    chapters, segments, moments=(), lessons=(), end_seconds: float = 0
) -> list[Section]:
    """`chapters`: (id, title, start_seconds). `segments`: (start_seconds, text, exact,
    speaker's name, speaker's slug) for each line in time order, the speaker's None where
    the transcript does not say; a long talk has thousands, so no model instances for
    them. `lessons`: (chapter id or None, start_seconds or None, title, slug), each shown
    beside its chapter (the one holding its moment when it names none)."""
    chapters = list(chapters)
    sections = [
        Section(number, title, start, Line(start, title))
        for number, (_, title, start) in enumerate(chapters, 1)
    ]
    lines = [
        Line(start, text, exact, (name, slug) if name else None)
        for start, text, exact, name, slug in segments
    ]
    if lines and (not sections or lines[0].start_seconds < sections[0].start_seconds):
        title = "Before the first chapter" if sections else "The whole talk"
        sections.insert(0, Section(0, title, 0, Line(0, title)))
    if not sections:
        return []
    starts = [section.start_seconds for section in sections]
    for line in lines:
        sections[max(bisect.bisect_right(starts, line.start_seconds) - 1, 0)].lines.append(line)
    # The chapters' sections are the last ones (a section for the lines before them first).
    chaptered = sections[len(sections) - len(chapters) :]
    by_chapter = {chapter[0]: section for chapter, section in zip(chapters, chaptered, strict=True)}
    for chapter_id, start, title, slug in lessons:
        section = by_chapter.get(chapter_id)
        if section is None and start is not None and sections:
            section = sections[max(bisect.bisect_right(starts, start) - 1, 0)]
        if section is not None:
            section.lessons.append((title, slug_url("kb:lesson", slug)))
    _anchor(sections, moments)
    ends = [*starts[1:], max(end_seconds, lines[-1].start_seconds if lines else 0)]
    for section, end in zip(sections, ends, strict=True):
        section.parts = _parts(section.lines, end)
    return sections


def _anchor(sections: list[Section], moments) -> None:
    # A chapter's heading comes before the line that starts with it.
    rows = []
    for section in sections:
        rows.append(section.heading)
        rows.extend(section.lines)
    rows.sort(key=lambda row: row.start_seconds)  # stable: headings stay first
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


def _parts(lines: list[Line], end_seconds: float) -> list[Part]:
    paragraphs: list[list[Line]] = []
    for line in lines:
        last = paragraphs[-1] if paragraphs else None
        if (
            last is None
            or line.speaker != last[-1].speaker
            or line.start_seconds - last[0].start_seconds >= PARAGRAPH_SECONDS
        ):
            paragraphs.append([line])
        else:
            last.append(line)
    parts: list[Part] = []
    for paragraph in paragraphs:
        if not parts or paragraph[0].start_seconds - parts[-1].start_seconds >= PART_SECONDS:
            parts.append(Part([paragraph]))
        else:
            parts[-1].paragraphs.append(paragraph)
    for part, following in zip(parts, parts[1:], strict=False):
        part.end_seconds = following.start_seconds
    if parts:
        parts[-1].end_seconds = max(end_seconds, parts[-1].paragraphs[-1][-1].start_seconds)
    return parts


def _time(seconds: float, exact: bool = True) -> str:
    return ("" if exact else "≈") + escape(format_timecode(seconds))


def _anchors(row: Line) -> tuple[str, str]:
    own = f' id="{escape(row.anchor)}"' if row.anchor else ""
    return own, "".join(f'<span id="{escape(a)}"></span>' for a in row.inner_anchors)


def index_html(sections: list[Section]) -> SafeString:
    """The chapter index: each chapter's time and title, and the lessons said in it."""
    items = []
    for section in sections:
        said = ", ".join(
            f'<a href="{escape(url)}">{escape(title)}</a>' for title, url in section.lessons
        )
        items.append(
            f'<li><a href="#{section.html_id}"><span class="time">'
            f"{_time(section.start_seconds)}</span> {escape(section.title)}</a>"
            + (f'<span class="said"> · {said}</span>' if said else "")
            + "</li>"
        )
    return mark_safe("\n".join(items))  # noqa: S308 - every value escaped above


def sections_html(sections: list[Section], exact: bool = True) -> SafeString:
    """Every chapter, part and line, every text escaped. Built here rather than in a
    template loop: a two-hour talk has four thousand lines, 70 ms through the template
    language."""
    out = []
    flat = [part for section in sections for part in section.parts]
    following = {id(part): nxt for part, nxt in zip(flat, flat[1:], strict=False)}
    for section in sections:
        own, inner = _anchors(section.heading)
        out.append(
            f'<details class="chapter" id="{section.html_id}"><summary>'
            f'<h2{own} class="seg-chapter">{inner}<span class="time">'
            f"{_time(section.start_seconds)}</span> {escape(section.title)}</h2></summary>"
        )
        if section.lessons:
            said = ", ".join(
                f'<a href="{escape(url)}">{escape(title)}</a>' for title, url in section.lessons
            )
            out.append(f'<p class="said">Said here: {said}</p>')
        for part in section.parts:
            out.append(_part_html(part, following.get(id(part)), exact))
        out.append("</details>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped in each piece


def _part_html(part: Part, after: Part | None, exact: bool) -> str:
    words = " ".join(line.text for paragraph in part.paragraphs for line in paragraph[:12])
    gist = words if len(words) <= GIST_CHARS else words[:GIST_CHARS].rsplit(" ", 1)[0] + "…"
    out = [
        f'<details class="part"><summary><span class="time">{_time(part.start_seconds, exact)}'
        f"–{_time(part.end_seconds, exact)}</span> "
        f'<span class="gist">{escape(gist)}</span></summary>'
    ]
    speaking = None  # a reader opening a part is told who speaks in it
    for paragraph in part.paragraphs:
        first = paragraph[0]
        who = ""
        if first.speaker and first.speaker != speaking:
            name, slug = first.speaker
            url = slug_url("kb:person", slug)
            who = f' <a class="speaker" href="{escape(url)}">{escape(name)}</a>:'
        speaking = first.speaker or speaking
        lines = []
        for line in paragraph:
            own, inner = _anchors(line)
            lines.append(f'<span{own} class="seg">{inner}{escape(line.text)}</span>')
        out.append(
            f'<p class="para"><span class="time">{_time(first.start_seconds, first.exact)}'
            f"</span>{who} {' '.join(lines)}</p>"
        )
    if after is not None:
        target = _first_anchor(after)
        if target:
            out.append(
                f'<p class="next"><a href="#{escape(target)}">Read on from '
                f"{_time(after.start_seconds, exact)}</a></p>"
            )
    out.append("</details>")
    return "\n".join(out)


def _first_anchor(part: Part) -> str:
    for paragraph in part.paragraphs:
        for line in paragraph:
            if line.anchor or line.inner_anchors:
                return line.anchor or line.inner_anchors[0]
    return ""
