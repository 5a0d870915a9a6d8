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
    index = ChapterIndex([(c.title, c.text) for c in page.chapters], segments)
    sections = [(s.title, "\n".join([s.prose, *s.takeaways])) for s in page.sections]
    links = link_with_index(index, sections) if page.chapters else [None] * len(sections)
    evidence = gather_evidence(
        index,
        [
            (title, text, s.takeaways)
            for (title, text), s in zip(sections, page.sections, strict=True)
        ],
        links,
    )
    return ParsedPage(page, segments, links, evidence)
