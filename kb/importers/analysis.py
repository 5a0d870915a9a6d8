"""Everything an import works out before it stores anything: plain Python, no Django.

A summary page is parsed, its transcript cut into estimated segments, each lesson linked
to its chapter and moment, and the evidence for each lesson gathered.
"""

from dataclasses import dataclass

from kb.importers import summary
from kb.importers.documents import Segment
from kb.importers.linking import (
    ChapterIndex,
    Link,
    SectionEvidence,
    gather_evidence,
    lead_into,
    link_takeaway,
    link_with_index,
)


@dataclass
class ParsedPage:
    page: summary.SummaryPage
    segments: list[Segment]
    links: list[Link | None]
    evidence: list[SectionEvidence]


def parse_page(text: str) -> ParsedPage:
    """A summary page, its estimated segments, each lesson's moment and its evidence."""
    page = summary.parse_summary(text)
    if page.entries:
        segments = summary.exact_segments(page)
    else:
        segments = summary.estimate_segments(page)
    return link_page(page, [(c.title, c.text) for c in page.chapters], segments)


def link_page(
    page: summary.SummaryPage, chapters: list[tuple[str, str]], segments: list[Segment]
) -> ParsedPage:
    """Each of the page's lessons linked to its chapter and moment among `chapters`
    ((title, transcript text)) and `segments` (their `chapter` an index into `chapters`):
    the page's own, or those of the video it lands on (its exact captions)."""
    if not chapters and segments:
        return _link_by_windows(page, segments)
    index = ChapterIndex(chapters, segments)
    sections = [(s.title, "\n".join([s.prose, *s.takeaways])) for s in page.sections]
    links = link_with_index(index, sections) if chapters else [None] * len(sections)
    evidence = gather_evidence(
        index,
        [
            (title, text, s.takeaways)
            for (title, text), s in zip(sections, page.sections, strict=True)
        ],
        links,
    )
    return ParsedPage(page, segments, links, evidence)


# A transcript without chapters is read in windows of this length, to find each lesson's
# moment; the windows are not chapters and are not stored.
WINDOW_SECONDS = 300


def _link_by_windows(page: summary.SummaryPage, segments: list[Segment]) -> ParsedPage:
    windows = [
        Segment(int(s.start_seconds // WINDOW_SECONDS), s.start_seconds, s.end_seconds, s.text,
                s.exact)
        for s in segments
    ]  # fmt: skip
    count = windows[-1].chapter + 1
    texts: list[list[str]] = [[] for _ in range(count)]
    for segment in windows:
        texts[segment.chapter].append(segment.text)
    parsed = link_page(page, [("", " ".join(words)) for words in texts], windows)
    for link in [*parsed.links, *(t for e in parsed.evidence for t in e.takeaways)]:
        if link is not None:
            link.chapter = None
    for evidence in parsed.evidence:
        for passage in evidence.passages:
            passage.chapter = None
    return ParsedPage(page, segments, parsed.links, parsed.evidence)


def place(
    chapters: list[tuple[str, str]],
    segments: list[Segment],
    lessons: list[tuple[str, str, list[str]]],
) -> list[tuple[Link | None, list[Link | None]]]:
    """Moments for lessons that have none yet ((title, text, takeaways): a page read
    without its transcript), on a transcript that has come since: each lesson's link and
    its takeaways'. Without chapters, the transcript is read in windows (not chapters)."""
    windowed = not chapters
    if windowed:
        segments = [
            Segment(int(s.start_seconds // WINDOW_SECONDS), s.start_seconds, s.end_seconds,
                    s.text, s.exact)
            for s in segments
        ]  # fmt: skip
        count = segments[-1].chapter + 1 if segments else 0
        texts: list[list[str]] = [[] for _ in range(count)]
        for segment in segments:
            texts[segment.chapter].append(segment.text)
        chapters = [("", " ".join(words)) for words in texts]
    index = ChapterIndex(chapters, segments)
    links = link_with_index(index, [(title, text) for title, text, _ in lessons])
    placed = []
    for (_, _, takeaways), link in zip(lessons, links, strict=True):
        moments = [link_takeaway(index, t, link.chapter if link else None) for t in takeaways]
        lead_into(index, link, moments)
        if windowed:
            for found in [link, *moments]:
                if found is not None:
                    found.chapter = None
        placed.append((link, moments))
    return placed
