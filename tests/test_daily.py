"""The lesson of the day: stable within a day, different the next, all before any again."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from kb import daily
from kb.models import Lesson, Status
from tests.factories import LessonFactory, QuoteFactory, VideoFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)


def days(n, start=DAY):
    return [start + datetime.timedelta(days=i) for i in range(n)]


@pytest.mark.parametrize("count", [1, 2, 7, 12, 30])
def test_every_lesson_comes_once_before_any_comes_again_and_never_twice_in_a_row(count):
    lessons = [LessonFactory() for _ in range(count)]
    picks = [daily.lesson_for(day) for day in days(3 * count)]
    for cycle in range(3):
        assert {p.pk for p in picks[cycle * count : (cycle + 1) * count]} == {
            lesson.pk for lesson in lessons
        }
    if count > 1:
        assert all(a != b for a, b in zip(picks, picks[1:], strict=False))


def test_the_pick_is_stable_within_a_day_and_skips_drafts():
    for _ in range(5):
        LessonFactory()
    LessonFactory(status=Status.DRAFT)
    LessonFactory(video=VideoFactory(status=Status.DRAFT))
    assert daily.lesson_for(DAY) == daily.lesson_for(DAY)
    picked = {daily.lesson_for(day).pk for day in days(40)}
    assert picked == set(Lesson.objects.published().values_list("pk", flat=True))


def test_a_lesson_imported_today_does_not_change_todays_pick():
    for _ in range(6):
        LessonFactory()
    Lesson.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))
    today = timezone.localdate()
    before = daily.lesson_for(today)
    for _ in range(3):
        LessonFactory()  # created now, during the day
    assert daily.lesson_for(today) == before
    tomorrow = today + datetime.timedelta(days=1)
    assert daily.lesson_for(tomorrow) != before


def test_an_unpublished_lesson_is_never_the_lesson_of_the_day():
    for _ in range(4):
        LessonFactory()
    shown = daily.lesson_for(DAY)
    Lesson.objects.filter(pk=shown.pk).update(status=Status.DRAFT)
    assert daily.lesson_for(DAY) not in (None, shown)
    fed = daily.lessons_for(days(8), Lesson.objects.published())
    assert fed.keys() == set(days(8)) and shown not in fed.values()


def test_the_feed_picks_as_the_page_does():
    for _ in range(9):
        LessonFactory()
    fed = daily.lessons_for(days(9), Lesson.objects.published())
    assert {day: lesson.pk for day, lesson in fed.items()} == {
        day: daily.lesson_for(day).pk for day in days(9)
    }


def test_home_and_daily_page_show_todays_lesson_with_its_quote_and_moment(client):
    lesson = LessonFactory(title="Write the <postmortem>", start_seconds=3165)
    lesson.video.youtube_id = "abcdefghijk"
    lesson.video.save()
    QuoteFactory(video=lesson.video, lesson=lesson, text="Write it while it's fresh.")
    home = client.get("/").content.decode()
    assert "Today&#x27;s lesson" in home or "Today's lesson" in home
    assert "Write the &lt;postmortem&gt;" in home
    page = client.get("/daily/").content.decode()
    assert "Write the &lt;postmortem&gt;" in page
    assert "Write it while it&#x27;s fresh." in page
    assert "watch?v=abcdefghijk&amp;t=3165s" in page


def test_nothing_published_means_no_lesson_of_the_day(client):
    LessonFactory(status=Status.DRAFT, title="Secret draft lesson")
    assert "No lessons published yet." in client.get("/daily/").content.decode()
    assert "Secret draft lesson" not in client.get("/").content.decode()
    assert "Secret draft lesson" not in client.get("/feeds/daily/").content.decode()


def test_the_daily_feed_has_one_entry_a_day_with_a_link_and_an_id_of_its_own(client):
    for n in range(20):
        LessonFactory(title=f"Lesson <{n}>")
    body = client.get("/feeds/daily/").content
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(body).findall("a:entry", ns)
    assert len(entries) == 14
    ids = [entry.find("a:id", ns).text for entry in entries]
    assert len(set(ids)) == 14
    today = timezone.localdate()
    first = entries[0]
    assert first.find("a:title", ns).text.startswith(f"{today.day} {today:%B %Y}: Lesson <")
    assert first.find("a:link", ns).get("href").startswith("http://testserver/lessons/")
    picked = [entry.find("a:link", ns).get("href") for entry in entries]
    assert all(a != b for a, b in zip(picked, picked[1:], strict=False))
