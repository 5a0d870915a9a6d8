"""Parse a "YouTube Deep Summary" page into plain dataclasses.

The page reads, top to bottom: boilerplate, the video's title, a header line
(`Channel • 117:16 minutes • Published 2025-01-17 • YouTube`), an AI summary (a
headline, an intro, then themed sections with prose, lists and `Key Takeaways:`), and
the transcript: caption text with chapter markers `## Title [mm:ss]`. The format has
no markup for section titles, so a title is recognised as a short line that is not a
sentence (no closing punctuation) standing on its own between blank lines.
"""

import datetime
import re
from dataclasses import dataclass, field

from kb.importers.documents import DocumentError, Segment
from kb.timecodes import format_timecode, parse_timecode

HEADER_EXAMPLE = "Channel • 117:16 minutes • Published 2025-01-17 • YouTube"
BULLET = re.compile(r"^\s*[•▪◦‣●\-*]\s+(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})[.)]\s+(?P<text>.+)$")
TAKEAWAY_LABEL = re.compile(r"^\s*key\s+take-?aways?\s*:?\s*$", re.IGNORECASE)
MARKER_TEXT = re.compile(
    r"^(chapter summaries|ai-generated summary|transcript chapters|transcript)\b\s*(\(|:|$)",
    re.IGNORECASE,
)
CHAPTER_MARKER = re.compile(r"(?:^|(?<=\s))##\s+")
BRACKETS = re.compile(r"\[([^\[\]\n]{0,20})\]")
RESOURCES_TITLE = re.compile(r"^(resources|further reading|links)\b", re.IGNORECASE)
CONCLUSION_TITLE = re.compile(r"^(conclusion|final thoughts|wrapping up)\b", re.IGNORECASE)
CALL_TO_ACTION = re.compile(
    r"\b(comment|subscribe|share your|reach out|let us know|let me know|follow us|like and)\b",
    re.IGNORECASE,
)
SENTENCE_END = ".!?:;,…"
CLOSING_QUOTES = "\"'”’»"
TITLE_MAX_WORDS = 16
TITLE_MAX_CHARS = 140
QUESTION_TITLE_MAX_WORDS = 8


@dataclass
class Block:
    """A piece of a section's body: a paragraph (`p`) or a list (`ul`, `ol`)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    takeaways: list[str] = field(default_factory=list)

    @property
    def prose(self) -> str:
        """The body's words as plain text, for matching it against the transcript."""
        parts = []
        for block in self.blocks:
            parts.extend([block.text] if block.kind == "p" else block.items)
        return "\n".join(parts)

    @property
    def body(self) -> str:
        """The body as editors edit it: paragraphs apart, `- ` and `1. ` list lines."""
        rendered = []
        for block in self.blocks:
            if block.kind == "p":
                rendered.append(block.text)
            elif block.kind == "ul":
                rendered.append("\n".join(f"- {item}" for item in block.items))
            else:
                rendered.append("\n".join(f"{n}. {item}" for n, item in enumerate(block.items, 1)))
        return "\n\n".join(rendered)


@dataclass
class ChapterText:
    title: str
    start_seconds: int
    text: str
    line: int

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass
class SummaryPage:
    title: str
    channel: str
    duration_seconds: int
    published_on: datetime.date | None
    headline: str = ""
    intro: str = ""
    sections: list[Section] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    conclusion: str = ""
    chapters: list[ChapterText] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return sum(len(chapter.words) for chapter in self.chapters)

    def chapter_end(self, index: int) -> int:
        """Where chapter `index` ends: the next chapter's start, or the video's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start_seconds
        return self.duration_seconds


@dataclass
class _Line:
    number: int
    text: str
    blanks_before: int


def parse_summary(text: str) -> SummaryPage:
    lines = text.split("\n")
    header_index = _find_header(lines)
    channel, duration, published_on = _parse_header(lines[header_index], header_index + 1)
    title = next((line.strip() for line in reversed(lines[:header_index]) if line.strip()), "")
    if not title:
        raise DocumentError("no video title above the header line", header_index + 1)

    transcript_index = _find_transcript(lines, header_index + 1)
    if transcript_index is None:
        raise DocumentError("no transcript: expected chapter markers like '## Intro [00:00]'")
    page = SummaryPage(
        title=title, channel=channel, duration_seconds=duration, published_on=published_on
    )
    _parse_summary_part(page, lines, header_index + 1, transcript_index)
    page.chapters = _parse_transcript(lines, transcript_index, duration)
    return page


def _find_header(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.lstrip().startswith("##"):
            break
        if line.count("•") >= 2 and re.search(r"\bminutes?\b", line, re.IGNORECASE):
            return index
    raise DocumentError(f"no header line like '{HEADER_EXAMPLE}'")


def _parse_header(line: str, number: int) -> tuple[str, int, datetime.date | None]:
    parts = [part.strip() for part in line.split("•")]
    duration_at = next(
        (i for i, part in enumerate(parts) if re.search(r"\bminutes?$", part, re.I)), None
    )
    if duration_at is None or duration_at == 0:
        raise DocumentError(f"the header line should read '{HEADER_EXAMPLE}'", number)
    channel = " • ".join(parts[:duration_at])
    duration_text = re.sub(r"\s*minutes?$", "", parts[duration_at], flags=re.I)
    try:
        duration = parse_timecode(duration_text)
    except ValueError as exc:
        raise DocumentError(f"the video's length: {exc}", number) from None
    if duration <= 0:
        raise DocumentError("the video's length is zero", number)
    published_on = None
    for part in parts[duration_at + 1 :]:
        match = re.fullmatch(r"published\s+(\S+)", part, re.I)
        if match:
            try:
                published_on = datetime.date.fromisoformat(match.group(1))
            except ValueError:
                raise DocumentError(
                    f"the publish date {match.group(1)!r} is not a date like 2025-01-17", number
                ) from None
    return channel, duration, published_on


def _is_marker(line: str) -> bool:
    return bool(MARKER_TEXT.match(re.sub(r"^[^\w]+", "", line.strip())))


def _find_transcript(lines: list[str], start: int) -> int | None:
    """Index of the first line of transcript text (the first `## ` chapter marker)."""
    for index in range(start, len(lines)):
        if lines[index].lstrip().startswith("## "):
            return index
    return None


def _parse_summary_part(page: SummaryPage, lines: list[str], start: int, end: int) -> None:
    items: list[_Line] = []
    blanks = 0
    for index in range(start, end):
        raw = lines[index]
        if not raw.strip():
            blanks += 1
            continue
        if _is_marker(raw):
            blanks = 0
            continue
        items.append(_Line(index + 1, raw.rstrip(), blanks))
        blanks = 0
    items = _drop_call_to_action(items)
    if not items:
        return

    position = 0
    if not _is_list_item(items[0].text) and not TAKEAWAY_LABEL.match(items[0].text):
        page.headline = items[0].text.strip()
        position = 1
    intro = []
    while position < len(items) and not _is_title(items, position):
        intro.append(items[position].text.strip())
        position += 1
    page.intro = "\n\n".join(intro)

    section: Section | None = None
    body_lines: list[_Line] = []
    for index in range(position, len(items)):
        if _is_title(items, index):
            if section is not None:
                _finish_section(page, section, body_lines)
            section, body_lines = Section(items[index].text.strip(), items[index].number), []
        else:
            body_lines.append(items[index])
    if section is not None:
        _finish_section(page, section, body_lines)


def _drop_call_to_action(items: list[_Line]) -> list[_Line]:
    """The page's closing line asks readers to comment or subscribe: boilerplate, not advice."""
    if len(items) < 2:
        return items
    last = items[-1]
    looks_like_cta = last.text.rstrip().endswith(("!", "?")) and CALL_TO_ACTION.search(last.text)
    if last.blanks_before >= 2 or looks_like_cta:
        return items[:-1]
    return items


def _is_list_item(text: str) -> bool:
    return bool(BULLET.match(text) or NUMBERED.match(text))


def _is_title(items: list[_Line], index: int) -> bool:
    item = items[index]
    text = item.text
    if text.startswith((" ", "\t")) or _is_list_item(text) or TAKEAWAY_LABEL.match(text):
        return False
    stripped = text.strip().rstrip(CLOSING_QUOTES)
    if not stripped:
        return False
    # "Manager or IC?" is a title; a longer question is a sentence of prose.
    short_question = stripped.endswith("?") and len(stripped.split()) <= QUESTION_TITLE_MAX_WORDS
    if stripped[-1] in SENTENCE_END and not short_question:
        return False
    if len(text) > TITLE_MAX_CHARS or len(text.split()) > TITLE_MAX_WORDS:
        return False
    # A title heads something: it is never the last line, and stands apart from the line before.
    return index + 1 < len(items) and (index == 0 or item.blanks_before > 0)


def _finish_section(page: SummaryPage, section: Section, body_lines: list[_Line]) -> None:
    if RESOURCES_TITLE.match(section.title):
        page.resources = [
            (BULLET.match(line.text) or NUMBERED.match(line.text)).group("text").strip()
            if _is_list_item(line.text)
            else line.text.strip()
            for line in body_lines
        ]
        return
    if CONCLUSION_TITLE.match(section.title):
        page.conclusion = "\n\n".join(line.text.strip() for line in body_lines)
        return

    labelled = False
    for line in body_lines:
        text = line.text
        if TAKEAWAY_LABEL.match(text):
            labelled = True
            continue
        bullet, numbered = BULLET.match(text), NUMBERED.match(text)
        if labelled and (bullet or numbered):
            section.takeaways.append((bullet or numbered).group("text").strip())
        elif bullet:
            _append_item(section.blocks, "ul", bullet.group("text").strip())
        elif numbered:
            _append_item(section.blocks, "ol", numbered.group("text").strip())
        else:
            section.blocks.append(Block("p", text=text.strip()))
    if not labelled:
        # A section of bullets with no label ("Final advice…"): the bullets are its takeaways.
        for block in [b for b in section.blocks if b.kind == "ul"]:
            section.takeaways.extend(block.items)
            section.blocks.remove(block)
    page.sections.append(section)


def _append_item(blocks: list[Block], kind: str, text: str) -> None:
    if blocks and blocks[-1].kind == kind:
        blocks[-1].items.append(text)
    else:
        blocks.append(Block(kind, items=[text]))


def _parse_transcript(lines: list[str], start: int, duration: int) -> list[ChapterText]:
    """Chapters with their text. Chapter starts must be well-formed, increasing, in the video."""
    chapters: list[ChapterText] = []
    leading: list[str] = []
    for index in range(start, len(lines)):
        line = lines[index]
        if _is_marker(line):
            continue
        pieces = CHAPTER_MARKER.split(line)
        if pieces[0].strip():
            (chapters[-1].text_parts if chapters else leading).append(pieces[0])
        for piece in pieces[1:]:
            chapter = _chapter_from_marker(piece, index + 1)
            _check_order(chapter, chapters[-1] if chapters else None, duration)
            chapters.append(chapter)
    if not chapters:
        raise DocumentError("no transcript: expected chapter markers like '## Intro [00:00]'")
    if leading:
        chapters[0].text_parts.insert(0, " ".join(leading))
    return [
        ChapterText(c.title, c.start_seconds, " ".join(" ".join(c.text_parts).split()), c.line)
        for c in chapters
    ]


@dataclass
class _ChapterDraft:
    title: str
    start_seconds: int
    line: int
    text_parts: list[str]


def _chapter_from_marker(piece: str, number: int) -> _ChapterDraft:
    """`Title [mm:ss] caption text…` → a chapter; the time is the first bracket with a digit."""
    head = piece[:300]
    match = next((m for m in BRACKETS.finditer(head) if re.search(r"\d", m.group(1))), None)
    if match is None:
        title = " ".join(head.split()[:8])
        raise DocumentError(f"chapter marker '## {title}' has no time like [12:34]", number)
    title = " ".join(piece[: match.start()].split())
    if not title:
        raise DocumentError(f"chapter marker at [{match.group(1)}] has no title", number)
    try:
        start_seconds = parse_timecode(match.group(1))
    except ValueError as exc:
        raise DocumentError(f"chapter '{title}': {exc}", number) from None
    return _ChapterDraft(title, start_seconds, number, [piece[match.end() :]])


def _check_order(chapter: _ChapterDraft, previous: _ChapterDraft | None, duration: int) -> None:
    when = format_timecode(chapter.start_seconds)
    if previous is not None and chapter.start_seconds <= previous.start_seconds:
        raise DocumentError(
            f"chapter '{chapter.title}' starts at {when}, not after the chapter before it "
            f"('{previous.title}' at {format_timecode(previous.start_seconds)})",
            chapter.line,
        )
    if chapter.start_seconds >= duration:
        raise DocumentError(
            f"chapter '{chapter.title}' starts at {when}, "
            f"not before the video's end ({format_timecode(duration)})",
            chapter.line,
        )


SEGMENT_WORDS = 7


def estimate_segments(page: SummaryPage) -> list[Segment]:
    """Cut each chapter's text into caption-sized segments, timed by word position.

    The page has no per-line times, so a word's time is interpolated between its
    chapter's start and the next chapter's start (speech runs at a steady pace).
    """
    segments = []
    for index, chapter in enumerate(page.chapters):
        words = chapter.words
        if not words:
            continue
        start, end = chapter.start_seconds, page.chapter_end(index)
        per_word = (end - start) / len(words)
        cuts = list(range(0, len(words), SEGMENT_WORDS))
        if len(cuts) > 1 and len(words) - cuts[-1] < SEGMENT_WORDS // 2:
            cuts.pop()  # fold a short tail into the segment before it
        for n, first in enumerate(cuts):
            last = cuts[n + 1] if n + 1 < len(cuts) else len(words)
            segments.append(
                Segment(
                    chapter=index,
                    start_seconds=round(start + first * per_word, 3),
                    end_seconds=round(start + last * per_word, 3),
                    text=" ".join(words[first:last]),
                    exact=False,
                )
            )
    return segments
