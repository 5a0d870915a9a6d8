"""Keeping and sharing advice: the lesson of the day, Anki decks, share cards."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kb import anki, cards, daily, obsidian, reads
from kb.cache import reads_query
from kb.models import Lesson, Video
from kb.views.people import person_or_redirect
from kb.views.reading import (
    markdown_response,
    site_root,
    theme_or_redirect,
)


def daily_lessons():
    """Published lessons with what the daily page shows: takeaways and the quotes."""
    return reads.lessons().prefetch_related("takeaways").with_published_quotes("lesson")


@reads_query()
@require_safe
def daily_lesson(request):
    today = timezone.localdate()
    lesson = daily.lesson_for(today, daily_lessons())
    quote = lesson.published_quotes[0] if lesson and lesson.published_quotes else None
    return render(request, "kb/daily.html", {"lesson": lesson, "quote": quote, "day": today})


def deck_response(request, kind: str, slug: str, title: str, lessons) -> HttpResponse:
    response = HttpResponse(
        anki.deck_bytes(kind, slug, title, lessons, site_root(request)),
        content_type="application/apkg",
    )
    response["Content-Disposition"] = f'attachment; filename="career-lessons-{kind}-{slug}.apkg"'
    return response


@require_safe
def theme_deck(request, slug):
    theme, moved = theme_or_redirect(request, slug, "kb:theme-anki")
    if moved:
        return moved
    lessons = Lesson.objects.published().under(theme)
    return deck_response(request, "theme", theme.slug, theme.name, lessons)


@require_safe
def person_deck(request, slug):
    person, moved = person_or_redirect(request, slug, "kb:person-anki")
    if moved:
        return moved
    if not reads.has_published(person):
        raise Http404("Nothing this person said is published yet.")
    lessons = Lesson.objects.published().by(person)
    return deck_response(request, "person", person.slug, person.name, lessons)


@require_safe
def video_deck(request, slug):
    video = get_object_or_404(Video.objects.published(), slug=slug)
    lessons = Lesson.objects.published().filter(video=video)
    return deck_response(request, "video", video.slug, video.title, lessons)


def card_response(name: str, card: cards.Card) -> HttpResponse:
    response = HttpResponse(cards.cached_png(name, card), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def quote_card(request, pk):
    quote = get_object_or_404(reads.card_quotes(), pk=pk)
    return card_response(f"quote-{quote.pk}", cards.quote_card(quote))


@require_safe
def lesson_card(request, slug):
    lesson = get_object_or_404(reads.card_lessons(), slug=slug)
    return card_response(f"lesson-{lesson.pk}", cards.lesson_card(lesson))


@require_safe
def person_card(request, slug):
    person = get_object_or_404(reads.card_people(), slug=slug)
    return card_response(f"person-{person.pk}", cards.person_card(person))


@require_safe
def theme_card(request, slug):
    theme = get_object_or_404(reads.card_themes(), slug=slug)
    return card_response(f"theme-{theme.pk}", cards.theme_card(theme))


@require_safe
def insight_card(request, slug):
    insight = get_object_or_404(reads.card_insights(), slug=slug)
    return card_response(f"insight-{insight.pk}", cards.insight_card(insight))


@require_safe
def video_card(request, slug):
    video = get_object_or_404(reads.card_videos(), slug=slug)
    return card_response(f"video-{video.pk}", cards.video_card(video))


@require_safe
def site_card(request):
    """The home page's card (and the daily page's, on a day with no lesson)."""
    return card_response("site", cards.site_card(*reads.site_counts()))


@require_safe
def lesson_markdown(request, slug):
    """One lesson as a Markdown note with front matter, as `export_markdown` writes it."""
    lesson = get_object_or_404(obsidian.published_lessons(), slug=slug)
    text = obsidian.lesson_note(lesson, site_root(request))
    return markdown_response(text, lesson.slug)
