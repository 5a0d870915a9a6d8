"""What is derived from the words (keywords, meaning vectors, chapters' texts) follows
every edit at once, from any path, and an import refreshes it once (kb.importers.derived).

An edit's refresh runs when its transaction commits: the tests run the admin's request
inside `django_capture_on_commit_callbacks(execute=True)`, where a real request commits.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from kb.importers import derived
from kb.importers.linking import terms
from kb.models import ChapterTranscript, Lesson, MeaningVector
from kb.search import meaning, search
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    MachineDraftFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)
from tests.forms import form_data
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what is inside as if its transaction committed (the on-commit refreshes run)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def three_lessons(committed):
    """Three published lessons under one theme, each saved (and refreshed) as an editor
    would: the one to edit, one on design documents, one on pay."""
    theme = ThemeFactory(name="growth")
    with committed():
        edited = LessonFactory(
            title="Write the design document before coding",
            body="A design document saves weeks of coding.",
            tags=[theme],
        )
        design = LessonFactory(
            title="Design documents save weeks",
            body="Every design document is a cheap prototype before coding.",
            tags=[theme],
        )
        pay = LessonFactory(
            title="Ask for the salary raise",
            body="Bring your salary research: a raise is negotiated with evidence.",
            tags=[theme],
        )
    return edited, design, pay


def edit_in_admin(client, committed, lesson, **changes):
    url = f"/admin/kb/lesson/{lesson.pk}/change/"
    data = form_data(client.get(url).content.decode(), "lesson_form")
    data.update(changes)
    with committed():
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson.refresh_from_db()


def related_on_page(client, lesson) -> list[str]:
    response = client.get(lesson.get_absolute_url())
    return [other.title for other in response.context["related"]]


def test_a_title_edited_in_the_admin_changes_search_keywords_and_related_at_once(
    client, editor, committed, three_lessons
):
    edited, design, pay = three_lessons
    salary, design_ = stem("salary"), stem("design")
    assert salary not in lesson_keywords(edited) and design_ in lesson_keywords(edited)
    assert [hit.lesson.pk for hit in search("salary").lessons] == [pay.pk]
    assert related_on_page(client, edited)[0] == design.title

    edit_in_admin(
        client, committed, edited,
        title="Ask for a salary raise in writing", body="Negotiate your salary with evidence.",
    )  # fmt: skip

    assert salary in lesson_keywords(edited) and design_ not in lesson_keywords(edited)
    assert {hit.lesson.pk for hit in search("salary").lessons} == {edited.pk, pay.pk}
    assert related_on_page(client, edited)[0] == pay.title
    # By meaning too: what it is about now, in none of its words.
    close = search("negotiating compensation").lessons
    assert edited.pk in [hit.lesson.pk for hit in close[:2]]


def test_a_takeaway_edited_inline_changes_its_lessons_keywords_and_pieces(
    client, editor, committed
):
    with committed():
        lesson = LessonFactory(title="Keep a brag document", body="Write down what you did.")
        TakeawayFactory(lesson=lesson, text="Review it before every promotion cycle.")
    assert stem("promotion") in lesson_keywords(lesson)
    pieces = meaning.stored_pieces([lesson.pk])[lesson.pk]

    url = f"/admin/kb/lesson/{lesson.pk}/change/"
    data = form_data(client.get(url).content.decode(), "lesson_form")
    data["takeaways-0-text"] = "Share it with your manager every quarter."
    with committed():
        assert client.post(url, data).status_code == 302

    assert stem("promotion") not in lesson_keywords(lesson)
    assert stem("quarter") in lesson_keywords(lesson)
    assert (meaning.stored_pieces([lesson.pk])[lesson.pk] != pieces).any()


def lesson_keywords(lesson) -> list[str]:
    return Lesson.objects.get(pk=lesson.pk).keywords.split()


def keywords(text: str) -> list[str]:
    """The stems keywords are made of."""
    return terms(text)


def stem(word: str) -> str:
    return terms(word)[0]


def test_several_saves_in_one_transaction_cost_one_refresh(committed, monkeypatch):
    lesson = LessonFactory(body="")
    refreshed = []
    real = derived.refresh
    monkeypatch.setattr(derived, "refresh", lambda items: refreshed.append(items) or real(items))
    with committed():
        lesson.title = "Say no to most meetings"
        lesson.save()
        TakeawayFactory(lesson=lesson, text="Decline with a reason.")
        TakeawayFactory(lesson=lesson, text="Offer a written update instead.")
    assert refreshed == [{(derived.LESSON, lesson.pk)}]
    words = Lesson.objects.get(pk=lesson.pk).keywords.split()
    assert set(keywords("meetings decline written")) <= set(words)


def test_a_rolled_back_edit_refreshes_nothing(committed):
    lesson = LessonFactory(title="Ask for feedback weekly", body="", keywords="feedback weekly")
    with committed():
        with transaction.atomic():
            lesson.title = "Gardening and compost"
            lesson.save()
            transaction.set_rollback(True)
    assert not MeaningVector.objects.filter(lesson=lesson).exists()
    # Its control: the same edit, committed.
    with committed():
        lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).keywords.split()[:2] == keywords("gardening compost")


def test_quotes_videos_and_chapters_follow_their_edits(committed):
    video = VideoFactory(title="An hour with a staff engineer")
    chapter = ChapterFactory(video=video, title="Early years", start_seconds=0)
    TranscriptSegmentFactory(video=video, chapter=chapter, text="we shipped the pager rota")
    with committed():
        quote = QuoteFactory(video=video, text="Ship small, ship often.")
        video.title = "An hour on on-call rotas"
        video.save()
        chapter.title = "Pagers and rotas"
        chapter.save()

    assert MeaningVector.objects.get(quote=quote).excerpt == "Ship small, ship often."
    assert MeaningVector.objects.get(kind=meaning.VIDEO, video=video).excerpt == video.title
    row = ChapterTranscript.objects.get(chapter=chapter)
    assert (row.title, row.text) == ("Pagers and rotas", "we shipped the pager rota")


def test_a_machine_draft_has_no_vectors_until_an_editor_accepts_it(committed):
    from kb.curation import accept_draft

    with committed():
        draft = MachineDraftFactory()
    assert draft.keywords or Lesson.objects.get(pk=draft.pk).keywords
    assert not MeaningVector.objects.filter(lesson=draft).exists()
    with committed():
        assert accept_draft(draft)
    assert MeaningVector.objects.filter(lesson=draft, kind=meaning.LESSON).exists()


def test_an_import_refreshes_once_at_its_end(monkeypatch):
    calls, indexed = [], []
    real_refresh, real_index = derived.refresh, meaning.index_video
    monkeypatch.setattr(
        derived, "refresh", lambda items: calls.append(items) or real_refresh(items)
    )
    monkeypatch.setattr(
        meaning, "index_video", lambda video, *a: indexed.append(video.pk) or real_index(video, *a)
    )
    sample = ROOT / "samples" / "shipping-small.txt"
    call_command("import_video", str(sample), "--publish", stdout=io.StringIO())

    video = Lesson.objects.first().video
    assert len(calls) == 1 and (derived.TRANSCRIPT, video.pk) in calls[0]
    assert indexed == [video.pk]
    lessons = list(video.lessons.prefetch_related("takeaways"))
    assert all(lesson.keywords == derived.lesson_keywords(lesson) for lesson in lessons)
    assert MeaningVector.objects.filter(kind=meaning.LESSON, video=video).count() == len(lessons)
    assert ChapterTranscript.objects.filter(chapter__video=video).count() == video.chapters.count()


def test_reindex_repairs_what_a_write_behind_its_back_left_stale(committed):
    with committed():
        lesson = LessonFactory(title="Ask for the promotion criteria", body="")
    Lesson.objects.filter(pk=lesson.pk).update(title="Mentor two juniors", keywords="")
    MeaningVector.objects.all().delete()
    call_command("reindex", stdout=io.StringIO())
    assert set(keywords("mentor juniors")) <= set(Lesson.objects.get(pk=lesson.pk).keywords.split())
    assert MeaningVector.objects.filter(lesson=lesson, kind=meaning.LESSON).exists()


@pytest.mark.parametrize("takeaways", [1, 6])
def test_a_lessons_refresh_costs_the_same_few_queries_at_any_size(
    django_capture_on_commit_callbacks, django_assert_num_queries, takeaways
):
    lesson = LessonFactory(body="")
    with django_capture_on_commit_callbacks() as callbacks:
        lesson.save()
        for _ in range(takeaways):
            TakeawayFactory(lesson=lesson)
    # queries:
    #   SAVEPOINT (the refresh's own transaction)
    #   SELECT the lesson
    #   SELECT its takeaways (prefetched)
    #   UPDATE kb_lesson SET keywords
    #   DELETE its vectors (lesson, pieces)
    #   INSERT its vectors (lesson, pieces)
    #   DELETE its sentence-model vector (kb.search.sense)
    #   INSERT its sentence-model vector
    #   on SQLite (14 more), the terms its triggers marked (kb.search.sqlite):
    #     SELECT the chapters marked (none)
    #     SELECT the lessons, takeaways and quotes marked, with their texts (one query)
    #     stemming them: CREATE the temporary FTS5 table and its vocabulary (if not
    #     there), DELETE what a failed call left, INSERT the texts, SELECT the stems,
    #     DELETE the texts
    #     for the lesson, then its takeaways: DELETE their terms, INSERT the new ones,
    #     DELETE their marks
    #   UPDATE kb_contentversion (no worker keeps the vectors it loaded before)
    #   RELEASE SAVEPOINT
    with django_assert_num_queries(10 + (14 if connection.vendor == "sqlite" else 0)):
        for callback in callbacks:
            callback()  # the takeaways' callbacks find the lesson refreshed: no queries


@pytest.mark.django_db(transaction=True)
def test_deferred_work_outside_a_transaction_is_refreshed_at_its_end():
    with derived.deferred():
        lesson = LessonFactory(title="Mentor two juniors", body="")
        assert Lesson.objects.get(pk=lesson.pk).keywords == ""  # gathered, not yet done
    assert set(keywords("mentor juniors")) <= set(lesson_keywords(lesson))
    assert MeaningVector.objects.filter(lesson=lesson, kind=meaning.LESSON).exists()
