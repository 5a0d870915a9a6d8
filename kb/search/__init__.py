"""Search over everything readers can see: lessons (and their takeaways), quotes and
the transcript. One interface, `search()`, for views and tests; the database's own
full-text engine does the work: SQLite FTS5 (`sqlite.py`) or PostgreSQL (`postgres.py`).

Transcript moments are found chapters first: the chapters that best match the query are
ranked over the whole knowledge base, then the best lines inside each are located. A
word said in half a million lines costs a ranking of a few thousand chapters, not of
every line, and the best match still comes first wherever it is stored.
"""

import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from kb.models import Chapter, Lesson, Quote, Theme, TranscriptSegment, Video
from kb.search.query import ParsedQuery, parse_query

MAX_LESSONS = 200
MAX_QUOTES = 10
TOP_CHAPTERS = 10
MOMENTS_PER_CHAPTER = 2
MAX_MOMENTS = 20
# A lesson found through one of its takeaways ranks below one found by its own words.
TAKEAWAY_WEIGHT = 0.7
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


@dataclass
class QuoteHit:
    quote: Quote
    snippet: SafeString


@dataclass
class Moment:
    video: Video
    chapter: Chapter | None
    start_seconds: float
    snippet: SafeString


@dataclass
class Results:
    query: str
    parsed: ParsedQuery
    lessons: list[LessonHit] = field(default_factory=list)
    quotes: list[QuoteHit] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.lessons or self.quotes or self.moments)


def backend():
    if connection.vendor == "postgresql":
        from kb.search import postgres

        return postgres
    from kb.search import sqlite

    return sqlite


def search(text: str, *, theme: Theme | None = None, video: Video | None = None) -> Results:
    parsed = parse_query(text)
    results = Results(text, parsed)
    if parsed.empty:
        return results
    engine = backend()
    lessons = Lesson.objects.published()
    quotes = Quote.objects.published()
    chapters = Chapter.objects.published()
    if theme is not None:
        lessons, quotes = lessons.filter(tags=theme), quotes.filter(tags=theme)
        chapters = chapters.filter(lessons__in=lessons).distinct()
    if video is not None:
        lessons, quotes, chapters = (
            lessons.filter(video=video),
            quotes.filter(video=video),
            chapters.filter(video=video),
        )
    results.lessons = _lessons(engine, parsed, lessons)
    results.quotes = [
        QuoteHit(quote, highlight(snippet))
        for quote, snippet in engine.quotes(
            parsed, quotes.select_related("video", "chapter", "lesson"), MAX_QUOTES
        )
    ]
    results.moments = _moments(engine, parsed, chapters)
    return results


def _lessons(engine, parsed: ParsedQuery, lessons) -> list[LessonHit]:
    best: dict[int, tuple[float, str]] = {}
    for lesson_id, rank, snippet in engine.lessons(parsed, lessons, MAX_LESSONS):
        best[lesson_id] = (rank, snippet)
    takeaways = engine.takeaways(parsed, lessons, MAX_LESSONS)
    for lesson_id, rank, snippet in takeaways:
        rank *= TAKEAWAY_WEIGHT
        if lesson_id not in best or rank > best[lesson_id][0]:
            best[lesson_id] = (rank, snippet)
    found = (
        Lesson.objects.filter(pk__in=best)
        .select_related("video", "chapter")
        .prefetch_related("tags")
    )
    hits = [
        LessonHit(lesson, highlight(best[lesson.pk][1]), best[lesson.pk][0]) for lesson in found
    ]
    hits.sort(key=lambda hit: (-hit.rank, hit.lesson.pk))
    return hits


def _moments(engine, parsed: ParsedQuery, chapters) -> list[Moment]:
    ranked = engine.chapters(parsed, chapters, TOP_CHAPTERS)
    if not ranked:
        return []
    lines = engine.lines(parsed, [chapter.pk for chapter, _ in ranked], MOMENTS_PER_CHAPTER)
    segments = TranscriptSegment.objects.published().in_bulk([s for s, _, _ in lines])
    moments = []
    for chapter, chapter_snippet in ranked:
        found = [
            (segments[s], snippet)
            for s, c, snippet in lines
            if c == chapter.pk and s in segments and segments[s].chapter_id == chapter.pk
        ]
        if not found:
            # The words are in the chapter but across lines (a phrase split between captions).
            moments.append(
                Moment(chapter.video, chapter, chapter.start_seconds, highlight(chapter_snippet))
            )
        for segment, snippet in sorted(found, key=lambda pair: pair[0].start_seconds):
            moments.append(
                Moment(chapter.video, chapter, segment.start_seconds, highlight(snippet))
            )
    return moments[:MAX_MOMENTS]
