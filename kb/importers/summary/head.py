"""The head of a summary page: its title and header line, in each shape generators
write (the standard header, a channel export's fields, the second layout)."""

import datetime
import re
from dataclasses import dataclass, field

from kb.importers.documents import DocumentError
from kb.importers.summary.page import (
    BULLET,
    CHAPTER_COUNT,
    ENTRY,
    HEADING,
    SENTENCE_END,
    TITLE_MAX_CHARS,
    _is_list_item,
    _is_marker,
)
from kb.importers.youtube import parse_youtube_id
from kb.timecodes import parse_timecode

HEADER_EXAMPLE = "Channel • 117:16 minutes • Published 2025-01-17 • YouTube"


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
