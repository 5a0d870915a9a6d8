"""The transcript of a summary page: chapter markers, the generator's raw timed
transcript, and the segments made from them (estimated, or exact)."""

import bisect
import math
import re
from dataclasses import dataclass

from kb.importers.documents import DocumentError, Segment
from kb.importers.summary.page import (
    ENTRY,
    TIMED_MARKER,
    WORDS_PER_SECOND,
    ChapterText,
    Entry,
    SummaryPage,
    _is_marker,
)
from kb.text import counted
from kb.timecodes import format_timecode, parse_timecode

CHAPTER_MARKER = re.compile(r"(?:^|(?<=\s))##\s+")


BRACKETS = re.compile(r"\[([^\[\]\n]{0,20})\]")


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
            (line, f"the page says it has {counted(count, 'chapter')}, its transcript marks "
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


def _find_transcript(lines: list[str], start: int) -> int | None:
    """Index of the first line of transcript text: the first `## ` chapter marker with a
    time, or the first raw timed entry (`[00:02] (2.56s)`). A `## Heading` without a time
    is a section title of the summary."""
    for index in range(start, len(lines)):
        line = lines[index].lstrip()
        if (line.startswith("## ") and TIMED_MARKER.search(line)) or ENTRY.match(line):
            return index
    return None


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
