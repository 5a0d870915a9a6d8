"""What a search finds, as views, the API and the MCP server read it: hits with their
snippets (escaped, matched words marked). What a backend returns is in
`kb.search.interface`."""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from kb.models import Chapter, Lesson, Person, Quote, Video
from kb.search.query import ParsedQuery

# Around matched words in the engines' snippets; `highlight` turns them into <mark>.
START, STOP = "\x02", "\x03"
MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def highlight(raw: str) -> SafeString:
    """Escape a snippet, then mark the matched words: no text can become markup."""
    escaped = html.escape(raw or "")
    marked = MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


@dataclass
class LessonHit:
    lesson: Lesson
    snippet: SafeString
    rank: float
    similar: bool = False  # found by meaning, not by its words


@dataclass
class QuoteHit:
    quote: Quote
    snippet: SafeString
    similar: bool = False


@dataclass
class Moment:
    video: Video
    chapter: Chapter | None
    start_seconds: float
    snippet: SafeString
    similar: bool = False


@dataclass
class Results:
    query: str
    parsed: ParsedQuery
    # A page of `LessonHit`s (kb.search.LessonHits: each read as it is shown).
    lessons: Sequence = field(default_factory=list)
    quotes: list[QuoteHit] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    videos_by_words: int = 0
    # Lessons close in meaning left out (shown with `more`).
    more_by_meaning: bool = False

    @property
    def found(self) -> bool:
        return bool(self.lessons or self.quotes or self.moments or self.videos or self.people)

    @property
    def by_meaning_only(self) -> bool:
        """Nothing says every word; what is shown is close in meaning."""
        literal = (
            any(not m.similar for m in self.moments)
            or any(not hit.similar for hit in self.quotes)
            or self.people
            or self.videos_by_words
            or any(not similar for *_, similar in getattr(self.lessons, "ranked", []))
        )
        return self.found and not literal
