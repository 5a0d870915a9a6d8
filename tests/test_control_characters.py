"""Control characters (issue 36): caption tools leave vertical tabs, stray `\\x01`s and
terminal colour codes in titles and captions. XML 1.0 cannot carry them, so one in a
title took every feed down. They are taken out wherever text comes in, and rows stored
before are repaired by a migration."""

import importlib
import io
import json
import xml.dom.minidom

import pytest
from django.apps import apps
from django.core.management import call_command

from kb.exchange import export_data, import_data
from kb.models import Lesson, Person, Takeaway, TranscriptSegment, Video
from tests.factories import LessonFactory, PersonFactory, TakeawayFactory, VideoFactory
from tests.forms import lesson_form
from tests.pages import page

pytestmark = pytest.mark.django_db
DIRTY = "Ask\x0bfor\x01 help \x1b[31mearly\x1b[0m"
CLEAN = "Ask for help early"


def test_an_imported_page_is_stored_without_control_characters(client, tmp_path):
    text = page(title=f"Growing {DIRTY}").replace(
        "Write down what you tried", "Write down\x0bwhat\x07 you tried"
    )
    text = text.replace("hello and welcome", "hello\x1b[1m and\x1f welcome")
    path = tmp_path / "dirty.txt"
    path.write_text(text)
    call_command("import_video", str(path), "--publish", stdout=io.StringIO())

    video = Video.objects.get()
    assert video.title == f"Growing {CLEAN}"
    assert Takeaway.objects.filter(text__startswith="Write down what you tried").exists()
    assert "hello and welcome" in " ".join(TranscriptSegment.objects.values_list("text", flat=True))
    response = client.get("/feeds/lessons/")
    assert response.status_code == 200
    xml.dom.minidom.parseString(response.content)  # well-formed


def test_json_captions_spelling_control_characters_are_cleaned(tmp_path):
    video = VideoFactory(duration_seconds=600)
    cues = [
        {"text": "first \\u001b[31mred\\u001b[0m words", "start": 1.0, "duration": 2.0},
        {"text": "second\\u000bline \\u0001here", "start": 3.0, "duration": 2.0},
    ]
    path = tmp_path / "captions.json"
    path.write_text(json.dumps(cues).replace("\\\\u", "\\u"))
    call_command("import_video", str(path), "--video", video.slug, stdout=io.StringIO())

    texts = list(video.segments.order_by("start_seconds").values_list("text", flat=True))
    assert texts == ["first red words", "second line here"]


def test_an_editors_save_is_cleaned(client, editor):
    lesson = LessonFactory(title="Before")
    response = client.post(
        f"/admin/kb/lesson/{lesson.pk}/change/",
        lesson_form(lesson, title=DIRTY, body="A body\x0c with a form feed"),
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.body) == (CLEAN, "A body  with a form feed")


def test_a_restore_is_cleaned_as_an_import_is():
    lesson = LessonFactory(title="A lesson", video__title="A talk")
    TakeawayFactory(lesson=lesson, text="Say it plainly")
    PersonFactory(name="Ann Example")
    data = json.loads(json.dumps(export_data()))
    data["videos"][0]["title"] = f"A talk \x1b[31m{DIRTY}"
    data["videos"][0]["lessons"][0]["takeaways"][0]["text"] = "Say\x0bit\x01 plainly"
    data["people"][0]["name"] = "Ann\x01 Example"
    Video.objects.all().delete()
    Person.objects.all().delete()

    import_data(data)
    assert Video.objects.get().title == f"A talk {CLEAN}"
    assert Takeaway.objects.get().text == "Say it plainly"
    assert Person.objects.get().name == "Ann Example"


def test_the_migration_repairs_rows_stored_before():
    repair = importlib.import_module("kb.migrations.0029_clean_control_characters").repair
    lesson = LessonFactory(title="placeholder", body="fine")
    PersonFactory(name="Bo Example")
    twin = PersonFactory(name="Bo Exampl")
    # Written as older code wrote them: past the cleaning every save does now.
    Lesson.objects.filter(pk=lesson.pk).update(title=DIRTY, body="no\x0bspace")
    Person.objects.filter(pk=twin.pk).update(name="Bo Example\x01")

    repair(apps, None)

    lesson.refresh_from_db()
    assert (lesson.title, lesson.body) == (CLEAN, "no space")
    # Cleaned, this name would be another person's: marked for an editor instead.
    assert Person.objects.get(pk=twin.pk).name == "Bo Example\ufffd"
