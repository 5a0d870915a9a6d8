"""Background work as tasks (issue 41): the share cards an editor's save changed (the lesson's
or quote's own, its video's, its people's, its themes', the site's, an insight's) drawn by
a task before their first reader asks, and the search indexes rebuilt by a task
(`manage.py reindex --queue`). Tasks run at once here (tests/settings.py: the immediate
backend); the queue itself is tests/test_task_queue.py's."""

import io

import pytest
from django.core.management import CommandError, call_command

from kb import cards
from kb.importers import tasks
from kb.models import Lesson, Role, Status
from tests.factories import (
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)
from tests.forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cards_dir")]


@pytest.fixture
def drawn(monkeypatch):
    """The cards drawn (kb.cards.draw), in order."""
    made = []
    real = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: made.append(card) or real(card))
    return made


def of(kind: str, drawn) -> list:
    """The cards of one kind ("Lesson", "Quote"...) among those drawn."""
    return [card for card in drawn if card.kind == kind]


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
    lessons = of("Lesson", drawn)
    assert len(lessons) == 2 and lessons[-1].headline == "Write every decision down"
    assert len(list(cards_dir.glob(f"lesson-{lesson.pk}-*.png"))) == 1  # the old one gone
    before = len(drawn)
    shown = client.get(card_url(lesson)).content
    assert len(drawn) == before  # the reader was served what the task drew
    (kept,) = cards_dir.glob(f"lesson-{lesson.pk}-*.png")
    assert shown != first and shown == kept.read_bytes()


def test_an_edited_quotes_card_is_drawn_by_a_task(
    client, drawn, django_capture_on_commit_callbacks
):
    quote = QuoteFactory(text="I keep a log.")
    with django_capture_on_commit_callbacks(execute=True):
        quote.text = "I keep a decision log."
        quote.save()
    assert [card.headline for card in of("Quote", drawn)] == ["I keep a decision log."]
    before = len(drawn)
    client.get(f"/quotes/{quote.pk}/card.png")
    assert len(drawn) == before


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
    assert [card.headline for card in of("Lesson", drawn)] == [lesson.title, other.title]


@pytest.fixture
def no_drawing(monkeypatch):
    """From now on a card a request would have to draw fails the test: only what a task
    drew can be served."""

    def refuse(card):
        raise AssertionError(f"drawn on request: {card}")

    def start():
        monkeypatch.setattr(cards, "draw", refuse)

    return start


def assert_served_as_drawn(client, cards_dir, pages: dict[str, str]) -> None:
    """Each card (its file's name: its URL) is on disk and its URL serves those bytes."""
    for name, url in pages.items():
        kept = list(cards_dir.glob(f"{name}-*.png"))
        assert len(kept) == 1, f"no card drawn for {name}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content == kept[0].read_bytes(), url


def test_an_editors_save_of_a_lesson_draws_its_videos_peoples_themes_and_the_sites_cards(
    client, editor, cards_dir, no_drawing, django_capture_on_commit_callbacks
):
    theme = ThemeFactory(name="decisions")
    video = VideoFactory(title="Staff engineering at scale")
    guest = CreditFactory(video=video).person
    host = CreditFactory(video=video, role=Role.HOST).person
    lesson = LessonFactory(video=video, title="Write it down", tags=[theme])
    url = f"/admin/kb/lesson/{lesson.pk}/change/"
    data = form_data(client.get(url).content.decode(), "lesson_form")
    data["title"] = "Write every decision down"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    no_drawing()
    assert_served_as_drawn(
        client,
        cards_dir,
        {
            f"lesson-{lesson.pk}": card_url(lesson),
            f"video-{video.pk}": f"/videos/{video.slug}/card.png",
            f"person-{guest.pk}": f"/people/{guest.slug}/card.png",
            f"person-{host.pk}": f"/people/{host.slug}/card.png",
            f"theme-{theme.pk}": f"/themes/{theme.slug}/card.png",
            "site": "/card.png",
        },
    )


def test_publishing_and_unpublishing_a_lesson_redraw_the_counts_its_cards_show(
    client, cards_dir, no_drawing, monkeypatch, django_capture_on_commit_callbacks
):
    theme = ThemeFactory()
    guest = CreditFactory().person
    video = guest.credits.get().video
    LessonFactory(video=video, tags=[theme])
    lesson = LessonFactory(video=video, tags=[theme], status=Status.DRAFT)
    pages = {
        f"video-{video.pk}": f"/videos/{video.slug}/card.png",
        f"person-{guest.pk}": f"/people/{guest.slug}/card.png",
        f"theme-{theme.pk}": f"/themes/{theme.slug}/card.png",
        "site": "/card.png",
    }
    before = {url: client.get(url).content for url in pages.values()}  # drawn on request
    real_draw = cards.draw
    with django_capture_on_commit_callbacks(execute=True):
        lesson.status = Status.PUBLISHED
        lesson.save()
    no_drawing()
    assert_served_as_drawn(client, cards_dir, {**pages, f"lesson-{lesson.pk}": card_url(lesson)})
    assert all(client.get(url).content != before[url] for url in pages.values())  # 1 → 2

    monkeypatch.setattr(cards, "draw", real_draw)
    with django_capture_on_commit_callbacks(execute=True):
        lesson.status = Status.DRAFT
        lesson.save()
    no_drawing()
    assert_served_as_drawn(client, cards_dir, pages)
    assert all(client.get(url).content == before[url] for url in pages.values())
    assert client.get(card_url(lesson)).status_code == 404


def test_a_videos_new_title_redraws_the_cards_that_name_it(
    client, cards_dir, no_drawing, django_capture_on_commit_callbacks
):
    video = VideoFactory(title="Career story")
    lesson = LessonFactory(video=video)
    quote = QuoteFactory(video=video)
    with django_capture_on_commit_callbacks(execute=True):
        video.title = "The career story, retold"
        video.save()
    no_drawing()
    assert_served_as_drawn(
        client,
        cards_dir,
        {
            f"video-{video.pk}": f"/videos/{video.slug}/card.png",
            f"lesson-{lesson.pk}": card_url(lesson),
            f"quote-{quote.pk}": f"/quotes/{quote.pk}/card.png",
        },
    )


def test_an_editors_save_of_an_insight_draws_its_card(
    client, editor, cards_dir, no_drawing, django_capture_on_commit_callbacks
):
    insight = InsightFactory(title="Keep a timeline")
    EvidenceFactory(insight=insight)
    EvidenceFactory(insight=insight)
    url = f"/admin/kb/insight/{insight.pk}/change/"
    data = form_data(client.get(url).content.decode(), "insight_form")
    data["title"] = "Keep a timeline as it happens"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    no_drawing()
    assert_served_as_drawn(
        client, cards_dir, {f"insight-{insight.pk}": f"/insights/{insight.slug}/card.png"}
    )


def test_a_drafts_card_is_not_drawn_by_the_task(
    client, drawn, cards_dir, django_capture_on_commit_callbacks
):
    lesson = LessonFactory(status=Status.DRAFT)
    hidden = LessonFactory(video=VideoFactory(status=Status.DRAFT))
    insight = InsightFactory(status=Status.DRAFT)
    EvidenceFactory(insight=insight, lesson=lesson)
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "Still a draft"
        lesson.save()
        hidden.title = "In a draft video"
        hidden.save()
        hidden.video.title = "A draft video"
        hidden.video.save()
        insight.title = "A draft insight"
        insight.save()
    assert of("Lesson", drawn) == [] and of("Insight", drawn) == []
    assert [card.headline for card in of("Video", drawn)] == [lesson.video.title]
    assert not list(cards_dir.glob("lesson-*")) and not list(cards_dir.glob("insight-*"))
    assert not list(cards_dir.glob(f"video-{hidden.video.pk}-*"))


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
