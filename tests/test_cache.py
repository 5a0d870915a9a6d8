"""Anonymous pages are cached; any change, from any process, shows on the next request."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.db import connection

from kb.models import Status
from tests.factories import LessonFactory, VideoFactory
from tests.helpers import ROOT, database_url


def in_another_process(code: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    env["DATABASE_URL"] = database_url()
    script = f"import django; django.setup()\nfrom kb.models import *\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_anonymous_readers_get_cached_pages(client):
    lesson = LessonFactory(title="Cached advice")
    first = client.get(lesson.get_absolute_url())
    second = client.get(lesson.get_absolute_url())
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.django_db
def test_staff_never_see_or_fill_the_cache(client):
    lesson = LessonFactory(title="Advice")
    client.force_login(User.objects.create_user("ed", is_staff=True))
    assert "X-Cache" not in client.get(lesson.get_absolute_url())
    assert "X-Cache" not in client.get(lesson.get_absolute_url())
    # A reader after them: the page is cached from the reader's own first visit.
    client.logout()
    assert client.get(lesson.get_absolute_url())["X-Cache"] == "miss"
    assert client.get(lesson.get_absolute_url())["X-Cache"] == "hit"


@pytest.mark.django_db
def test_publishing_shows_at_once(client):
    lesson = LessonFactory(title="Soon public", status=Status.DRAFT)
    assert "Soon public" not in client.get("/lessons/").content.decode()
    lesson.status = Status.PUBLISHED
    lesson.save()
    assert "Soon public" in client.get("/lessons/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_made_in_another_process_shows_on_the_next_request(client):
    video = VideoFactory(title="Original title")
    LessonFactory(video=video, title="A lesson")
    assert "Original title" in client.get("/videos/").content.decode()
    assert client.get("/videos/")["X-Cache"] == "hit"
    in_another_process(f"Video.objects.filter(pk={video.pk}).update(title='Edited elsewhere')")
    body = client.get("/videos/").content.decode()
    assert "Edited elsewhere" in body and "Original title" not in body
    in_another_process(f"Video.objects.filter(pk={video.pk}).update(status='draft')")
    assert client.get(video.get_absolute_url()).status_code == 404


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set (CI sets it when Redis answers)"
)
def test_the_cache_works_against_redis():
    from django.core.cache import caches

    cache = caches["default"]
    assert type(cache).__name__ == "RedisCache"
    cache.set("kb:test:redis", {"ok": 1}, 30)
    assert cache.get("kb:test:redis") == {"ok": 1}
    cache.delete("kb:test:redis")


@pytest.mark.django_db
def test_every_knowledge_base_table_still_bumps_the_content_version():
    """SQLite drops a table's triggers when a migration rebuilds it: one that forgot to
    put them back would leave stale pages cached after every write to that table."""
    from kb import triggers

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = {
                f"{table}_version_{op}"
                for table in triggers.TABLES
                for op in triggers.SQLITE_OPERATIONS
            }
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = {f"{table}_version" for table in triggers.TABLES}
        present = {name for (name,) in cursor.fetchall()}
    assert expected <= present, sorted(expected - present)


@pytest.mark.django_db
def test_a_reading_request_reads_the_content_version_once_and_a_write_request_always(rf):
    """Every part of a page agrees on one version, asked for once; a POST (an editor's
    save) reads it afresh each time, since it moves the version itself."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from kb.cache import AnonymousPageCacheMiddleware
    from kb.stamp import content_version

    seen = []

    def view(request):
        seen.append(content_version())
        LessonFactory()  # a write in between moves the version
        seen.append(content_version())
        return HttpResponse("ok", headers={"Cache-Control": "private"})

    middleware = AnonymousPageCacheMiddleware(view)
    request = rf.get("/lessons/")
    request.user = AnonymousUser()
    middleware(request)
    assert seen[0] == seen[1]
    seen.clear()
    post = rf.post("/lessons/")
    post.user = AnonymousUser()
    middleware(post)
    assert seen[1] > seen[0]
    assert content_version() == seen[1]  # outside a request: always read


@pytest.mark.django_db
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
