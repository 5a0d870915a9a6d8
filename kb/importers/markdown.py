"""Markdown lessons (the shape `/videos/<slug>.md` exports, kb.markdown), read into plain
dataclasses: front matter naming the video, then per lesson `## Title [52:45]`, its
body, `- takeaway [53:10]` bullets and `> quote [1:02:03–1:02:20] — Speaker` lines.
Times are optional on lessons and takeaways, required on quotes."""

import json
import re
from dataclasses import dataclass, field

from kb.importers.documents import DocumentError
from kb.markdown import SPEAKER_DASH, unescape
from kb.text import clean
from kb.timecodes import parse_timecode

FRONT_KEYS = ("title", "video", "youtube", "channel", "published", "duration", "url")
# A time in brackets closing the line, not one written as escaped text (`\[…\]`).
AT_END = re.compile(r"^(?P<text>.*?)\s*(?<!\\)\[(?P<time>[^\[\]]*)\]\s*$")
QUOTE_SPAN = re.compile(r"^(?P<start>[^–-]+?)\s*[–-]\s*(?P<end>[^–-]+)$")


@dataclass
class MarkdownQuote:
    text: str
    start_seconds: int
    end_seconds: int
    speaker: str
    line: int


@dataclass
class MarkdownLesson:
    title: str
    start_seconds: int | None
    line: int
    body: str = ""
    takeaways: list[tuple[str, int | None, int]] = field(default_factory=list)
    quotes: list[MarkdownQuote] = field(default_factory=list)


@dataclass
class MarkdownLessons:
    front: dict[str, str]
    lessons: list[MarkdownLesson]


def looks_like_lessons(text: str) -> bool:
    """Front matter first, naming a video: our Markdown, not a summary page saved as .md."""
    head = text.lstrip("\ufeff").split("\n", 20)
    return (
        bool(head)
        and head[0].strip() == "---"
        and any(re.match(r"(youtube|video):", line) for line in head[1:])
    )


def _time(text: str, line: int) -> int:
    try:
        return parse_timecode(text)
    except ValueError as exc:
        raise DocumentError(str(exc), line) from None


def _split_time(text: str) -> tuple[str, str | None]:
    match = AT_END.match(text)
    return (match["text"], match["time"]) if match else (text, None)


def _front(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        raise DocumentError("no front matter: the file must start with '---' naming the video", 1)
    front = {}
    for number, raw in enumerate(lines[1:], 2):
        if raw.strip() == "---":
            if not (front.get("youtube") or front.get("video")):
                raise DocumentError("the front matter names no video (youtube: or video:)", 1)
            return front, number
        key, colon, value = raw.partition(":")
        if not colon or not key.strip():
            raise DocumentError(f"front matter line {raw.strip()!r} is not 'key: value'", number)
        value = value.strip()
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise DocumentError("a quoted value that does not end its quote", number) from None
        front[key.strip().lower()] = clean(str(value))
    raise DocumentError("the front matter has no closing '---'", 1)


def parse_lessons(text: str) -> MarkdownLessons:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, first = _front(lines)
    lessons: list[MarkdownLesson] = []
    body: list[str] = []

    def close_body():
        if lessons and body:
            lessons[-1].body = "\n".join(body).strip("\n")
        body.clear()

    for number, raw in enumerate(lines[first:], first + 1):
        line = raw.rstrip()
        if line.startswith("# ") and not lessons:
            continue  # the video's title, written for people reading the file
        if line.startswith("##") and not line.startswith("###"):
            close_body()
            title, at = _split_time(line[2:].strip())
            title = unescape(title).strip()
            if not title:
                raise DocumentError("a lesson with no title", number)
            start = _time(at, number) if at is not None else None
            lessons.append(MarkdownLesson(title, start, number))
        elif not lessons:
            if line.strip():
                raise DocumentError("text before the first lesson ('## Title [52:45]')", number)
        elif line.startswith(("- ", "* ")):
            words, at = _split_time(line[2:].strip())
            if not unescape(words).strip():
                raise DocumentError("an empty takeaway", number)
            start = _time(at, number) if at is not None else None
            lessons[-1].takeaways.append((unescape(words).strip(), start, number))
        elif line.startswith(">"):
            lessons[-1].quotes.append(_quote(line[1:].strip(), number))
        elif lessons[-1].takeaways or lessons[-1].quotes:
            if line.strip():
                raise DocumentError(
                    "text after a lesson's takeaways or quotes: start a lesson with '## '", number
                )
        else:
            body.append(unescape(line))
    close_body()
    if not lessons:
        raise DocumentError("no lessons: each starts with '## Title [52:45]'")
    return MarkdownLessons(front, lessons)


def _quote(text: str, number: int) -> MarkdownQuote:
    speaker = ""
    said, dash, who = text.rpartition(SPEAKER_DASH)
    if dash and AT_END.match(said):
        text, speaker = said, unescape(who).strip()
    words, span = _split_time(text)
    if span is None:
        raise DocumentError("a quote needs its span: '> words [1:02:03–1:02:20]'", number)
    match = QUOTE_SPAN.match(span.strip())
    if not match:
        raise DocumentError(f"'{span}' is not a span like 1:02:03–1:02:20", number)
    start, end = _time(match["start"], number), _time(match["end"], number)
    if end < start:
        raise DocumentError(f"the quote ends ({match['end']}) before it starts", number)
    if not unescape(words).strip():
        raise DocumentError("an empty quote", number)
    return MarkdownQuote(unescape(words).strip(), start, end, speaker, number)
