"""Parse a "YouTube Deep Summary" page into plain dataclasses.

The page reads, top to bottom: boilerplate, the video's title, a header line
(`Channel • 117:16 minutes • Published 2025-01-17 • YouTube`), an AI summary (a
headline, an intro, then themed sections with prose, lists and `Key Takeaways:`), and
the transcript: caption text with chapter markers `## Title [mm:ss]`.

Generators vary the format, so it is read by its structure rather than one file's
spelling. A section title is a short line standing on its own: marked as a Markdown
heading or in bold, numbered (`3. …`) or prefixed with an emoji, or plain; one that ends
like a sentence ("Start small.", a long question) is a title only where the page's
structure says so (it follows a section's takeaways, is in title case, or a takeaways
label follows its text). Takeaway labels may be bold or italic, with or without "Key",
singular or plural, with the takeaway on the same line. What is doubtful is reported in
`SummaryPage.warnings`, and a page with no lessons is refused.
"""

import datetime
import re
from dataclasses import dataclass, field

from kb.importers.documents import DocumentError, Segment
from kb.importers.people import propose_people
from kb.timecodes import format_timecode, parse_timecode

HEADER_EXAMPLE = "Channel • 117:16 minutes • Published 2025-01-17 • YouTube"
BULLET = re.compile(r"^\s*[•▪◦‣●○■□►▸✓✔➤→\-–—*+]\s+(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})[.)]\s+(?P<text>.+)$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(?P<text>[^*_].*?)\1$")
# Emoji, arrows and other marks before a title or label ("📌 Conclusion").
LEADING_MARKS = re.compile(r"^[^\w\"“‘'(\[]+")
TAKEAWAY_LABEL = re.compile(
    r"^(?P<prefix>(?:key|main|top|the)\s+)?"
    r"(?P<word>take-?aways?|points?|lessons?(?:\s+learned)?|insights?|learnings?|"
    r"action\s+items?|actionable\s+(?:tips|advice|steps|insights|takeaways))"
    r"\s*(?P<colon>[:：]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
MARKER_TEXT = re.compile(
    r"^(chapter summaries|ai-generated summary|transcript chapters|transcript)\b\s*(\(|:|$)",
    re.IGNORECASE,
)
CHAPTER_MARKER = re.compile(r"(?:^|(?<=\s))##\s+")
TIMED_MARKER = re.compile(r"##\s+[^\[\n]{0,300}\[[^\]\n]{0,20}\d")
BRACKETS = re.compile(r"\[([^\[\]\n]{0,20})\]")
RESOURCES_TITLE = re.compile(
    r"^(resources|further reading|links|references|recommended\s+(reading|resources|books)"
    r"|books\s+(and\s+\w+\s+)?mentioned|tools\s+mentioned)\b",
    re.IGNORECASE,
)
CONCLUSION_TITLE = re.compile(
    r"^(conclusion|in conclusion|final thoughts|closing thoughts|wrapping up|the bottom line"
    r"|bottom line)\b",
    re.IGNORECASE,
)
CALL_TO_ACTION = re.compile(
    r"\b(comment|subscribe|share your|reach out|let us know|let me know|follow us|like and)\b",
    re.IGNORECASE,
)
SENTENCE_END = ".!?:;,…"
CLOSING_QUOTES = "\"'”’»"
TITLE_MAX_WORDS = 16
TITLE_MAX_CHARS = 140
QUESTION_TITLE_MAX_WORDS = 8
# A title in sentence case that ends like a sentence is short ("Ask for help early.").
SENTENCE_TITLE_MAX_WORDS = 10
# An intro longer than this many paragraphs probably swallowed section titles.
LONG_INTRO_PARAGRAPHS = 4


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
    boilerplate: list[str] = field(default_factory=list)
    # Who the page says is in the video (kb.importers.people): proposals, not facts.
    guests: list[str] = field(default_factory=list)
    host: str = ""
    # (line, message): what was read doubtfully; the import reports each.
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

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
    found = propose_people(
        page.headline, page.intro, page.channel, " ".join(c.text for c in page.chapters)
    )
    page.guests, page.host = found.guests, found.host
    if not page.sections:
        raise DocumentError(
            "no lessons in the summary: expected section titles on lines of their own, each "
            "followed by its text (and usually a 'Key Takeaways:' label with bullets), "
            "between the header and the transcript"
            + (f"; the intro holds {_paragraphs(page.intro)} paragraphs" if page.intro else "")
        )
    return page


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def reading_report(page: SummaryPage) -> list[str]:
    """What was read from the page, for the import's output and the admin's preview."""
    takeaways = sum(len(s.takeaways) for s in page.sections)
    parts = [
        _count(len(page.sections), "lesson"),
        _count(takeaways, "takeaway"),
        f"an intro of {_count(_paragraphs(page.intro), 'paragraph')}" if page.intro else "",
        f"a conclusion of {_count(_paragraphs(page.conclusion), 'paragraph')}"
        if page.conclusion
        else "",
        _count(len(page.resources), "resource") if page.resources else "",
    ]
    lines = ["read " + ", ".join(p for p in parts if p)]
    if page.guests or page.host:
        named = [
            *(f"{g} (guest)" for g in page.guests),
            *([f"{page.host} (host)"] * bool(page.host)),
        ]
        lines.append("people: " + ", ".join(named))
    for n, section in enumerate(page.sections, 1):
        lines.append(f"lesson {n}: {section.title} ({_count(len(section.takeaways), 'takeaway')})")
    lines += [f"left out as boilerplate: {text}" for text in page.boilerplate]
    return lines


def _paragraphs(text: str) -> int:
    return len([p for p in text.split("\n\n") if p.strip()])


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
    """Index of the first line of transcript text: the first `## ` chapter marker with a
    time. A `## Heading` without one is a section title of the summary."""
    for index in range(start, len(lines)):
        line = lines[index].lstrip()
        if line.startswith("## ") and TIMED_MARKER.search(line):
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
    items = _drop_call_to_action(page, items)
    if not items:
        return

    position = 0
    if not _is_list_item(items[0].text) and _label(items[0].text) is None:
        page.headline = _clean(items[0].text)
        position = 1
    titles = _find_titles(page, items, position)
    intro = []
    while position < len(items) and position not in titles:
        intro.append(items[position].text.strip())
        position += 1
    page.intro = "\n\n".join(intro)
    if len(intro) > LONG_INTRO_PARAGRAPHS:
        page.warnings.append(
            (items[0].number, f"the intro has {len(intro)} paragraphs: are section titles "
             "missing? (each title on a line of its own)")
        )  # fmt: skip

    section: Section | None = None
    body_lines: list[_Line] = []
    for index in range(position, len(items)):
        if index in titles:
            if section is not None:
                _finish_section(page, section, body_lines)
            section, body_lines = Section(titles[index], items[index].number), []
        else:
            body_lines.append(items[index])
    if section is not None:
        _finish_section(page, section, body_lines)


def _drop_call_to_action(page: SummaryPage, items: list[_Line]) -> list[_Line]:
    """The page's closing line asks readers to comment or subscribe: boilerplate, not advice."""
    if len(items) < 2:
        return items
    last = items[-1]
    looks_like_cta = last.text.rstrip().endswith(("!", "?")) and CALL_TO_ACTION.search(last.text)
    if last.blanks_before >= 2 or looks_like_cta:
        page.boilerplate.append(last.text.strip())
        return items[:-1]
    return items


def _is_list_item(text: str) -> bool:
    return bool(BULLET.match(text) or NUMBERED.match(text))


def _unmark(text: str) -> str:
    """A line without its Markdown heading marks, emphasis and leading emoji."""
    text = text.strip()
    heading = HEADING.match(text)
    if heading:
        text = heading.group("text")
    for _ in range(2):
        emphasis = EMPHASIS.match(text)
        if emphasis:
            text = emphasis.group("text").strip()
    return LEADING_MARKS.sub("", text).strip()


def _clean(text: str) -> str:
    """A title as readers see it: marks and list numbering gone, no closing full stop."""
    text = _unmark(text)
    numbered = NUMBERED.match(text)
    if numbered:
        text = _unmark(numbered.group("text"))
    text = re.sub(r"\s*[:：]$", "", text)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _label(text: str) -> str | None:
    """For a takeaways label ("Key Takeaways:", "**Takeaway:**", "_Key points_"), the text
    after it on the same line ("" if none); None for any other line."""
    stripped = text.strip()
    bold = re.match(r"^(\*\*|__)(?P<label>[^*_]+?)\1\s*[:：]?\s*(?P<rest>.*)$", stripped)
    if bold and TAKEAWAY_LABEL.match(bold.group("label").strip()):
        return bold.group("rest").strip()
    match = TAKEAWAY_LABEL.match(_unmark(stripped))
    if not match:
        return None
    if not (match.group("colon") or match.group("prefix") or "take" in match.group("word").lower()):
        return None  # "Lessons" or "Insights" alone may be a section's title
    return (match.group("rest") or "").strip()


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    significant = [w for n, w in enumerate(words) if n == 0 or len(w) > 3]
    capitals = sum(1 for w in significant if w[0].isupper())
    return len(significant) >= 2 and capitals >= 0.7 * len(significant)


def _find_titles(page: SummaryPage, items: list[_Line], start: int) -> dict[int, str]:
    """The items that are section titles (index → the title), read by the page's shape."""
    titles: dict[int, str] = {}
    after_takeaways = False  # the section so far had its label, then list items
    labelled = False
    for index in range(start, len(items)):
        text = items[index].text
        label = _label(text)
        if label is not None:
            labelled = True
            continue
        kind = _title_kind(items, index, after_takeaways)
        if kind:
            titles[index] = _clean(text)
            labelled = after_takeaways = False
            if kind == "sentence":
                page.warnings.append(
                    (items[index].number, f"read {text.strip()!r} as a section title, though "
                     "it ends like a sentence")
                )  # fmt: skip
            continue
        if _is_list_item(text):
            after_takeaways = labelled
        elif after_takeaways:
            page.warnings.append(
                (items[index].number, "text after a section's takeaways was kept in its body: "
                 "is it a section title?")
            )  # fmt: skip
            after_takeaways = False
    return titles


def _title_kind(items: list[_Line], index: int, after_takeaways: bool, ahead: bool = True) -> str:
    """ "title", "sentence" (a title that ends like a sentence) or "" (not a title).
    `ahead`: whether to look for a takeaways label after the line's text."""
    item = items[index]
    raw = item.text
    if index + 1 >= len(items):
        return ""  # a title heads something: it is never the last line
    text = _clean(raw)
    if not text or len(text) > TITLE_MAX_CHARS or len(text.split()) > TITLE_MAX_WORDS:
        return ""
    if HEADING.match(raw) or EMPHASIS.match(raw.strip()):
        return "title"  # marked as one
    if raw.startswith((" ", "\t")) or BULLET.match(raw):
        return ""
    if NUMBERED.match(raw) and any(
        0 <= n < len(items) and _same_list(raw, items[n].text) for n in (index - 1, index + 1)
    ):
        return ""  # one of a numbered list, not a numbered title
    if index and item.blanks_before == 0:
        return ""
    if RESOURCES_TITLE.match(text) or CONCLUSION_TITLE.match(text):
        return "title"
    unmarked = _unmark(raw)
    numbered = NUMBERED.match(unmarked)
    unmarked = (numbered.group("text") if numbered else unmarked).rstrip(CLOSING_QUOTES)
    short_question = unmarked.endswith("?") and len(unmarked.split()) <= QUESTION_TITLE_MAX_WORDS
    if unmarked[-1] not in SENTENCE_END or short_question:
        return "title"
    if unmarked[-1] not in ".?!":
        return ""
    # Ends like a sentence: a title only where the page's shape says so.
    if after_takeaways or _title_case(unmarked):
        return "title"
    short = len(unmarked.split()) <= SENTENCE_TITLE_MAX_WORDS
    return "sentence" if short and ahead and _label_follows(items, index) else ""


def _same_list(line: str, other: str) -> bool:
    """Both numbered items, indented alike: items of one list."""

    def indent(text: str) -> int:
        return len(text) - len(text.lstrip())

    return bool(NUMBERED.match(other)) and indent(line) == indent(other)


def _label_follows(items: list[_Line], index: int, reach: int = 8) -> bool:
    """Prose follows the line, then a takeaways label, before anything else titled."""
    following = items[index + 1 : index + 1 + reach]
    if not following or _is_list_item(following[0].text) or _label(following[0].text) is not None:
        return False
    for n, item in enumerate(following, index + 1):
        if _label(item.text) is not None:
            return True
        if _title_kind(items, n, False, ahead=False):
            return False
    return False


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
        label = _label(text)
        if label is not None:
            labelled = True
            if label:
                section.takeaways.append(label)
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
    if not section.takeaways:
        page.warnings.append((section.line, f"section {section.title!r} has no takeaways"))
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
