"""Keeping and sharing advice: the lesson of the day, Anki decks."""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kb import anki, daily
from kb.models import Lesson, Person, Quote, Video
from kb.views.people import person_or_redirect
from kb.views.reading import published_lessons, theme_or_redirect


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


def deck_response(request, kind: str, slug: str, title: str, lessons) -> HttpResponse:
    site = request.build_absolute_uri("/")[:-1]
    response = HttpResponse(
        anki.deck_bytes(kind, slug, title, lessons, site), content_type="application/apkg"
    )
    response["Content-Disposition"] = f'attachment; filename="career-lessons-{kind}-{slug}.apkg"'
    return response


@require_safe
def theme_deck(request, slug):
    theme, moved = theme_or_redirect(request, slug, "kb:theme-anki")
    if moved:
        return moved
    lessons = Lesson.objects.published().filter(tags=theme)
    return deck_response(request, "theme", theme.slug, theme.name, lessons)


@require_safe
def person_deck(request, slug):
    person, moved = person_or_redirect(request, slug, "kb:person-anki")
    if moved:
        return moved
    if not Person.objects.published().filter(pk=person.pk).exists():
        raise Http404("Nothing this person said is published yet.")
    lessons = Lesson.objects.published().by(person)
    return deck_response(request, "person", person.slug, person.name, lessons)


@require_safe
def video_deck(request, slug):
    video = get_object_or_404(Video.objects.published(), slug=slug)
    lessons = Lesson.objects.published().filter(video=video)
    return deck_response(request, "video", video.slug, video.title, lessons)
