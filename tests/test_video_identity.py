"""A re-import finds its video by the video's own identity (YouTube id, else the page
header's title, channel, date and length), never by the slug of its title (issue 13)."""

import threading

import pytest
from django.db import connection

from kb.importers.pipeline import import_document
from kb.models import Lesson, Video
from tests.helpers import import_video as run
from tests.helpers import snapshot
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(tmp_path):
    def write(name, **kwargs):
        path = tmp_path / name
        path.write_text(page(**kwargs), encoding="utf-8")
        return path

    return write


def test_two_talks_with_one_title_are_two_videos(write):
    first = write("a.txt", channel="Career Talks")
    second = write("b.txt", channel="Another Podcast", duration="12:00")
    assert run(first)[0] == 0
    code, out, err = run(second)
    assert (code, err) == (0, "")
    assert out.startswith("imported growing-fast-a-story-2:")
    channels = dict(Video.objects.values_list("slug", "channel"))
    assert channels == {
        "growing-fast-a-story": "Career Talks",
        "growing-fast-a-story-2": "Another Podcast",
    }
    assert Lesson.objects.filter(video__slug="growing-fast-a-story").count() == 3


def test_update_never_merges_another_talk_with_the_same_title(write):
    run(write("a.txt"), "--youtube", "dQw4w9WgXcQ")
    before = Video.objects.get()
    code, out, err = run(write("b.txt", channel="Another Podcast"), "--update")
    assert code == 0, err
    assert out.startswith("imported ")  # a new video, not "updated"
    before.refresh_from_db()
    assert (before.channel, before.youtube_id) == ("Career Talks", "dQw4w9WgXcQ")
    assert before.lessons.count() == 3


def test_a_title_with_no_latin_letters_is_unchanged_on_every_reimport(write):
    path = write("ja.txt", title="キャリアの話")
    assert run(path)[0] == 0
    for _ in range(2):
        code, out, err = run(path)
        assert (code, err) == (0, "")
        assert out.strip() == "unchanged video"
    assert Video.objects.count() == 1


def test_a_renamed_slug_does_not_make_a_copy_on_reimport(write):
    path = write("a.txt")
    run(path)
    Video.objects.update(slug="my-better-address")
    before = snapshot()
    code, out, err = run(path)
    assert out.strip() == "unchanged my-better-address"
    code, out, err = run(path, "--update")
    assert out.strip() == "unchanged my-better-address"
    assert snapshot() == before


def test_an_edited_title_does_not_change_what_the_page_finds(write):
    path = write("a.txt")
    run(path)
    Video.objects.update(title="An editor's better title")
    assert run(path)[1].strip() == "unchanged growing-fast-a-story"


def test_the_same_header_under_two_youtube_ids_needs_youtube_to_choose(write):
    run(write("a.txt"), "--youtube", "dQw4w9WgXcQ")
    run(write("b.txt"), "--youtube", "9bZkp7q2f0g")
    assert Video.objects.count() == 2
    before = snapshot()
    changed = write("c.txt")
    changed.write_text(page().replace("Be curious.", "Be very curious."))
    code, out, err = run(changed, "--update")
    assert code == 1
    assert "several videos" in err and "--youtube" in err
    assert snapshot() == before
    code, out, err = run(changed, "--update", "--youtube", "9bZkp7q2f0g")
    assert code == 0 and out.startswith("updated growing-fast-a-story-2")


def test_a_page_imported_without_its_id_is_found_when_the_id_comes(write):
    path = write("a.txt")
    run(path)
    changed = write("b.txt")
    changed.write_text(page().replace("Be curious.", "Be very curious."))
    code, out, err = run(changed, "--update", "--youtube", "dQw4w9WgXcQ")
    assert code == 0, err
    assert out.startswith("updated growing-fast-a-story")
    assert Video.objects.get().youtube_id == "dQw4w9WgXcQ"


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_new_page_at_once_make_one_video(monkeypatch):
    """Both look, find nothing and write: the constraint refuses the second, which looks
    again and finds the first. (On SQLite writers queue, so the race cannot happen.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): only PostgreSQL can race")
    from kb.importers import store

    both_looked = threading.Barrier(2, timeout=10)
    original = store.find_video

    def find_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        if found is None:
            try:
                both_looked.wait()
            except threading.BrokenBarrierError:
                pass  # the retry looks alone
        return found

    monkeypatch.setattr(store, "find_video", find_then_wait)
    data = page().encode()
    results, errors = [], []

    def confirm():
        try:
            results.append(import_document("talk.txt", data).action)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["imported", "unchanged"]
    assert Video.objects.count() == 1
