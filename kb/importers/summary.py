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

import bisect
import datetime
import math
import re
from dataclasses import dataclass, field

from kb.importers.documents import DocumentError, Segment
from kb.importers.people import propose_people
from kb.importers.youtube import parse_youtube_id
from kb.timecodes import format_timecode, parse_timecode

HEADER_EXAMPLE = "Channel • 117:16 minutes • Published 2025-01-17 • YouTube"
# The generator's raw timed transcript: `[00:02] (2.56s)` then the words, on the same line
# or the next. The bracket is the time rounded down for reading, the seconds are exact.
ENTRY = re.compile(
    r"^\s*\[(?P<clock>\d{1,3}:\d{2}(?::\d{2})?)\]\s*\((?P<seconds>\d{1,6}(?:\.\d{1,3})?)s\)"
    r"\s*(?P<text>.*)$"
)
# "📚 Chapter Summaries (19)", "📝 Transcript Chapters (19 chapters):": what the page says
# it holds, checked against the markers found.
CHAPTER_COUNT = re.compile(
    r"^\W*(?:chapter summaries|transcript chapters)\s*\((?P<count>\d{1,4})(?:\s+chapters?)?\)",
    re.IGNORECASE,
)
# The page's list of chapters under "📝 Transcript Chapters": `• Intro - 0:00`.
CHAPTER_LIST_ITEM = re.compile(
    r"^\s*[•\-*]\s+(?:\*\*)?(?P<title>.+?)(?:\*\*)?\s+[-–—]\s+(?P<clock>\d{1,3}:\d{2}(?::\d{2})?)"
    r"\W*$"
)
# A section titled with its chapter's start, as the chapters template writes it:
# `### Getting into programming (01:28)`.
TITLE_TIME = re.compile(r"\s*[(\[](?P<clock>\d{1,3}:\d{2}(?::\d{2})?)[)\]]\s*$")
# Spoken English runs at about this many words a second (DESIGN.md, the seed's chapters).
WORDS_PER_SECOND = 3.7
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
    # The start of the chapter its title names (`### Title (01:28)`), if it names one.
    chapter_start: int | None = None

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
class Entry:
    """One entry of the generator's raw timed transcript: an exact start and its words."""

    start_seconds: float
    text: str
    line: int


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
    # The raw timed transcript, when the page holds it: exact times, one segment each.
    entries: list[Entry] = field(default_factory=list)
    # The video's YouTube id, when the document gives it (the channel export does).
    youtube_id: str = ""

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
    head = _read_head(lines)
    transcript_index = _find_transcript(lines, head.summary_start)
    page = SummaryPage(
        title=head.title,
        channel=head.channel,
        duration_seconds=head.duration or 0,
        published_on=head.published_on,
        warnings=head.warnings,
        youtube_id=head.youtube_id,
    )
    summary_end = transcript_index if transcript_index is not None else len(lines)
    listed = _parse_summary_part(page, lines, head.summary_start, summary_end)
    if transcript_index is not None:
        page.chapters, page.entries = _parse_transcript(lines, transcript_index, head.duration)
        if not page.chapters and listed:
            page.chapters = [ChapterText(t, s, "", n) for t, s, n in listed]
        _fill_chapter_texts(page)
    else:
        page.chapters = _chapters_without_transcript(page, listed)
        page.warnings.append(
            (None, "the page holds no transcript: its lessons have no moments until one is "
             "attached (import_video CAPTIONS --video SLUG)")
        )  # fmt: skip
    if head.duration is None:
        page.duration_seconds = _spoken_end(page)
        page.warnings.append(
            (head.line, "the page gives no length"
             + (f": took {format_timecode(page.duration_seconds)}, where its transcript ends"
                if page.duration_seconds else ": it is taken from the transcript when one comes"))
        )  # fmt: skip
    _check_chapter_count(page, head.stated_chapters, transcript_index is not None)
    found = propose_people(
        page.headline,
        page.intro,
        page.channel,
        " ".join(c.text for c in page.chapters),
        title=page.title,
    )
    page.guests, page.host = found.guests, found.host
    page.warnings += [(None, note) for note in found.notes]
    if not page.sections:
        raise DocumentError(
            "no lessons in the summary: expected section titles on lines of their own, each "
            "followed by its text (and usually a 'Key Takeaways:' label with bullets), "
            "between the header and the transcript"
            + (f"; the intro holds {_paragraphs(page.intro)} paragraphs" if page.intro else "")
        )
    return page


@dataclass
class _Head:
    """What the top of a page says of its video; `summary_start` is where the summary begins."""

    title: str
    channel: str
    duration: int | None
    published_on: datetime.date | None
    summary_start: int
    line: int
    stated_chapters: tuple[int, int] | None = None  # (count, line)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    youtube_id: str = ""


# What a copy of the site's pages holds around the video's own lines: navigation, buttons.
PAGE_CHROME = re.compile(
    r"^(youtube deep summary|video thumbnail|star\b|extract content|← ?back|more from|"
    r"📺 video id)",
    re.IGNORECASE,
)
MONTH_DATE = re.compile(r"^(?:published\s+)?(?P<date>[A-Z][a-z]+\s+\d{1,2},\s+\d{4})$", re.I)
ISO_DATE = re.compile(r"^(?:published\s+)?(?P<date>\d{4}-\d{2}-\d{2})(?:[T ][\d:.Z+-]*)?$", re.I)


def _read_head(lines: list[str]) -> _Head:
    """The title, channel, length and date, from the `•` header line the site's video page
    has, from the title and channel lines its channel pages (`/channel/slug`) show, or from
    the `Video Title:` … lines of a file of its channel export."""
    if lines and EXPORT_FIELD.match(lines[0]) and lines[0].startswith("Video Title:"):
        return _export_head(lines)
    for index, line in enumerate(lines[:200]):
        if line.lstrip().startswith("##") or ENTRY.match(line):
            break
        if line.count("•") >= 1 and not BULLET.match(line):
            head = _parse_header(lines, index)
            if head is not None:
                return head
    return _second_layout(lines)


# "Export channel summaries" writes `Title - VIDEOID.txt` files that open with these lines,
# then a rule of `=`, then the summary (Markdown, or stripped to text).
EXPORT_FIELD = re.compile(r"^(?P<name>[A-Z][A-Za-z ]{1,20}):[ \t]*(?P<value>.*)$")
EXPORT_RULE = re.compile(r"^={10,}\s*$")
EXPORT_FIELDS_MAX = 20


def _export_head(lines: list[str]) -> _Head:
    fields: dict[str, tuple[str, int]] = {}
    for index, line in enumerate(lines[:EXPORT_FIELDS_MAX]):
        if EXPORT_RULE.match(line):
            break
        match = EXPORT_FIELD.match(line)
        if match is None:
            raise DocumentError(
                "an exported summary's header has 'Name: value' lines, then a rule of '='",
                index + 1,
            )
        fields[match.group("name").casefold()] = (match.group("value").strip(), index + 1)
    else:
        raise DocumentError("an exported summary's header ends with a rule of '=': none found")
    rule = index
    title = fields.get("video title", ("", 1))[0]
    if not title:
        raise DocumentError("the export names no video title", 1)
    youtube_id = ""
    for name in ("video id", "video url"):
        value, number = fields.get(name, ("", 0))
        if value and not youtube_id:
            try:
                youtube_id = parse_youtube_id(value)
            except DocumentError:
                raise DocumentError(f"{value!r} is not a YouTube video id", number) from None
    if not youtube_id:
        raise DocumentError("the export gives no Video ID", 1)
    head = _Head(
        title, fields.get("channel", ("", 0))[0], None, None, rule + 1, rule + 1,
        youtube_id=youtube_id,
    )  # fmt: skip
    if not head.channel:
        head.warnings.append((None, "the export names no channel"))
    fmt = fields.get("format", ("", 0))[0].casefold()
    if fmt not in ("", "markdown", "plain"):
        head.warnings.append(
            (fields["format"][1], f"read the export's format {fmt!r} as Markdown or plain text")
        )
    return head


def _parse_header(lines: list[str], index: int) -> _Head | None:
    """`Channel • 117:16 minutes • Published 2025-01-17 • YouTube` in any order after the
    channel, any part but the channel missing; None when the line is not such a header."""
    number = index + 1
    parts = [part.strip() for part in lines[index].split("•")]
    duration = published_on = None
    known_at = None
    for at, part in enumerate(parts):
        kind = _header_part(part, number)
        if kind is None:
            continue
        known_at = at if known_at is None else known_at
        if isinstance(kind, int):
            duration = kind
        elif isinstance(kind, datetime.date):
            published_on = kind
    if known_at is None or (duration is None and published_on is None):
        return None
    title = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
    if not title or PAGE_CHROME.match(title):
        raise DocumentError("no video title above the header line", number)
    head = _Head(title, " • ".join(parts[:known_at]), duration, published_on, index + 1, number)
    if not head.channel:
        head.warnings.append((number, "the header names no channel"))
    if published_on is None:
        head.warnings.append((number, "the header gives no publish date"))
    head.stated_chapters = _stated_chapters(lines, index + 1)
    return head


def _header_part(part: str, number: int):
    """A header part's meaning: the length in seconds, a date, "" for `YouTube`, or None."""
    if part.casefold() == "youtube":
        return ""
    if re.search(r"\bminutes?$", part, re.I):
        duration_text = re.sub(r"\s*minutes?$", "", part, flags=re.I)
        try:
            duration = parse_timecode(duration_text)
        except ValueError as exc:
            raise DocumentError(f"the video's length: {exc}", number) from None
        if duration <= 0:
            raise DocumentError("the video's length is zero", number)
        return duration
    return _date(part, number)


def _date(text: str, number: int) -> datetime.date | None:
    """`2025-01-17`, `Published 2025-01-17` or `January 17, 2025`; None for other text, an
    error for what is written as a date but is none."""
    stripped = text.strip()
    iso, month = ISO_DATE.match(stripped), MONTH_DATE.match(stripped)
    explicit = re.fullmatch(r"published\s+(.+)", stripped, re.I)
    if not (iso or month or explicit):
        return None
    try:
        if iso:
            return datetime.date.fromisoformat(iso.group("date"))
        if month:
            when = " ".join(month.group("date").split())
            return datetime.datetime.strptime(when, "%B %d, %Y").date()
    except ValueError:
        pass
    shown = explicit.group(1) if explicit else stripped
    raise DocumentError(f"the publish date {shown!r} is not a date like 2025-01-17", number)


def _stated_chapters(lines: list[str], start: int) -> tuple[int, int] | None:
    for index in range(start, min(len(lines), start + 400)):
        match = CHAPTER_COUNT.match(lines[index].strip())
        if match:
            return int(match.group("count")), index + 1
    return None


def _second_layout(lines: list[str]) -> _Head:
    """A channel page's copy: the title, then the channel (or the channel, its date, then
    the title, as its blog layout shows them), with no length."""
    found = [
        (n, line.strip())
        for n, line in enumerate(lines[:60])
        if line.strip() and not PAGE_CHROME.match(line.strip())
    ][:4]
    short = [
        (n, text)
        for n, text in found
        if len(text) <= TITLE_MAX_CHARS
        and not HEADING.match(text)
        and not _is_list_item(text)
        and not _is_marker(text)
    ]
    if len(short) >= 3 and short[:3] == found[:3] and _date(short[1][1], short[1][0] + 1):
        (_, channel), (n, date_text), (last, title) = short[:3]
        published_on = _date(date_text, n + 1)
    elif len(short) >= 2 and short[:2] == found[:2] and short[1][1][-1] not in SENTENCE_END:
        (n, title), (last, channel) = short[:2]
        published_on = None
        if len(short) >= 3 and short[2] == found[2]:
            published_on = _date(short[2][1], short[2][0] + 1)
            last = short[2][0] if published_on else last
    else:
        raise DocumentError(f"no header line like '{HEADER_EXAMPLE}'")
    head = _Head(title, channel, None, published_on, last + 1, last + 1)
    if published_on is None:
        head.warnings.append((last + 1, "the page gives no publish date"))
    head.stated_chapters = _stated_chapters(lines, last + 1)
    return head


def _spoken_end(page: SummaryPage) -> int:
    """Where the page's transcript ends, when the page gives no length (0 if unknown)."""
    if page.entries:
        last = page.entries[-1]
        return math.ceil(last.start_seconds + len(last.text.split()) / WORDS_PER_SECOND)
    if page.chapters and page.chapters[-1].text:
        last = page.chapters[-1]
        return math.ceil(last.start_seconds + len(last.words) / WORDS_PER_SECOND)
    return 0


def _check_chapter_count(page: SummaryPage, stated, has_transcript: bool) -> None:
    if stated is None or not has_transcript:
        return
    count, line = stated
    if count != len(page.chapters):
        page.warnings.append(
            (line, f"the page says it has {_count(count, 'chapter')}, its transcript marks "
             f"{len(page.chapters)}: are chapter markers missing?")
        )  # fmt: skip


def _chapters_without_transcript(page: SummaryPage, listed) -> list[ChapterText]:
    """A page without its transcript still names chapters: in its chapter list, or in
    lessons titled with a chapter's start (`### Title (01:28)`)."""
    if listed:
        return [ChapterText(title, start, "", line) for title, start, line in listed]
    named = sorted(
        {s.chapter_start: s for s in page.sections if s.chapter_start is not None}.values(),
        key=lambda s: s.chapter_start,
    )
    return [ChapterText(s.title, s.chapter_start, "", s.line) for s in named]


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


def _is_marker(line: str) -> bool:
    return bool(MARKER_TEXT.match(re.sub(r"^[^\w]+", "", line.strip())))


def _find_transcript(lines: list[str], start: int) -> int | None:
    """Index of the first line of transcript text: the first `## ` chapter marker with a
    time, or the first raw timed entry (`[00:02] (2.56s)`). A `## Heading` without a time
    is a section title of the summary."""
    for index in range(start, len(lines)):
        line = lines[index].lstrip()
        if (line.startswith("## ") and TIMED_MARKER.search(line)) or ENTRY.match(line):
            return index
    return None


def _parse_summary_part(page: SummaryPage, lines: list[str], start: int, end: int) -> list:
    """Read the summary into `page`; returns the chapters its chapter list names
    ((title, start, line), from `• Intro - 0:00` lines under a chapters marker)."""
    items: list[_Line] = []
    listed: list[tuple[str, int, int]] = []
    blanks = 0
    in_list = False
    for index in range(start, end):
        raw = lines[index]
        if not raw.strip():
            blanks += 1
            continue
        if _is_marker(raw) or CHAPTER_COUNT.match(raw.strip()):
            blanks = 0
            in_list = bool(CHAPTER_COUNT.match(raw.strip()))
            continue
        listed_item = CHAPTER_LIST_ITEM.match(raw) if in_list else None
        if listed_item:
            try:
                listed.append(
                    (
                        _unmark(listed_item.group("title")),
                        parse_timecode(listed_item.group("clock")),
                        index + 1,
                    )
                )
            except ValueError as exc:
                raise DocumentError(f"the chapter list: {exc}", index + 1) from None
            continue
        in_list = False
        items.append(_Line(index + 1, raw.rstrip(), blanks))
        blanks = 0
    items = _drop_call_to_action(page, items)
    if not items:
        return listed

    position = 0
    if _template_role(_clean(items[0].text)) == "intro":
        position = 1  # the standard templates open with `## Overview`: no headline
    elif not _is_list_item(items[0].text) and _label(items[0].text) is None:
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
            section, body_lines = _new_section(titles[index], items[index].number), []
        else:
            body_lines.append(items[index])
    if section is not None:
        _finish_section(page, section, body_lines)
    _apply_templates(page)
    return listed


# The generator's standard summary templates (without a custom prompt) name their parts;
# what each part is to an editor (docs/importing.md, "The standard summary templates"):
TEMPLATE_ROLES = {
    "overview": "intro",
    "main topics covered": "contents",
    "main topics": "contents",
    "chapter by chapter deep dive": "heading",
    "cross chapter synthesis": "conclusion",
    "actionable strategies by chapter": "by chapter",
    "key takeaways and insights": "lesson",
    "actionable strategies": "lesson",
    "specific details and examples": "lesson",
    "warnings and common mistakes": "lesson",
}


def _template_role(title: str) -> str:
    key = " ".join(re.sub(r"[^\w]+", " ", title.casefold().replace("&", " and ")).split())
    return TEMPLATE_ROLES.get(key, "")


def _apply_templates(page: SummaryPage) -> None:
    """Read the standard templates' parts as an editor would: the overview is the intro,
    the list of topics a table of contents (no lesson), a heading with nothing of its own
    only groups the lessons under it, the cross-chapter synthesis is the conclusion, and
    the strategies listed by chapter are takeaways of those chapters' lessons."""
    kept: list[Section] = []
    dropped: set[int] = set()
    by_chapter = False
    for section in page.sections:
        role = _template_role(section.title)
        if role:
            by_chapter = role == "by chapter"
        empty = not section.blocks and not section.takeaways
        if role == "intro":
            page.intro = "\n\n".join(p for p in (page.intro, _as_text(section)) if p)
        elif role == "contents":
            page.boilerplate.append(f"{section.title} (a list of the video's topics)")
        elif role == "conclusion":
            page.conclusion = "\n\n".join(p for p in (page.conclusion, _as_text(section)) if p)
        elif empty or role in ("heading", "by chapter"):
            if not empty and role == "by chapter":
                kept.append(section)  # strategies not grouped by chapter: one lesson
                continue
            if not empty:
                page.intro = "\n\n".join(p for p in (page.intro, section.body) if p)
        elif by_chapter and not role:
            target = _chapter_lesson(kept, section)
            if target is None:
                kept.append(section)
                continue
            target.takeaways += section.takeaways + [
                item for b in section.blocks if b.kind != "p" for item in b.items
            ]
        else:
            kept.append(section)
            continue
        dropped.add(section.line)
    page.sections = kept
    page.warnings = [
        (line, message)
        for line, message in page.warnings
        if not (line in dropped and message.endswith("has no takeaways"))
    ]


def _as_text(section: Section) -> str:
    return "\n\n".join(p for p in (section.body, *section.takeaways) if p)


def _chapter_lesson(kept: list[Section], section: Section) -> Section | None:
    """The chapter's lesson (`### Title (01:28)` in the deep dive) that a part of the
    strategies by chapter is about: same chapter start, or same title."""
    for lesson in kept:
        if section.chapter_start is not None and lesson.chapter_start == section.chapter_start:
            return lesson
        if lesson.chapter_start is not None and lesson.title.casefold() == section.title.casefold():
            return lesson
    return None


def _new_section(title: str, number: int) -> Section:
    """A section; one titled with a chapter's start (`Getting in (01:28)`) keeps it apart."""
    timed = TITLE_TIME.search(title)
    if timed and timed.start() > 0:
        try:
            start = parse_timecode(timed.group("clock"))
        except ValueError:
            return Section(title, number)
        return Section(title[: timed.start()].strip(), number, chapter_start=start)
    return Section(title, number)


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


def _parse_transcript(
    lines: list[str], start: int, duration: int | None
) -> tuple[list[ChapterText], list[Entry]]:
    """Chapters with their text, and the raw timed entries when the page holds them.
    Chapter starts must be well-formed, increasing, and in the video."""
    if any(ENTRY.match(lines[index]) for index in range(start, len(lines))):
        return _parse_entries(lines, start, duration)
    chapters: list[_ChapterDraft] = []
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
    ], []


# The bracket and the seconds of an entry may disagree by rounding; past this, one is wrong.
ENTRY_CLOCK_SLACK = 1.5


def _parse_entries(
    lines: list[str], start: int, duration: int | None
) -> tuple[list[ChapterText], list[Entry]]:
    """The raw timed transcript: `[mm:ss] (N.NNs)` lines, each followed by its words, with
    the readable view's `## Title [mm:ss]` markers (when copied too) as its chapters."""
    chapters: list[_ChapterDraft] = []
    entries: list[Entry] = []
    for index in range(start, len(lines)):
        line = lines[index]
        entry = ENTRY.match(line)
        if entry:
            seconds = float(entry.group("seconds"))
            number = index + 1
            try:
                clock = parse_timecode(entry.group("clock"))
            except ValueError as exc:
                raise DocumentError(f"a transcript entry: {exc}", number) from None
            if abs(clock - seconds) > ENTRY_CLOCK_SLACK:
                raise DocumentError(
                    f"a transcript entry says [{entry.group('clock')}] and {seconds}s: "
                    "which is it?", number
                )  # fmt: skip
            if entries and seconds < entries[-1].start_seconds:
                raise DocumentError(
                    f"a transcript entry at {format_timecode(seconds)} comes after one at "
                    f"{format_timecode(entries[-1].start_seconds)}", number
                )  # fmt: skip
            if duration is not None and seconds >= duration + END_SLACK:
                raise DocumentError(
                    f"a transcript entry at {format_timecode(seconds)} is past the video's "
                    f"end ({format_timecode(duration)})", number
                )  # fmt: skip
            entries.append(Entry(seconds, entry.group("text").strip(), number))
            continue
        stripped = line.strip()
        if not stripped or _is_marker(line):
            continue
        if stripped.startswith("## ") and TIMED_MARKER.search(stripped):
            for piece in CHAPTER_MARKER.split(stripped)[1:]:
                chapter = _chapter_from_marker(piece, index + 1)
                _check_order(chapter, chapters[-1] if chapters else None, duration)
                chapters.append(chapter)
            continue
        if entries:
            entries[-1].text = f"{entries[-1].text} {stripped}".strip()
    kept = [e for e in entries if e.text]
    return [ChapterText(c.title, c.start_seconds, "", c.line) for c in chapters], [
        Entry(e.start_seconds, " ".join(e.text.split()), e.line) for e in kept
    ]


# The page's length is rounded to the second; an entry may start just after it.
END_SLACK = 2


def _fill_chapter_texts(page: SummaryPage) -> None:
    """With a raw timed transcript, each chapter's text is what its entries say."""
    if not page.entries or not page.chapters:
        return
    starts = [c.start_seconds for c in page.chapters]
    texts: dict[int, list[str]] = {}
    for entry in page.entries:
        at = max(bisect.bisect_right(starts, entry.start_seconds) - 1, 0)
        texts.setdefault(at, []).append(entry.text)
    for n, chapter in enumerate(page.chapters):
        chapter.text = " ".join(texts.get(n, []))


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


def _check_order(
    chapter: _ChapterDraft, previous: _ChapterDraft | None, duration: int | None
) -> None:
    when = format_timecode(chapter.start_seconds)
    if previous is not None and chapter.start_seconds <= previous.start_seconds:
        raise DocumentError(
            f"chapter '{chapter.title}' starts at {when}, not after the chapter before it "
            f"('{previous.title}' at {format_timecode(previous.start_seconds)})",
            chapter.line,
        )
    if duration is not None and chapter.start_seconds >= duration:
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


def exact_segments(page: SummaryPage) -> list[Segment]:
    """The raw timed transcript's entries as exact segments: each runs until the next one
    starts (the last for as long as its words take to say, within the video)."""
    starts = [c.start_seconds for c in page.chapters]
    segments = []
    for n, entry in enumerate(page.entries):
        if n + 1 < len(page.entries):
            end = page.entries[n + 1].start_seconds
        else:
            end = entry.start_seconds + len(entry.text.split()) / WORDS_PER_SECOND
            if page.duration_seconds:
                end = max(min(end, page.duration_seconds), entry.start_seconds)
        at = bisect.bisect_right(starts, entry.start_seconds) - 1
        segments.append(
            Segment(
                chapter=at if at >= 0 else None,
                start_seconds=entry.start_seconds,
                end_seconds=round(end, 3),
                text=entry.text,
                exact=True,
            )
        )
    return segments
