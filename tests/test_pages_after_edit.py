"""An editor's save shows at once on the home, theme and lesson pages, and the first of
those pages after it asks only what that page shows: nothing kept per content version is
rebuilt whole (issue 41)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kb.models import Role, Status
from tests.factories import (
    CreditFactory,
    LessonFactory,
    PersonFactory,
    ThemeFactory,
    VideoFactory,
)
from tests.test_pages import build

pytestmark = pytest.mark.django_db


def edit_a_lesson():
    """What the bench's editor does: one published lesson's body changed and saved."""
    from kb.models import Lesson

    lesson = Lesson.objects.published().order_by("pk").first()
    lesson.body += " (edited)"
    lesson.save()


def chips(html: str) -> list[tuple[str, str]]:
    """The theme page's neighbours: (slug, lessons shared)."""
    return re.findall(r'href="\?and=([\w-]+)">[^<]+<span class="count">(\d+)</span>', html)


def test_a_theme_filed_on_a_lesson_shows_at_once_on_the_theme_and_home_pages(client):
    writing, hiring = ThemeFactory(name="writing"), ThemeFactory(name="hiring")
    lesson = LessonFactory(tags=[writing])
    assert chips(client.get(writing.get_absolute_url()).content.decode()) == []
    home = client.get(reverse("kb:home")).content.decode()
    assert "hiring" not in home
    lesson.tags.add(hiring)
    assert chips(client.get(writing.get_absolute_url()).content.decode()) == [("hiring", "1")]
    assert hiring.get_absolute_url() in client.get(reverse("kb:home")).content.decode()


def test_a_guest_credited_shows_at_once_among_those_who_speak_on_a_theme(client):
    theme = ThemeFactory(name="writing")
    video = VideoFactory()
    LessonFactory(video=video, tags=[theme])
    page = client.get(theme.get_absolute_url()).content.decode()
    assert "Ada Lovelace" not in page
    CreditFactory(video=video, person=PersonFactory(name="Ada Lovelace"), role=Role.GUEST)
    assert "Ada Lovelace" in client.get(theme.get_absolute_url()).content.decode()


def test_the_lesson_of_the_day_unpublished_is_replaced_at_once_on_the_home_page(client):
    made = timezone.now() - datetime.timedelta(days=2)
    lessons = [LessonFactory(title=f"Lesson number {n}") for n in range(3)]
    from kb.models import Lesson

    Lesson.objects.filter(pk__in=[one.pk for one in lessons]).update(created_at=made)
    home = client.get(reverse("kb:home")).content.decode()
    shown = next(one for one in lessons if f"{one.title}</a>" in home)
    shown.status = Status.DRAFT
    shown.save()
    home = client.get(reverse("kb:home")).content.decode()
    assert f"{shown.title}</a>" not in home
    assert any(f"{one.title}</a>" in home for one in lessons if one != shown)


# The first request after an edit, and the same page again once nothing has changed. The
# first asks what the page's own answers need (those marked "once a version": remembered
# under the content version for that page); the warm one does not ask them again. Each
# also reads the content version first, for the page cache. Nothing else is re-read, and
# nothing read grows with the base but the page's own answers.
AFTER_EDIT = {
    #   the content version
    #   the six newest published videos, with their counts
    #   the published lessons and quotes of each theme (once a version: one grouped count)
    #   how many published lessons the lesson of the day walks (once a version)
    #   today's lesson (by its place in that walk, then by its id), with its video
    #   the themes in use, with those counts
    #   the featured lessons (each recent video's first), with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    "home": (lambda: reverse("kb:home"), 10, 8),
    #   the content version
    #   the theme, by slug
    #   the themes sharing its published lessons, with how many (once a version)
    #   who gives each of its published lessons: their own people (once a version)...
    #   ... and their videos' guests (once a version)
    #   the guests' lessons, with video, chapter and their published quotes' count
    #   the guests
    #   the published lessons and quotes of each theme (once a version: the count)
    #   the theme's published insights, with their counts
    #   the page of its lessons, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    #   its published quotes, with video, chapter, lesson and speaker
    "theme": (lambda: reverse("kb:theme", args=["promotion"]), 14, 10),
    #   the content version
    #   the published lesson, by slug, with video and chapter
    #   its themes (prefetched)
    #   its own people (prefetched)
    #   its video's guests (prefetched)
    #   its takeaways (prefetched)
    #   its published quotes, with video and speaker (it has some: no suggestion asked)
    #   the published lessons sharing the most of its themes (once a version)
    #   the related lessons shown
    #   the published insights it is evidence of
    "lesson": (lambda: _a_lesson_url(), 10, 9),
}


def _a_lesson_url():
    from kb.models import Lesson

    return Lesson.objects.published().order_by("-pk").first().get_absolute_url()


@pytest.mark.parametrize("name", AFTER_EDIT)
def test_the_first_page_after_an_edit_asks_only_its_own_answers_whatever_the_size(
    name, client, django_assert_num_queries
):
    make_url, after_edit, warm = AFTER_EDIT[name]
    themes = build(2)
    for size in (2, 6):
        url = make_url()
        assert client.get(url).status_code == 200
        cache.clear()  # the page cache: each request below makes its page
        with django_assert_num_queries(warm):
            assert client.get(url).status_code == 200
        edit_a_lesson()
        with django_assert_num_queries(after_edit):
            assert client.get(url).status_code == 200
        cache.clear()
        with django_assert_num_queries(warm):
            assert client.get(url).status_code == 200
        build(size, themes)
