"""Pages for keeping and sharing advice: the lesson of the day."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kb import daily
from kb.models import Quote
from kb.views.reading import published_lessons


def daily_lessons():
    """Published lessons with what the daily page shows: takeaways and the quotes."""
    quotes = Quote.objects.published().with_video("speaker", "lesson").order_by("start_seconds")
    return published_lessons().prefetch_related(
        "takeaways", Prefetch("quotes", quotes, to_attr="published_quotes")
    )


@require_safe
def daily_lesson(request):
    today = timezone.localdate()
    lesson = daily.lesson_for(today, daily_lessons())
    quote = lesson.published_quotes[0] if lesson and lesson.published_quotes else None
    return render(request, "kb/daily.html", {"lesson": lesson, "quote": quote, "day": today})
