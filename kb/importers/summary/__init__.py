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

The page is read in parts, one module each: `head` (the header, in each of its shapes:
the standard one, the channel export's fields, the second layout), `sections` (the
summary's sections and takeaways, and the generator's templates), `transcript` (chapter
markers, the raw timed transcript, segments), over `page` (the dataclasses and the marks
they share).
"""

from kb.importers.documents import DocumentError
from kb.importers.people import propose_people
from kb.importers.summary.head import _read_head
from kb.importers.summary.page import ChapterText, Section, SummaryPage
from kb.importers.summary.sections import _parse_summary_part
from kb.importers.summary.transcript import (
    _chapters_without_transcript,
    _check_chapter_count,
    _fill_chapter_texts,
    _find_transcript,
    _parse_transcript,
    _spoken_end,
    estimate_segments,
    exact_segments,
)
from kb.text import counted
from kb.timecodes import format_timecode

# What the rest of the code reads a summary page with.
__all__ = [
    "Section",
    "SummaryPage",
    "estimate_segments",
    "exact_segments",
    "parse_summary",
    "reading_report",
]


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


def reading_report(page: SummaryPage) -> list[str]:
    """What was read from the page, for the import's output and the admin's preview."""
    takeaways = sum(len(s.takeaways) for s in page.sections)
    parts = [
        counted(len(page.sections), "lesson"),
        counted(takeaways, "takeaway"),
        f"an intro of {counted(_paragraphs(page.intro), 'paragraph')}" if page.intro else "",
        f"a conclusion of {counted(_paragraphs(page.conclusion), 'paragraph')}"
        if page.conclusion
        else "",
        counted(len(page.resources), "resource") if page.resources else "",
    ]
    lines = ["read " + ", ".join(p for p in parts if p)]
    if page.guests or page.host:
        named = [
            *(f"{g} (guest)" for g in page.guests),
            *([f"{page.host} (host)"] * bool(page.host)),
        ]
        lines.append("people: " + ", ".join(named))
    for n, section in enumerate(page.sections, 1):
        lines.append(f"lesson {n}: {section.title} ({counted(len(section.takeaways), 'takeaway')})")
    lines += [f"left out as boilerplate: {text}" for text in page.boilerplate]
    return lines


def _paragraphs(text: str) -> int:
    return len([p for p in text.split("\n\n") if p.strip()])
