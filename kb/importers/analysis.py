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
    segments = summary.estimate_segments(page)
    return link_page(page, [(c.title, c.text) for c in page.chapters], segments)


def link_page(
    page: summary.SummaryPage, chapters: list[tuple[str, str]], segments: list[Segment]
) -> ParsedPage:
    """Each of the page's lessons linked to its chapter and moment among `chapters`
    ((title, transcript text)) and `segments` (their `chapter` an index into `chapters`):
    the page's own, or those of the video it lands on (its exact captions)."""
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
