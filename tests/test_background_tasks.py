"""Background work as tasks (issue 41): an edited lesson's or quote's share card drawn by a
task before its first reader asks, and the search indexes rebuilt by a task
(`manage.py reindex --queue`). Tasks run at once here (tests/settings.py: the immediate
backend); the queue itself is tests/test_task_queue.py's."""

import io

import pytest
from django.core.management import CommandError, call_command

from kb import cards
from kb.importers import tasks
from kb.models import Lesson
from tests.factories import LessonFactory, QuoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cards_dir")]


@pytest.fixture
def drawn(monkeypatch):
    """The cards drawn (kb.cards.draw), in order."""
    made = []
    real = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: made.append(card) or real(card))
    return made


def card_url(lesson) -> str:
    return f"/lessons/{lesson.slug}/card.png"


def test_an_edited_lessons_card_is_drawn_by_a_task_before_anyone_asks(
    client, drawn, cards_dir, django_capture_on_commit_callbacks
):
    lesson = LessonFactory(title="Write it down")
    first = client.get(card_url(lesson)).content
    assert len(drawn) == 1
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "Write every decision down"
        lesson.save()
    assert len(drawn) == 2 and drawn[-1].headline == "Write every decision down"
    assert len(list(cards_dir.glob(f"lesson-{lesson.pk}-*.png"))) == 1  # the old one gone
    shown = client.get(card_url(lesson)).content
    assert len(drawn) == 2  # the reader was served what the task drew
    (kept,) = cards_dir.glob(f"lesson-{lesson.pk}-*.png")
    assert shown != first and shown == kept.read_bytes()


def test_an_edited_quotes_card_is_drawn_by_a_task(
    client, drawn, django_capture_on_commit_callbacks
):
    quote = QuoteFactory(text="I keep a log.")
    with django_capture_on_commit_callbacks(execute=True):
        quote.text = "I keep a decision log."
        quote.save()
    assert [card.headline for card in drawn] == ["I keep a decision log."]
    client.get(f"/quotes/{quote.pk}/card.png")
    assert len(drawn) == 1


def test_a_card_no_task_drew_is_drawn_by_its_first_request_and_kept(client, drawn):
    lesson = LessonFactory(title="Ask for help early")  # saved with no commit: no task ran
    assert drawn == []
    first = client.get(card_url(lesson))
    assert first["Content-Type"] == "image/png" and len(drawn) == 1
    assert client.get(card_url(lesson)).content == first.content and len(drawn) == 1


def test_an_edit_elsewhere_draws_no_card_again(client, drawn, django_capture_on_commit_callbacks):
    lesson, other = LessonFactory(), LessonFactory()
    client.get(card_url(lesson))
    with django_capture_on_commit_callbacks(execute=True):
        other.body += " More."
        other.save()
    client.get(card_url(lesson))
    # The other lesson's card (drawn by its task: its text is unchanged, but nothing had
    # drawn it yet), and this one's once.
    assert [card.headline for card in drawn] == [lesson.title, other.title]


def test_a_drafts_card_is_not_drawn_by_the_task(drawn, django_capture_on_commit_callbacks):
    lesson = LessonFactory(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "Still a draft"
        lesson.save()
    assert drawn == []


def test_reindex_queued_rebuilds_what_is_derived_from_the_words():
    lesson = LessonFactory(title="Negotiate the offer", body="Negotiate salary and equity.")
    Lesson.objects.filter(pk=lesson.pk).update(keywords="")  # derived data lost
    out = io.StringIO()
    call_command("reindex", "--queue", stdout=out)
    assert out.getvalue().startswith("queued: task ")
    lesson.refresh_from_db()
    assert "negotiate" in lesson.keywords.split()


def test_the_reindex_task_says_what_it_did():
    LessonFactory()
    result = tasks.reindex.enqueue()
    assert result.status == "SUCCESSFUL"
    assert result.return_value.startswith("reindexed")


def test_files_only_is_not_queued():
    with pytest.raises(CommandError, match="not queued"):
        call_command("reindex", "--files-only", "--queue")
