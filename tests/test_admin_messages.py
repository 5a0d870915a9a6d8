"""What the admin says after an editor's action: what happened, in plain words, and what
stays hidden (a video published without its draft lessons says so and offers to publish
them too)."""

import re

import pytest

from kb.models import Lesson, Quote, Status
from tests.factories import LessonFactory, QuoteFactory, ThemeFactory, VideoFactory
from tests.forms import form_data
from tests.helpers import shown

pytestmark = pytest.mark.django_db


def test_bulk_theme_removal_says_removed(client, editor):
    theme = ThemeFactory(name="leadership")
    lesson = LessonFactory(tags=[theme])
    response = client.post(
        "/admin/kb/lesson/",
        {
            "action": "remove_theme",
            "_selected_action": [lesson.pk],
            "theme": theme.pk,
            "apply": "1",
        },
    )
    assert "Removed “leadership”: 1 lessons." in shown(response)
    assert not lesson.tags.exists()


def test_merging_reports_what_it_moved_even_when_items_had_both(client, editor):
    keep, old = ThemeFactory(name="keep"), ThemeFactory(name="old")
    LessonFactory(tags=[keep, old])
    LessonFactory(tags=[keep, old])
    QuoteFactory(tags=[old])
    response = client.post(
        "/admin/kb/theme/",
        {"action": "merge", "_selected_action": [keep.pk, old.pk], "target": keep.pk, "apply": "1"},
    )
    (message,) = shown(response)
    assert message == (
        "Merged “old” into “keep”: 2 lessons and 1 quotes now under it "
        "(2 of them already had both)."
    )


def test_a_quote_is_named_in_messages_with_one_pair_of_quotation_marks(client, editor):
    quote = QuoteFactory(text="Ask early.")
    data = form_data(
        client.get(f"/admin/kb/quote/{quote.pk}/change/").content.decode(), "quote_form"
    )
    response = client.post(f"/admin/kb/quote/{quote.pk}/change/", data)
    (message,) = shown(response)
    text = re.sub(r"<[^>]+>", "", message)
    assert text == "The quote “Ask early.” was changed successfully."


def test_publishing_a_video_with_draft_lessons_says_so(client, editor):
    video = VideoFactory(status=Status.DRAFT)
    LessonFactory.create_batch(2, video=video, status=Status.DRAFT)
    QuoteFactory(video=video, status=Status.DRAFT)
    response = client.post(
        "/admin/kb/video/", {"action": "publish", "_selected_action": [video.pk]}
    )
    messages = shown(response)
    assert messages[0] == "Published 1 of 1 selected."
    assert "not their 2 draft lessons and 1 draft quotes" in messages[1]
    assert "Publish selected with their draft lessons and quotes" in messages[1]
    assert Lesson.objects.published().count() == 0


def test_a_video_can_be_published_with_its_lessons_and_quotes(client, editor):
    video = VideoFactory(status=Status.DRAFT)
    LessonFactory.create_batch(2, video=video, status=Status.DRAFT)
    QuoteFactory(video=video, status=Status.DRAFT)
    other = LessonFactory(status=Status.DRAFT)  # another video's draft stays a draft
    response = client.post(
        "/admin/kb/video/", {"action": "publish_with_contents", "_selected_action": [video.pk]}
    )
    assert shown(response) == ["Published 1 videos, 2 lessons and 1 quotes."]
    assert Lesson.objects.published().count() == 2 and Quote.objects.published().count() == 1
    other.refresh_from_db()
    assert other.status == Status.DRAFT
