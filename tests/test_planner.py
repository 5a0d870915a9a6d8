"""The query planner keeps up with the data: list pages stay index walks as they grow."""

import pytest
from django.db import connection

from kb import search
from kb.reads import lessons as published_lessons
from kb.reads import quotes as published_quotes
from tests.factories import LessonFactory, QuoteFactory, VideoFactory

pytestmark = pytest.mark.django_db


def plan(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def test_after_an_import_sqlite_walks_the_videos_by_date_instead_of_sorting_every_lesson():
    """Without statistics SQLite sorts every published lesson (or quote) to show twenty:
    at ten million lines that is most of the page's time. The end of an import gathers
    them (kb.search.tidy_index), and the first page is read in order from the indexes."""
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's autovacuum analyzes")
    for _ in range(40):
        video = VideoFactory()
        for position in range(6):
            lesson = LessonFactory(video=video, position=position)
        QuoteFactory(video=video, lesson=lesson)
    lessons, quotes = published_lessons()[:20], published_quotes()[:20]
    assert "USE TEMP B-TREE FOR ORDER BY" in plan(lessons)  # the guess, before
    search.tidy_index()
    for queryset in (lessons, quotes):
        steps = plan(queryset)
        assert "USE TEMP B-TREE FOR ORDER BY" not in steps
        assert "kb_video" in steps[0] and "USING INDEX" in steps[0]
    assert [lesson.video.published_on for lesson in lessons] == sorted(
        (lesson.video.published_on for lesson in lessons), reverse=True
    )
