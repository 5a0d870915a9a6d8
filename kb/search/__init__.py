"""Search over everything readers can see: lessons, quotes and the transcript.

One interface for views and tests: `search(query)` returns `Results`.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kb.models import Lesson, Quote, TranscriptSegment

MAX_MOMENTS = 20
MAX_QUOTES = 10


@dataclass
class Results:
    query: str
    lessons: QuerySet
    quotes: list
    moments: list


def _words(query: str) -> list[str]:
    return [word for word in query.split() if word][:10]


def search(query: str) -> Results:
    """Every word must match, in any order (a plain substring match, for now)."""
    words = _words(query)
    lessons = Lesson.objects.published().select_related("video", "chapter").prefetch_related("tags")
    quotes = Quote.objects.published().select_related("video", "chapter", "lesson")
    segments = TranscriptSegment.objects.published().select_related("video", "chapter")
    for word in words:
        lessons = lessons.filter(Q(title__icontains=word) | Q(body__icontains=word))
        quotes = quotes.filter(text__icontains=word)
        segments = segments.filter(text__icontains=word)
    return Results(
        query=query,
        lessons=lessons.order_by("-video__published_on", "position"),
        quotes=list(quotes.order_by("-video__published_on", "start_seconds")[:MAX_QUOTES]),
        moments=list(segments.order_by("video__published_on", "start_seconds")[:MAX_MOMENTS]),
    )
