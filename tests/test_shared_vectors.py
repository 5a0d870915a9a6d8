"""The meaning vectors each host searches (kb/search/vectors.py, issue 41): files every
worker maps rather than copies, brought up to date in work proportional to an edit, seen
by every worker at once, and rebuilt, with a line in the log, when they are damaged.

Each `Store` here stands for one worker process: its own view of the same directory."""

import json
import logging

import pytest
from django.db import connection, transaction

from kb.models import Lesson, MeaningVector
from kb.search import meaning, search
from kb.search.vectors import Store, directory_for
from tests.factories import ChapterFactory, LessonFactory, TranscriptSegmentFactory, VideoFactory

# Written outside a transaction, as a worker serving requests does (files are never
# written from inside one).
pytestmark = pytest.mark.django_db(transaction=True)

ADVICE = {
    "calm": ("Stay Calm When Production Breaks", "During an outage, breathe and stay calm."),
    "salary": ("Negotiate Your Salary", "Ask for more money when the offer comes."),
    "garden": ("Plant Tomatoes in Spring", "Water the garden every morning."),
}


@pytest.fixture(autouse=True)
def own_directory(settings, tmp_path):
    """Each test its own files (a transactional test's rows are flushed after it)."""
    settings.MEANING_INDEX_DIR = tmp_path / "meaning"


def worker() -> Store:
    """A process's view of this database's files, as a new worker has it."""
    return Store(
        directory_for(connection.settings_dict, connection.vendor),
        meaning.SEARCHED,
        meaning.DIMENSIONS,
        meaning.COARSE_DIMENSIONS,
        meaning.SCALE,
    )


@pytest.fixture
def talk():
    video = VideoFactory(title="A talk")
    chapter = ChapterFactory(video=video, title="All of it", start_seconds=0)
    for n, words in enumerate(["we ship on fridays", "the team met the deadline"]):
        TranscriptSegmentFactory(video=video, chapter=chapter, start_seconds=n * 40, text=words)
    for title, body in ADVICE.values():
        LessonFactory(video=video, chapter=chapter, title=title, body=body)
    meaning.index_video(video)
    return video


@pytest.fixture
def as_worker(monkeypatch):
    """Run searches as the given worker."""

    def use(store: Store) -> Store:
        monkeypatch.setitem(meaning._stores, store.directory, store)
        return store

    return use


def closest_lesson(text: str) -> str | None:
    ranked = search(text, by="meaning").lessons.ranked
    return Lesson.objects.get(pk=ranked[0].lesson).title if ranked else None


def test_the_first_search_writes_the_files_and_the_next_worker_maps_them(talk, as_worker):
    first = as_worker(worker())
    assert closest_lesson("keeping calm during an incident") == ADVICE["calm"][0]
    assert first.last == "synced"
    assert (first.directory / "manifest.json").exists()

    second = as_worker(worker())
    assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    assert second.last == "read"  # mapped what the first wrote: no rows read again


def test_an_edit_changes_meaning_results_at_once_on_every_worker_and_costs_only_its_rows(
    talk, as_worker, django_assert_max_num_queries
):
    one, two = worker(), worker()
    for store in (one, two):
        as_worker(store)
        assert closest_lesson("growing vegetables at home") == ADVICE["garden"][0]
    base = one.manifest["segments"][0]
    base_file = (one.directory / base).stat()

    garden = Lesson.objects.get(title=ADVICE["garden"][0])
    garden.title, garden.body = "Rehearse Your Demo", "Practise the product demo twice."
    garden.save()
    meaning.index_lesson(garden)

    as_worker(one)
    assert closest_lesson("growing vegetables at home") != "Rehearse Your Demo"
    assert closest_lesson("practising a product demo") == "Rehearse Your Demo"
    assert one.last == "read"  # synced by the first of those two searches
    # The edit's one lesson row went into a new small segment; the first segment was not
    # rewritten, only the lesson's old row flagged dead in it, in place.
    newest = one.opened[one.manifest["segments"][-1]]
    assert len(newest) == 1 and newest.ids[1, 0] == garden.pk
    assert one.manifest["segments"][0] == base
    assert (one.directory / base).stat().st_ino == base_file.st_ino
    assert one.opened[base].dead.sum() == 1

    as_worker(two)  # the other worker, which mapped the files before the edit
    # The check (one query), the lessons confirmed; no vector read again.
    assert closest_lesson("practising a product demo") == "Rehearse Your Demo"
    assert two.last == "read"


def test_a_sync_reads_the_rows_of_the_edit_alone(talk, as_worker):
    store = as_worker(worker())
    search("anything", by="meaning")
    lesson = Lesson.objects.get(title=ADVICE["salary"][0])
    meaning.index_lesson(lesson)
    read = []
    real = Store._rows_past

    def counted(self, settled, limit=None):
        rows = list(real(self, settled, limit))
        read.extend(rows)
        return rows

    store._rows_past = counted.__get__(store)
    search("asking for a raise", by="meaning")
    assert store.last == "synced"
    # The check found the lesson's two new rows (its vector and its pieces of advice,
    # which search never reads); the sync, under the lock, read its vector again.
    assert sorted(row[1] for row in read) == [meaning.LESSON, meaning.LESSON, meaning.PIECES]
    assert {row[2] for row in read} == {lesson.pk}


def test_a_deleted_lesson_is_never_found_and_is_flagged_dead_for_every_worker(talk, as_worker):
    store = as_worker(worker())
    assert closest_lesson("keeping calm during an incident") == ADVICE["calm"][0]
    Lesson.objects.filter(title=ADVICE["calm"][0]).delete()  # its vectors go with it

    assert closest_lesson("keeping calm during an incident") != ADVICE["calm"][0]
    assert sum(int(s.dead.sum()) for s in store.opened.values()) == 1
    other = as_worker(worker())
    assert closest_lesson("keeping calm during an incident") != ADVICE["calm"][0]
    assert sum(int(s.dead.sum()) for s in other.opened.values()) == 1


def test_nothing_is_written_inside_a_transaction(talk, as_worker):
    store = as_worker(worker())
    with transaction.atomic():
        assert closest_lesson("keeping calm during an incident") == ADVICE["calm"][0]
        assert store.last == "in memory"
        transaction.set_rollback(True)
    assert not (store.directory / "manifest.json").exists()


def _damage(store: Store, how: str) -> None:
    manifest = store.directory / "manifest.json"
    segment = store.directory / json.loads(manifest.read_text())["segments"][0]
    if how == "manifest not JSON":
        manifest.write_text("{not json")
    elif how == "segment cut short":
        with open(segment, "r+b") as file:
            file.truncate(5000)
    elif how == "segment not a segment":
        with open(segment, "r+b") as file:
            file.write(b"garbage")
    elif how == "a segment of the earlier format":  # float32 first dimensions
        with open(segment, "r+b") as file:
            file.write(b"kb-meaning-segment 2\n")
    elif how == "segment missing":
        segment.unlink()
    elif how == "another database's files":
        data = json.loads(manifest.read_text())
        data["identity"] = "sqlite 0:0"
        manifest.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "how",
    [
        "manifest not JSON",
        "segment cut short",
        "segment not a segment",
        "a segment of the earlier format",
        "segment missing",
        "another database's files",
    ],
)
def test_damaged_files_are_rebuilt_with_a_line_in_the_log(talk, as_worker, caplog, how):
    as_worker(worker())
    assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    _damage(worker(), how)

    with caplog.at_level(logging.WARNING, logger="kb.search"):
        fresh = as_worker(worker())
        assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    assert fresh.last in ("rebuilt", "synced")
    (line,) = [r.getMessage() for r in caplog.records if "meaning index" in r.getMessage()]
    assert "rebuilt from the database" in line
    rows = MeaningVector.objects.exclude(kind=meaning.PIECES).count()
    assert sum(len(s) for s in fresh.opened.values()) == rows


def test_a_worker_whose_mapped_segment_is_cut_short_rebuilds_rather_than_reading_it(
    talk, as_worker, caplog
):
    store = as_worker(worker())
    assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    _damage(store, "segment cut short")
    with caplog.at_level(logging.WARNING, logger="kb.search"):
        assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    assert store.last in ("rebuilt", "synced")
    assert any("rebuilt from the database" in r.getMessage() for r in caplog.records)


def test_small_segments_are_merged_from_the_files(talk, as_worker, monkeypatch):
    from kb.search import vectors

    monkeypatch.setattr(vectors, "MAX_SEGMENTS", 2)
    store = as_worker(worker())
    search("anything", by="meaning")
    lessons = list(Lesson.objects.all())
    for lesson in lessons * 2:
        meaning.index_lesson(lesson)
        search("anything", by="meaning")
        assert len(store.manifest["segments"]) <= 3
    assert closest_lesson("keeping calm during an incident") == ADVICE["calm"][0]
    live = sum(int((s.dead == 0).sum()) for s in store.opened.values())
    assert live == MeaningVector.objects.exclude(kind=meaning.PIECES).count()


def test_reindex_files_only_writes_this_hosts_files_from_the_stored_vectors(talk, as_worker):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("reindex", "--files-only", stdout=out)
    rows = MeaningVector.objects.exclude(kind=meaning.PIECES).count()
    assert f"({rows:,} vectors in this host's meaning index files)" in out.getvalue()
    store = as_worker(worker())
    assert closest_lesson("asking for a raise") == ADVICE["salary"][0]
    assert store.last == "read"  # nothing left for a search to read


def test_a_row_the_database_holds_pointing_elsewhere_is_never_returned(talk, as_worker):
    """An id handed out again (after a rollback, or in a database replaced behind the
    files) may name another row than the files have: the search drops it."""
    store = as_worker(worker())
    assert closest_lesson("keeping calm during an incident") == ADVICE["calm"][0]
    calm = Lesson.objects.get(title=ADVICE["calm"][0])
    garden = Lesson.objects.get(title=ADVICE["garden"][0])
    MeaningVector.objects.filter(kind=meaning.LESSON, lesson=calm).update(lesson=garden)
    # The content version moves, as with any change readers may see; not by saving a
    # lesson, whose derived data would be refreshed (and the stray row replaced) at once.
    from django.db.models import F

    from kb.models import ContentVersion

    ContentVersion.objects.filter(pk=1).update(version=F("version") + 1)

    assert closest_lesson("keeping calm during an incident") not in (
        ADVICE["calm"][0],
        ADVICE["garden"][0],
    )
    assert sum(int(s.dead.sum()) for s in store.opened.values()) == 1


def test_a_request_asks_nothing_more_of_the_database_while_no_vector_is_newer(
    talk, as_worker, django_assert_num_queries
):
    """The request's content stamp brings the newest vector's id with it: while the
    files hold it, a search asks nothing more to know they are up to date."""
    from kb.stamp import content_version, one_stamp

    store = as_worker(worker())
    search("anything", by="meaning")
    with one_stamp():
        content_version()
        with django_assert_num_queries(0):
            meaning.index()
    meaning.index_lesson(Lesson.objects.get(title=ADVICE["salary"][0]))
    with one_stamp():
        content_version()
        meaning.index()
    assert store.last == "synced"


def _copy_of_a_lesson_vector(cursor, lesson: Lesson) -> int:
    """A new row for `lesson` (its vector copied), written through `cursor`: its id."""
    cursor.execute(
        "INSERT INTO kb_meaningvector (kind, video_id, lesson_id, quote_id, chapter_id,"
        " start_seconds, excerpt, vector) SELECT kind, video_id, lesson_id, quote_id,"
        " chapter_id, start_seconds, excerpt, vector FROM kb_meaningvector"
        " WHERE lesson_id = %s AND kind = %s RETURNING id",
        [lesson.pk, meaning.LESSON],
    )
    return cursor.fetchone()[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_vector_committed_after_a_newer_one_is_still_read(talk, as_worker):
    """PostgreSQL hands out ids before commit: a vector another transaction is still
    writing must not be passed over once a newer id has committed."""
    from django.db import connections

    store = as_worker(worker())
    search("anything", by="meaning")
    salary = Lesson.objects.get(title=ADVICE["salary"][0])
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            slow = _copy_of_a_lesson_vector(cursor, salary)  # not committed yet
        garden = Lesson.objects.get(title=ADVICE["garden"][0])
        meaning.index_lesson(garden)  # newer ids, committed
        search("anything", by="meaning")
        assert store.last == "synced"
        assert store.manifest["settled"] < slow
        other.commit()
    finally:
        other.close()
    search("anything", by="meaning")
    assert store.last == "synced"
    read = {int(i) for segment in store.opened.values() for i in segment.ids[0]}
    assert slow in read


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_transaction_in_another_database_does_not_hold_the_vectors_back(talk, as_worker):
    """Other sites or test runs on the same server write in their own databases: the ids
    here settle all the same, so a search asks only for the rows of the newest edit."""
    import psycopg

    store = as_worker(worker())
    search("anything", by="meaning")
    own = connection.settings_dict
    elsewhere_options = {"dbname": "postgres", "user": own["USER"], "password": own["PASSWORD"],
                         "host": own["HOST"], "port": own["PORT"] or None}  # fmt: skip
    with psycopg.connect(**elsewhere_options) as elsewhere:  # a transaction left open there
        elsewhere.execute("SELECT pg_current_xact_id()")
        meaning.index_lesson(Lesson.objects.get(title=ADVICE["salary"][0]))
        search("anything", by="meaning")
        assert store.last == "synced"
        newest = MeaningVector.objects.order_by("-pk").values_list("pk", flat=True)[0]
        assert store.manifest["settled"] == newest and store.manifest["above"] == []
