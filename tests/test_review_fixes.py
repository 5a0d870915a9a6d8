"""The smaller faults found in review (issue 13, item 9), each as a user met it."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.management import call_command

from kb.importers.documents import DocumentError, decode_text
from kb.models import Chapter, Lesson, Quote, Status, Video
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)
from tests.forms import form_data
from tests.pages import page

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Text files in other encodings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_page_saved_as_utf16_or_32_with_its_bom_imports(tmp_path, encoding):
    text = page(title="Grüße aus Köln")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "talk.txt"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_video", str(path), stdout=out, stderr=err)
    assert Video.objects.get().title == "Grüße aus Köln"


def test_utf16_without_a_bom_is_named_not_called_binary():
    with pytest.raises(DocumentError, match="looks like UTF-16 text without a byte-order mark"):
        decode_text(page().encode("utf-16-le"))
    with pytest.raises(DocumentError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


# Staff see drafts: never in a shared cache


def test_staff_pages_are_private_and_readers_pages_are_not(client):
    video = VideoFactory()
    LessonFactory(video=video, title="A draft lesson", status=Status.DRAFT)
    reader = client.get(video.get_absolute_url())
    assert "private" not in reader.get("Cache-Control", "")
    client.force_login(User.objects.create_user("ed", is_staff=True))
    for url in (video.get_absolute_url(), "/", "/lessons/", "/search/?q=draft"):
        response = client.get(url)
        assert "private" in response["Cache-Control"], url
        assert "Cookie" in response["Vary"]
    assert "A draft lesson" in client.get(video.get_absolute_url()).content.decode()


# Themes in reading order


def test_themes_sort_as_readers_read_them(client, editor):
    for name in ("Prioritization", "asking for help", "Burnout", "career advice"):
        LessonFactory(tags=[ThemeFactory(name=name)])
    body = client.get("/themes/").content.decode()
    positions = [body.index(f">{name}<") for name in ("asking for help", "Burnout")]
    positions += [body.index(f">{name}<") for name in ("career advice", "Prioritization")]
    assert positions == sorted(positions)
    admin_list = client.get("/admin/kb/theme/").context["cl"].result_list
    names = [t.name for t in admin_list if t.name in {"Prioritization", "asking for help"}]
    assert names == ["asking for help", "Prioritization"]


# Admin messages say what happened, in plain words


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


# Publishing a video says what stays hidden, and offers to publish it too


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


# Times as 52:45 everywhere; resources one per line


def test_a_videos_length_chapters_and_resources_are_edited_like_everything_else(client, editor):
    video = VideoFactory(duration_seconds=7036, resources=["A book: Staff Engineer"])
    ChapterFactory(video=video, start_seconds=3165, title="Promo")
    url = f"/admin/kb/video/{video.pk}/change/"
    data = form_data(client.get(url).content.decode(), "video_form")
    assert data["duration_seconds"] == "1:57:16"
    assert data["chapters-0-start_seconds"] == "52:45"
    assert data["resources"] == "A book: Staff Engineer"
    data["chapters-0-start_seconds"] = "53:10"
    data["resources"] = "A book: Staff Engineer\n\nA talk: Glue work\n"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    video.refresh_from_db()
    assert video.resources == ["A book: Staff Engineer", "A talk: Glue work"]
    assert Chapter.objects.get(video=video).start_seconds == 3190

    data["chapters-0-start_seconds"] = "2:10:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "past the end of the video" in response.content.decode()
    assert Chapter.objects.get(video=video).start_seconds == 3190


@pytest.mark.parametrize("field, forged", [("video", "x'"), ("speaker", "Guest"), ("lesson", "-1")])
def test_a_forged_choice_in_an_admin_form_is_refused_on_the_field(client, editor, field, forged):
    quote = QuoteFactory(text="Keep me.")
    url = f"/admin/kb/quote/{quote.pk}/change/"
    data = form_data(client.get(url).content.decode(), "quote_form")
    data[field] = forged
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors[field])
