"""The lists editors work in, narrow enough for a 1280 px screen beside the admin's menu
and filters (the browser measures them: test_browser.py): fewer columns, long titles cut
short and whole on hover, themes as a short list. What a row no longer shows is a filter
or on the object's own page."""

import re

import pytest

from kb.models import Status
from tests.factories import (
    CreditFactory,
    InsightFactory,
    LessonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

LONG = "How I Learned to <Stop> Rewriting Everything and Ship the “Boring” Fix Instead, Twice"


def columns(html: str) -> list[str]:
    return re.findall(r'<th scope="col" class="[^"]*column-([a-z_]+)', html)


def test_long_titles_are_cut_short_and_whole_on_hover(client, editor):
    video = VideoFactory(title=LONG)
    LessonFactory(video=video, title=LONG)
    QuoteFactory(video=video, text=LONG + ". " + LONG)
    InsightFactory(title=LONG)
    whole = 'title="How I Learned to &lt;Stop&gt; Rewriting Everything and Ship the “Boring” Fix'
    for model in ("lesson", "quote", "video", "insight"):
        html = client.get(f"/admin/kb/{model}/").content.decode()
        assert whole in html, model
        assert "How I Learned to &lt;Stop&gt; Rewriting" in html and "<Stop>" not in html
        assert "…</span>" in html, model  # cut, with an ellipsis


def test_the_lessons_list_shows_title_video_moment_status_and_a_few_themes(client, editor):
    themes = [ThemeFactory(name=name) for name in ("a1", "b2", "c3", "d4", "e5")]
    LessonFactory(tags=themes, start_seconds=3165)
    html = client.get("/admin/kb/lesson/").content.decode()
    assert columns(html) == ["short_title", "video_title", "at", "status", "theme_list"]
    assert '<span title="a1, b2, c3, d4, e5">a1, b2, c3, +2</span>' in html
    assert "52:45" in html
    # The chapter moved to the filters (once a video is picked), off the row.
    assert "column-chapter" not in html


def test_the_other_lists_keep_to_the_columns_that_fit(client, editor):
    video = VideoFactory(status=Status.DRAFT)
    CreditFactory(video=video)
    QuoteFactory(video=video, lesson=LessonFactory(video=video))
    InsightFactory()
    expected = {
        "quote": ["words", "said_by", "video_title", "at", "status"],
        "video": ["short_title", "channel", "date", "status", "lesson_count", "exact"],
        "person": ["name", "video_count", "own_lessons", "quote_count"],
        "insight": ["short_title", "status", "voice_count", "video_count", "theme_list", "updated"],
    }
    for model, names in expected.items():
        assert columns(client.get(f"/admin/kb/{model}/").content.decode()) == names, model
