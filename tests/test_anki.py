"""Anki decks: one note per published takeaway, stable ids, the moment in every note."""

import io
import sqlite3
import zipfile

import pytest
from django.core.management import CommandError, call_command

from kb.models import Role, Status
from tests.factories import (
    CreditFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def notes_of(data: bytes, tmp_path) -> list[dict]:
    """The notes inside an .apkg: a zip holding Anki's collection, an SQLite database."""
    with zipfile.ZipFile(io.BytesIO(data)) as apkg:
        assert "collection.anki2" in apkg.namelist()
        path = tmp_path / "collection.anki2"
        path.write_bytes(apkg.read("collection.anki2"))
    db = sqlite3.connect(path)
    rows = db.execute("SELECT guid, flds, tags FROM notes ORDER BY guid").fetchall()
    decks = db.execute("SELECT decks FROM col").fetchone()[0]
    db.close()
    return [
        {"guid": g, "fields": f.split("\x1f"), "tags": t.split(), "decks": decks}
        for g, f, t in rows
    ]


@pytest.fixture
def theme_with_lessons():
    theme = ThemeFactory(name="Writing things down", slug="writing")
    video = VideoFactory(title="Staff <Eng>", youtube_id="abcdefghijk")
    guest = PersonFactory(name="Zoë Ångström")
    CreditFactory(video=video, person=guest, role=Role.GUEST)
    lesson = LessonFactory(video=video, title="Write <it> down", tags=[theme])
    QuoteFactory(
        video=video,
        lesson=lesson,
        speaker=guest,
        text="I write & keep it.",
        start_seconds=3165,
        end_seconds=3180,
    )
    TakeawayFactory(lesson=lesson, text="Keep a <b>decision</b> log", start_seconds=3170)
    TakeawayFactory(lesson=lesson, text="Review it weekly", start_seconds=None)
    draft = LessonFactory(video=video, status=Status.DRAFT, tags=[theme], title="Secret")
    TakeawayFactory(lesson=draft, text="Secret takeaway")
    hidden_video = VideoFactory(status=Status.DRAFT)
    TakeawayFactory(lesson=LessonFactory(video=hidden_video, tags=[theme]), text="Hidden one")
    return theme


def test_a_theme_deck_has_one_note_per_published_takeaway_with_its_moment(
    client, theme_with_lessons, tmp_path, django_assert_num_queries
):
    # The queries, however many lessons:
    #   the content version
    #   the theme, by slug
    #   its published lessons of published videos, with their videos
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   the lessons' published quotes, with video and speaker (prefetched)
    with django_assert_num_queries(8):
        response = client.get("/themes/writing.apkg")
    assert response["Content-Type"] == "application/apkg"
    assert (
        'attachment; filename="career-lessons-theme-writing.apkg"'
        == response["Content-Disposition"]
    )
    notes = notes_of(response.content, tmp_path)
    assert len(notes) == 2
    fronts = {note["fields"][0] for note in notes}
    assert fronts == {"Keep a &lt;b&gt;decision&lt;/b&gt; log", "Review it weekly"}
    log = next(n for n in notes if "decision" in n["fields"][0])
    takeaway, lesson, quote, said_by, moment = log["fields"]
    assert "Write &lt;it&gt; down" in lesson and 'href="http://testserver/lessons/' in lesson
    assert quote == "I write &amp; keep it."
    assert said_by == "Zoë Ångström · Staff &lt;Eng&gt;"
    assert moment == '<a href="https://www.youtube.com/watch?v=abcdefghijk&amp;t=3170s">▶ 52:50</a>'
    weekly = next(n for n in notes if "weekly" in n["fields"][0])
    assert "t=3165s" in weekly["fields"][4]  # no moment of its own: its quote's
    assert all(note["tags"] == ["writing"] for note in notes)
    assert "Career lessons::Writing things down" in log["decks"]
    assert "Secret" not in str(notes) and "Hidden one" not in str(notes)


def test_downloading_a_deck_twice_gives_the_same_note_and_deck_ids(
    client, theme_with_lessons, tmp_path
):
    first = notes_of(client.get("/themes/writing.apkg").content, tmp_path)
    second = notes_of(client.get("/themes/writing.apkg").content, tmp_path)
    assert [n["guid"] for n in first] == [n["guid"] for n in second]
    deck_ids = [note["decks"] for note in (first[0], second[0])]
    assert deck_ids[0].split('"id":')[1][:14] == deck_ids[1].split('"id":')[1][:14]


def test_person_and_video_decks_hold_their_own_published_takeaways(
    client, theme_with_lessons, tmp_path, django_assert_num_queries
):
    person = PersonFactory(name="Other Guest")
    video = VideoFactory()
    CreditFactory(video=video, person=person)
    TakeawayFactory(lesson=LessonFactory(video=video), text="Say no early")
    # The queries:
    #   the content version
    #   the person, by slug
    #   whether they have anything published (a credit, a lesson or a quote)
    #   their published lessons (credited or their own), with their videos
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   the lessons' published quotes, with video and speaker (prefetched)
    with django_assert_num_queries(9):
        person_deck = client.get(f"/people/{person.slug}.apkg")
    person_notes = notes_of(person_deck.content, tmp_path)
    assert [n["fields"][0] for n in person_notes] == ["Say no early"]
    # The queries:
    #   the content version
    #   the published video, by slug
    #   its published lessons, with the video
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   the lessons' published quotes, with video and speaker (prefetched)
    with django_assert_num_queries(8):
        video_deck = client.get(f"/videos/{video.slug}.apkg")
    video_notes = notes_of(video_deck.content, tmp_path)
    assert [n["fields"][0] for n in video_notes] == ["Say no early"]


def test_decks_of_drafts_or_unknown_slugs_are_not_found(client):
    hidden = VideoFactory(status=Status.DRAFT)
    assert client.get(f"/videos/{hidden.slug}.apkg").status_code == 404
    assert client.get("/themes/nope.apkg").status_code == 404
    assert client.get("/people/nobody.apkg").status_code == 404
    unpublished = PersonFactory()
    CreditFactory(person=unpublished, video=hidden)
    assert client.get(f"/people/{unpublished.slug}.apkg").status_code == 404
    # The same addresses give a deck for what is published.
    shown = VideoFactory()
    CreditFactory(person=unpublished, video=shown)
    TakeawayFactory(lesson=LessonFactory(video=shown, tags=[ThemeFactory(name="nope")]))
    for url in (
        f"/videos/{shown.slug}.apkg",
        "/themes/nope.apkg",
        f"/people/{unpublished.slug}.apkg",
    ):
        assert client.get(url)["Content-Type"] == "application/apkg", url


def test_export_anki_writes_the_same_decks(theme_with_lessons, tmp_path):
    out = io.StringIO()
    call_command("export_anki", "--output", str(tmp_path / "decks"), stdout=out)
    written = tmp_path / "decks" / "career-lessons-theme-writing.apkg"
    assert str(written) in out.getvalue()
    assert len(notes_of(written.read_bytes(), tmp_path)) == 2
    call_command("export_anki", "--theme", "writing", "--output", str(tmp_path), stdout=out)
    with pytest.raises(CommandError, match="No theme 'nope'"):
        call_command("export_anki", "--theme", "nope", "--output", str(tmp_path))
