"""Full-text search, on whichever database runs the suite (SQLite FTS5 or PostgreSQL)."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.importers.derived import refresh_chapter_texts
from kb.models import Lesson, Status
from kb.search import meaning, search, tidy_index
from kb.search.query import parse_query
from kb.search.schema import INDEXED, SQLITE_ROW_TERMS
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)
from tests.helpers import budget_talks, spoken

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    '""',
    "NEAR(",
    "a NEAR/3 b",
    "*",
    "-",
    "AND",
    "OR OR",
    "foo:bar",
    "'; DROP TABLE kb_lesson; --",
    "x" * 2000,
    "help\x00me",
    "(((",
    "^",
    "مساعدة الترقية",
    "升职 帮助",
    "%",
    "_",
    "\\",
    "title:",
    "{a b}",
    "NOT",
    "a*b*c",
    '"asking for',
    "-promo",
    '-"',
    "promo -",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🚀",
]


def test_the_query_keeps_words_phrases_and_exclusions_and_nothing_else():
    parsed = parse_query('Asking for "promo packet" -meta -"big tech" foo:bar NEAR( a*b')
    assert parsed.words == ["asking", "near"]
    assert parsed.phrases == [["promo", "packet"], ["foo", "bar"], ["a", "b"]]
    assert parsed.excluded == [["meta"], ["big", "tech"]]
    assert parse_query("the and of").words == ["the", "and", "of"]  # all stop words: keep them
    assert parse_query('" ( ^ * -').empty


def test_finds_a_word_in_each_kind_of_content():
    video = VideoFactory()
    LessonFactory(video=video, title="Snowboarding keeps you sane", body="Rest matters.")
    lesson = LessonFactory(video=video, title="Other", body="We went kayaking on weekends.")
    TakeawayFactory(lesson=LessonFactory(video=video, title="Third"), text="Try paragliding once.")
    QuoteFactory(video=video, lesson=lesson, text="I started skydiving at forty.")
    spoken(video, "my hobby is woodworking in the garage", start=120)

    assert [h.lesson.title for h in search("snowboarding").lessons] == [
        "Snowboarding keeps you sane"
    ]
    assert [h.lesson.title for h in search("kayaking").lessons] == ["Other"]
    assert [h.lesson.title for h in search("paragliding").lessons] == ["Third"]
    assert [h.quote.text for h in search("skydiving").quotes] == ["I started skydiving at forty."]
    moments = search("woodworking").moments
    assert [(m.video, m.start_seconds) for m in moments] == [(video, 120)]


def test_every_word_must_match_in_any_order():
    LessonFactory(title="Ask for help early", body="Senior engineers answer fast.")
    LessonFactory(title="Help others", body="Mentoring juniors.")
    assert [h.lesson.title for h in search("engineers help").lessons] == ["Ask for help early"]


def test_stemming_and_prefixes_find_other_forms():
    LessonFactory(title="The promotion packet", body="Calibration decides.")
    assert search("promoted").lessons
    assert search("promo").lessons
    assert search("calibrating").lessons


def test_exact_phrases_and_exclusions():
    LessonFactory(title="Asking for help", body="When stuck, ask.")
    LessonFactory(title="Help with asking", body="Different order entirely.")
    assert [h.lesson.title for h in search('"asking for help"').lessons] == ["Asking for help"]
    assert [h.lesson.title for h in search("help -stuck").lessons] == ["Help with asking"]
    assert [h.lesson.title for h in search('help -"different order"').lessons] == [
        "Asking for help"
    ]


def test_a_title_hit_ranks_above_a_body_hit():
    LessonFactory(title="Impact", body="Nothing else here.", slug="a")
    LessonFactory(title="Something", body="Choose work with impact and more impact.", slug="b")
    assert [h.lesson.slug for h in search("impact").lessons] == ["a", "b"]


def test_the_best_transcript_moment_comes_first_wherever_it_is_stored():
    video = VideoFactory()
    # Stored first: a chapter that mentions the word once among much else.
    noisy = ChapterFactory(video=video, start_seconds=0)
    for n in range(8):
        spoken(video, f"we talked about lots of other things number {n}", n * 10, noisy)
    spoken(video, "and a little about calibration", 90, noisy)
    # Stored last: the chapter that is about the word.
    focused = ChapterFactory(video=video, start_seconds=600)
    spoken(video, "calibration calibration is where calibration happens", 600, focused)
    moments = search("calibration").moments
    assert moments[0].start_seconds == 600
    assert {m.start_seconds for m in moments} == {600, 90}


def test_inside_a_chapter_the_lines_that_say_most_of_the_query_are_shown_in_time_order():
    video = VideoFactory()
    chapter = ChapterFactory(video=video, start_seconds=0)
    spoken(video, "calibration came up", 10, chapter)
    spoken(video, "calibration and more calibration", 20, chapter)
    spoken(video, "calibration again", 30, chapter)
    moments = search("calibration").moments
    assert [m.start_seconds for m in moments] == [10, 20]


def test_a_phrase_split_between_two_captions_lands_on_the_line_where_it_starts():
    video = VideoFactory()
    chapter = ChapterFactory(video=video, start_seconds=0)
    spoken(video, "we opened with introductions", 5, chapter)
    spoken(video, "the hardest part was asking for", 40, chapter)
    spoken(video, "help when everyone looked busy", 43, chapter)
    moments = search('"asking for help"').moments
    assert [m.start_seconds for m in moments] == [40]
    assert "<mark>asking</mark>" in moments[0].snippet


def test_drafts_never_appear():
    draft_video = VideoFactory(status=Status.DRAFT)
    live = VideoFactory()
    LessonFactory(title="Zeppelin secrets", status=Status.DRAFT, video=live)
    LessonFactory(title="Zeppelin in draft video", video=draft_video)
    QuoteFactory(text="zeppelin quote", status=Status.DRAFT, video=live)
    TakeawayFactory(lesson=LessonFactory(status=Status.DRAFT, video=live), text="zeppelin takeaway")
    spoken(draft_video, "zeppelin said in a draft video")
    assert not search("zeppelin").found
    # The same word, published, is found in each kind: the drafts are hidden, not unsearchable.
    LessonFactory(title="Zeppelin published", video=live)
    QuoteFactory(text="zeppelin quote said aloud", video=live)
    spoken(live, "zeppelin said in a published video", start=60)
    results = search("zeppelin")
    assert [hit.lesson.title for hit in results.lessons] == ["Zeppelin published"]
    assert [hit.quote.text for hit in results.quotes] == ["zeppelin quote said aloud"]
    assert [(m.video, m.start_seconds) for m in results.moments] == [(live, 60)]


def test_what_readers_may_see_is_read_once_per_content_version():
    """Which lessons and takeaways are visible is kept per content version: a search
    repeated asks the database less, and the next search after an editor unpublishes a
    lesson no longer finds it (any write moves the version)."""

    landing = LessonFactory(title="Zeppelin landing")
    airships = LessonFactory(title="Airships")
    TakeawayFactory(lesson=airships, text="zeppelin")
    with CaptureQueriesContext(connection) as first:
        found = search("zeppelin", by="words")
    assert {hit.lesson for hit in found.lessons[0:5]} == {landing, airships}
    with CaptureQueriesContext(connection) as again:
        search("zeppelin", by="words")
    assert len(again) <= len(first) - 2
    landing.status = Status.DRAFT
    landing.save()
    assert [hit.lesson for hit in search("zeppelin", by="words").lessons[0:5]] == [airships]
    Lesson.objects.filter(pk=airships.pk).update(status=Status.DRAFT)
    assert not search("zeppelin", by="words").lessons


def test_drafts_ranking_best_never_leave_the_results_short(monkeypatch):
    """More drafts than the best few looked at first rank above what readers may see:
    the visible ones are still found, best first, and no draft is."""
    import kb.search

    monkeypatch.setattr(kb.search, "MAX_LESSONS", 2)
    monkeypatch.setattr(kb.search, "MAX_QUOTES", 2)
    live, hidden = VideoFactory(), VideoFactory(status=Status.DRAFT)
    for n in range(6):
        LessonFactory(title=f"Zeppelin zeppelin zeppelin {n}", status=Status.DRAFT, video=live)
        LessonFactory(title=f"Zeppelin zeppelin in a draft video {n}", video=hidden)
        QuoteFactory(text=f"zeppelin zeppelin zeppelin {n}", status=Status.DRAFT, video=live)
    strong = LessonFactory(title="Zeppelin zeppelin landing", body="zeppelin", video=live)
    weak = LessonFactory(title="A long story about a zeppelin and other things", video=live)
    airships = LessonFactory(video=live, title="Airships")
    TakeawayFactory(lesson=airships, text="zeppelin")
    QuoteFactory(text="the zeppelin quote a reader sees", video=live)
    for results in (search("zeppelin"), search("zeppelin", video=live)):
        found = [h.lesson for h in results.lessons[0:5]]
        assert found[0] == strong and set(found) == {strong, weak, airships}
        assert [h.quote.text for h in results.quotes] == ["the zeppelin quote a reader sees"]


def test_the_best_few_are_ranked_first_whatever_else_says_the_words(monkeypatch):
    """Both engines first pick the best few rows of each kind from an index (FTS5's,
    PostgreSQL's terms tables), then rank and load those: whatever the order rows were
    written in, the strongest come first; a word is also found as the start of a
    longer one; rows saying both words are found though each word alone is said more
    strongly elsewhere; and an excluded word still leaves the page full."""
    import kb.search

    monkeypatch.setattr(kb.search, "MAX_LESSONS", 2)
    monkeypatch.setattr(kb.search, "MAX_QUOTES", 2)
    video = VideoFactory()
    by_strength = {}
    for n in (2, 5, 1, 4, 3):
        by_strength[n] = LessonFactory(
            video=video, title="Notes", body=" ".join(["zeppelin"] * n + ["words"] * (6 - n))
        )
        QuoteFactory(video=video, text=" ".join(["zeppelin"] * n + ["kite"] * (6 - n)))
    assert [h.lesson for h in search("zeppelin").lessons[0:2]] == [by_strength[5], by_strength[4]]
    quotes = [h.quote.text.count("zeppelin") for h in search("zeppelin").quotes]
    assert quotes == [5, 4]
    longer = LessonFactory(video=video, title="Notes", body="a blimpmaker")
    assert [h.lesson for h in search("blimp").lessons] == [longer]
    for _ in range(4):
        LessonFactory(video=video, title="Alpha", body="alpha alpha alpha alpha")
        LessonFactory(video=video, title="Beta", body="beta beta beta beta")
    both = LessonFactory(video=video, title="Notes", body="alpha then beta")
    assert [h.lesson for h in search("alpha beta").lessons] == [both]
    for _ in range(5):
        LessonFactory(video=video, title="Zeppelin kite", body="zeppelin " * 8 + "kite")
    found = [h.lesson for h in search("zeppelin -kite").lessons]
    assert found == [by_strength[5], by_strength[4]]
    assert [h.quote.text.count("zeppelin") for h in search("zeppelin -kite").quotes] == []


def test_a_search_narrowed_or_not_ranks_on_one_scale():
    """A narrowed search ranks every match; the whole knowledge base's ranks the best few
    an index gives first. Both must put the same numbers on the same lessons,
    takeaways and quotes, or a page mixing them would order them wrongly."""
    video = VideoFactory()
    for body in ("alpha beta", "alpha alpha beta", "beta words alpha beta beta"):
        lesson = LessonFactory(video=video, title="Notes", body=body)
        TakeawayFactory(lesson=lesson, text=f"Takeaway {body}")
        QuoteFactory(video=video, lesson=lesson, text=f"quote {body}")
    LessonFactory(video=VideoFactory(), title="Alpha elsewhere", body="beta")
    for query in ("alpha beta", "alpha -words", "alph"):
        everywhere, narrowed = search(query), search(query, video=video)
        assert len(narrowed.lessons) >= 2, query
        ranks = {hit.lesson.pk: hit.rank for hit in everywhere.lessons[0 : len(everywhere.lessons)]}
        for hit in narrowed.lessons[0 : len(narrowed.lessons)]:
            assert ranks[hit.lesson.pk] == pytest.approx(hit.rank, rel=1e-5), query
        assert [h.quote for h in everywhere.quotes if h.quote.video == video] == [
            h.quote for h in narrowed.quotes
        ], query


def test_filters_by_theme_and_video():
    promo, lead = ThemeFactory(name="promotion"), ThemeFactory(name="leadership")
    one, two = VideoFactory(), VideoFactory()
    LessonFactory(title="Impact for promo", video=one, tags=[promo])
    LessonFactory(title="Impact for leading", video=two, tags=[lead])
    assert [h.lesson.title for h in search("impact", theme=promo).lessons] == ["Impact for promo"]
    assert [h.lesson.title for h in search("impact", video=two).lessons] == ["Impact for leading"]


def test_snippets_are_highlighted_and_escaped():
    LessonFactory(title="Safe", body='Be <b>bold</b> and <script>alert("x")</script> curious.')
    hit = search("curious").lessons[0]
    assert "<mark>curious</mark>" in hit.snippet
    # SQLite shows the tags as text; PostgreSQL's ts_headline drops them. Neither runs them.
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "alert(&quot;x&quot;)" in hit.snippet


def test_a_lesson_found_by_its_takeaway_shows_the_takeaways_words_beside_one_found_by_its_own():
    """On one page, each lesson's snippet is of what found it: its own words, or the
    takeaway that says the query (escaped, marked)."""
    own = LessonFactory(title="Zeppelin rides", body="Ride the zeppelin early.")
    other = LessonFactory(title="Airships", body="Nothing about it here.")
    TakeawayFactory(lesson=other, text='A <i>zeppelin</i> "ride" to remember')
    TakeawayFactory(lesson=other, text="Land softly")
    hits = {hit.lesson: hit.snippet for hit in search("zeppelin").lessons[0:10]}
    assert set(hits) == {own, other}
    assert "<mark>zeppelin</mark>" in hits[own].lower() and "remember" not in hits[own]
    assert "<mark>zeppelin</mark>" in hits[other].lower()
    assert "remember" in hits[other] and "softly" not in hits[other]
    assert "<i>" not in hits[other]


def test_an_admin_edit_is_searchable_at_once(client):
    admin = User.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    quote = QuoteFactory(text="An ordinary sentence.")
    assert not search("xylophone").quotes
    response = client.post(
        f"/admin/kb/quote/{quote.pk}/change/",
        {
            "video": quote.video_id,
            "text": "I practise the xylophone daily.",
            "speaker_name": "Guest",
            "start_seconds": "300",
            "end_seconds": "310",
            "status": "published",
            "tags": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [h.quote.pk for h in search("xylophone").quotes] == [quote.pk]
    quote.status = Status.DRAFT
    quote.save()
    assert not search("xylophone").quotes


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_answered_200(client, query):
    LessonFactory(title="Asking for help", body="promo packet NEAR the foo:bar")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script" not in response.content.decode().split("<main", 1)[1].lower()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_is_a_valid_search(text):
    results = search(text)
    assert len(results.lessons) == len(results.lessons[:200])


def test_search_page_shows_groups_with_moment_links(client):
    video = VideoFactory(youtube_id="dQw4w9WgXcQ", transcript_exact=True)
    LessonFactory(video=video, title="Promo packets", start_seconds=3165.0)
    spoken(video, "the promo packet was everything", start=4322.0)
    body = client.get("/search/", {"q": "promo packet"}).content.decode()
    assert "Lessons" in body and "Moments in the transcripts" in body
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=4322s" in body
    assert "<mark>promo</mark>" in body


def test_reindex_rebuilds_a_lost_index():
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    LessonFactory(title="Quokka habits", body="Small steps.")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO kb_lesson_fts(kb_lesson_fts) VALUES ('delete-all')")
        assert not search("quokka").lessons
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "reindexed" in out.getvalue()
    assert [h.lesson.title for h in search("quokka").lessons] == ["Quokka habits"]


def test_search_triggers_survive_the_migrations():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 triggers exist on SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    for table in (indexed.table for indexed in INDEXED):
        assert {f"{table}_fts_ai", f"{table}_fts_ad", f"{table}_fts_au"} <= triggers
    # ... and those that mark which rows' and chapters' terms to write again.
    for terms in ["kb_chapterterm", *(t.table for t in SQLITE_ROW_TERMS.values())]:
        assert {f"{terms}_mark_ai", f"{terms}_mark_au", f"{terms}_mark_ad"} <= triggers


def _segments(connection) -> dict[str, dict[int, int]]:
    """Each full-text index's segments: {segment id: its pages}."""
    found = {}
    with connection.cursor() as cursor:
        for table in (indexed.table for indexed in INDEXED):
            cursor.execute(f"SELECT segid, count(*) FROM {table}_fts_idx GROUP BY segid")
            found[table] = dict(cursor.fetchall())
    return found


@pytest.mark.parametrize("how", ["one by one", "one command"])
def test_imports_leave_each_search_index_in_a_few_segments(settings, how):
    """Many segments make a word's lookup inside a chapter seek once per segment (an
    import writes a dozen); merging them all into one after each import rewrote the whole
    index, seconds at ten million lines (bench/queued_import.py): the import's small
    segments are merged, a few levels at most are left."""
    from django.core.management import call_command
    from django.db import connection

    from kb.importers.pipeline import import_document

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 segments exist on SQLite only")
    samples = sorted((settings.BASE_DIR / "samples").glob("*.txt"))
    with CaptureQueriesContext(connection) as sent:
        if how == "one by one":  # as the admin does, a document a request
            for path in samples:
                import_document(path.name, path.read_bytes(), publish=True)
                assert all(len(segs) <= 4 for segs in _segments(connection).values())
        else:
            call_command("import_video", *map(str, samples), publish=True, stdout=io.StringIO())
    assert all(len(segs) <= 4 for segs in _segments(connection).values())
    # FTS5's 'optimize' writes the whole index again (what `reindex` does, not imports).
    assert not [q["sql"] for q in sent if "'optimize'" in q["sql"]]
    assert search("shipping").lessons


def test_reindex_writes_each_search_index_as_one_segment(settings):
    from django.core.management import call_command
    from django.db import connection

    from kb.importers.pipeline import import_document

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 segments exist on SQLite only")
    for path in sorted((settings.BASE_DIR / "samples").glob("*.txt"))[:4]:
        import_document(path.name, path.read_bytes(), publish=True)
    call_command("reindex", stdout=io.StringIO())
    assert all(len(segs) <= 1 for segs in _segments(connection).values()), _segments(connection)
    assert search("shipping").lessons


def test_the_search_page_runs_a_bounded_number_of_queries_whatever_the_data_size(
    client, django_assert_max_num_queries
):
    """Every kind of hit: lessons, takeaways, quotes, a line saying both words, a chapter
    saying them on different lines, a chapter found by its title alone. Which of the
    last two need their own lookup depends on which chapters rank best, so the count
    is bounded rather than fixed."""

    url = "/search/?q=budget+planning"
    budget_talks(1, titled=True)
    # The page cache's version; the five searches; lines saying the query (few here:
    # counted, then read), their visible chapters, their snippets; chapters and their
    # line ranges; lines saying both words; words looked up alone, then their lines;
    # title-only chapters' snippets; the lines around the moments (one query); the
    # lessons shown, their snippets, their themes (one query); themes for the filter.
    # Videos and people saying the words. By meaning: the vectors past this host's files
    # (one query, by primary key); the best few of each kind confirmed visible (one
    # query each); the quotes, chapters of the moments and videos found. Both rank
    # lessons, takeaways and quotes in an index first (FTS5's, PostgreSQL's terms
    # tables), then ask which among those are visible (by primary key) or load them;
    # SQLite then reads the quotes' snippets. PostgreSQL asks its planner how many
    # lines and chapters say the query, with the first query or a later one, and makes
    # the lessons' snippets in the query that loads them (kb.search.postgres): it asks
    # fewer.
    most = 33 if connection.vendor == "sqlite" else 27
    with django_assert_max_num_queries(most):
        body = client.get(url).content.decode()
    assert "Moments in the transcripts" in body
    budget_talks(9, titled=True)
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


@pytest.fixture
def every_word_common(monkeypatch):
    """Every query is said in more chapters than are ranked one by one, and in more
    lines than are read one by one: it is ranked by SQLite's chapter terms."""
    import kb.search
    from kb.search import sqlite as engine

    monkeypatch.setattr(kb.search.moments, "RARE_LINES", 0)  # chapters first
    monkeypatch.setattr(engine, "COMMON_CHAPTERS", 1)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's chapter terms (PostgreSQL: its own)"
)
def test_a_common_word_is_ranked_by_chapter_terms_which_follow_every_import(every_word_common):
    """A word too common to rank every chapter saying it is read from the chapter terms
    (their most-said words, stemmed): the chapter saying it most comes first, a word
    stemmed alike finds the same, and a re-import that changes what a chapter says
    moves it once the import ends."""
    video = VideoFactory()
    chapters = {}
    for n in (3, 1, 6, 2, 5, 4):
        chapter = ChapterFactory(video=video, title=f"Part {n}", start_seconds=n * 100)
        chapters[n] = chapter
        spoken(video, " ".join(["budget"] * n + ["other words here"] * (7 - n)), n * 100, chapter)
    tidy_index()

    def first_chapter(query="budget"):
        with CaptureQueriesContext(connection) as queries:
            moments = search(query).moments
        assert any("kb_chapterterm" in q["sql"] for q in queries.captured_queries)
        return moments[0].chapter

    assert first_chapter() == chapters[6]
    assert first_chapter("budgets") == chapters[6]
    segment = chapters[1].segments.get()
    segment.text = " ".join(["budget"] * 12)
    segment.save()
    refresh_chapter_texts(video)  # the import rewrites the chapter's text...
    tidy_index()  # ...and its end writes the terms of what it changed
    assert first_chapter() == chapters[1]
    video.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kb_chapterterm")
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's chapter terms (PostgreSQL: its own)"
)
def test_a_common_phrase_is_ranked_among_term_candidates_that_say_it(every_word_common):
    """A phrase (or several words) too common to rank every chapter saying it: the
    chapters whose terms say its words most, less those that never say the phrase
    itself, however often they say its words apart."""
    video = VideoFactory()
    chapters = {}
    for n in range(1, 6):
        chapters[n] = ChapterFactory(video=video, title=f"Part {n}", start_seconds=n * 100)
        spoken(video, " ".join(["big tech"] * n + ["other words"] * (6 - n)), n * 100, chapters[n])
    apart = ChapterFactory(video=video, title="Apart", start_seconds=900)
    spoken(video, " ".join(["big things and tech"] * 8), 900, apart)
    tidy_index()
    with CaptureQueriesContext(connection) as queries:
        moments = search('"big tech"').moments
    assert any("kb_chapterterm" in q["sql"] for q in queries.captured_queries)
    assert apart not in {m.chapter for m in moments}
    assert [m.chapter for m in moments] == [chapters[n] for n in (5, 4, 3, 2, 1)]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's chapter terms (PostgreSQL: its own)"
)
def test_common_words_rank_the_chapters_whose_terms_hold_them_all(every_word_common):
    """Several plain words too common to rank every chapter saying them: the chapters
    whose most-said words hold every one, by how much they say them, read from the
    chapter terms alone (no chapter's whole text is tested); a chapter saying one of
    the words most of all, and the other never, is not among them."""
    video = VideoFactory()
    chapters = {}
    for n in range(1, 7):
        chapters[n] = ChapterFactory(video=video, title=f"Part {n}", start_seconds=n * 100)
        said = ["budget review"] * n + ["other words"] * (7 - n)
        spoken(video, " ".join(said), n * 100, chapters[n])
    budget_only = ChapterFactory(video=video, title="Budgets", start_seconds=900)
    spoken(video, " ".join(["budget budget"] * 8), 900, budget_only)
    tidy_index()
    with CaptureQueriesContext(connection) as queries:
        moments = search("budget review").moments
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("kb_chapterterm" in q for q in sql)
    assert not any("kb_chaptertranscript_fts MATCH" in q and "rowid IN" in q for q in sql)
    shown = list(dict.fromkeys(m.chapter for m in moments))
    assert shown == [chapters[n] for n in (6, 5, 4, 3, 2)]


@pytest.fixture
def every_row_common(monkeypatch):
    """Every word is said in more lessons, takeaways and quotes than are ranked one by
    one: a plain word is ranked by SQLite's row terms."""
    from kb.search.sqlite import rows

    monkeypatch.setattr(rows, "COMMON_ROWS", 0)


def _ranked_by_terms(query: str, tables=("kb_lessonterm", "kb_takeawayterm", "kb_quoteterm")):
    """The search, and whether it ranked the `tables` of row terms."""
    with CaptureQueriesContext(connection) as queries:
        results = search(query)
    ranked = [q["sql"] for q in queries.captured_queries if "ORDER BY score DESC" in q["sql"]]
    return results, all(any(table in sql for sql in ranked) for table in tables)


def _said(word: str, times: int, other: int = 6) -> str:
    return " ".join([word] * times + ["other words here"] * other)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row terms")
def test_a_common_word_ranks_lessons_and_quotes_from_their_terms_as_bm25_would(
    every_row_common, monkeypatch
):
    """A word too common to rank every row saying it is read from the row terms: the
    lessons, takeaways and quotes come in the order bm25 gives them (a title's word
    outweighs a body's), a word stemmed alike or a prefix finds the same, and a lesson
    saying an excluded word is left out."""
    from kb.search.sqlite import rows

    video = VideoFactory()
    lessons = {
        n: LessonFactory(video=video, title=f"Lesson {n}", body=_said("budget", n))
        for n in (3, 1, 5, 2, 4)
    }
    titled = LessonFactory(video=video, title="Budget budget", body=_said("budget", 1))
    for n in (2, 4, 1):  # lessons found by their takeaways alone
        extra = LessonFactory(video=video, title=f"Extra {n}", body=_said("hiring", 2))
        TakeawayFactory(lesson=extra, text=_said("budget", n, 2))
        QuoteFactory(video=video, lesson=lessons[n], text=_said("budget", n, 3))
    tight = LessonFactory(video=video, title="Tight", body=_said("budget", 5) + " tight")
    tidy_index()

    results, by_terms = _ranked_by_terms("budget")
    assert by_terms
    order = [hit.lesson for hit in results.lessons[:12]]
    assert order.index(titled) < order.index(lessons[1])
    assert order.index(lessons[5]) < order.index(lessons[3]) < order.index(lessons[1])
    monkeypatch.setattr(rows, "COMMON_ROWS", 10**9)  # bm25 over every row
    by_bm25, read_terms = _ranked_by_terms("budget")
    assert not read_terms
    assert [hit.lesson for hit in by_bm25.lessons[:12]] == order
    assert [hit.quote for hit in by_bm25.quotes] == [hit.quote for hit in results.quotes]
    monkeypatch.setattr(rows, "COMMON_ROWS", 0)
    for same in ("budgets", "budg"):
        found, by_terms = _ranked_by_terms(same)
        assert by_terms and [hit.lesson for hit in found.lessons[:12]] == order, same
    found, by_terms = _ranked_by_terms("budget -tight")
    assert by_terms and tight not in [hit.lesson for hit in found.lessons[:10]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row terms")
def test_an_edited_lesson_is_ranked_by_its_new_words_before_its_terms_are_written(
    every_row_common,
):
    """The terms are written after imports; a lesson an editor changed since is ranked
    by what it says now, at once: found by its new words, first where it says them
    most, and never by its old ones. Deleted, its terms go with it."""
    video = VideoFactory()
    for n in (1, 2, 3):
        LessonFactory(video=video, title=f"Lesson {n}", body=_said("budget", n))
    edited = LessonFactory(video=video, title="Hiring", body=_said("hiring", 4))
    tidy_index()
    assert edited not in [hit.lesson for hit in search("budget").lessons[:10]]

    edited.title, edited.body = "Budget budget", _said("budget", 6)
    edited.save()
    results, by_terms = _ranked_by_terms("budget", ["kb_lessonterm"])
    assert by_terms and results.lessons[0].lesson == edited
    assert edited not in [hit.lesson for hit in search("hiring").lessons[:10]]
    tidy_index()  # the next import's end writes its terms
    assert search("budget").lessons[0].lesson == edited
    edited.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kb_lessonterm WHERE lesson_id = %s", [edited.pk])
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row terms")
def test_an_edit_writes_the_terms_of_what_it_changed_once_it_commits(
    django_capture_on_commit_callbacks,
):
    """An editor's save is followed, once committed, by the terms of the lesson and its
    takeaways (what the refresh after every edit does): none is left marked for the
    next import to write, and the terms say the new words."""
    lesson = LessonFactory(title="Hiring", body="hiring well")
    TakeawayFactory(lesson=lesson, text="hire slowly")
    tidy_index()
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title, lesson.body = "Budgets", "budget reviews every quarter"
        lesson.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kb_lessonterm_pending")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT lexeme FROM kb_lessonterm WHERE lesson_id = %s", [lesson.pk])
        said = {lexeme for (lexeme,) in cursor.fetchall()}
    assert {"budget", "review", "quarter"} <= said and "hire" not in said


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's lines (PostgreSQL: ts_rank)")
def test_of_lines_saying_a_rare_word_as_often_the_shorter_is_the_stronger_moment():
    """Few lines say the word: each is ranked, the line saying it most first; between
    lines saying it as often, the one saying little else (a denser line) comes first,
    wherever either is stored."""
    video = VideoFactory()
    chapters = [
        ChapterFactory(video=video, title=f"Part {n}", start_seconds=n * 100) for n in range(3)
    ]
    spoken(
        video, "and then we talked about the quokka and many other things besides", 5, chapters[0]
    )
    spoken(video, "the quokka", 105, chapters[1])
    spoken(video, "quokka quokka said twice here among some more words", 205, chapters[2])
    shown = [m.chapter for m in search("quokka").moments]
    assert shown == [chapters[2], chapters[1], chapters[0]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 (PostgreSQL plans)")
def test_a_phrase_no_line_says_costs_one_look_at_the_lines():
    """Words said apart but never as the phrase: the lines are counted once, not read."""
    video = VideoFactory()
    chapter = ChapterFactory(video=video, title="Intro", start_seconds=0)
    spoken(video, "asking around for some help", 5, chapter)
    with CaptureQueriesContext(connection) as queries:
        assert not search('"asking for help"').moments
    lines = [q for q in queries.captured_queries if "kb_transcriptsegment_fts MATCH" in q["sql"]]
    assert len(lines) == 1


def test_the_theme_filter_follows_a_new_or_renamed_theme_at_once(client):
    """The search page's list of themes is read once per content version: a theme
    added or renamed in the admin is in the very next search page's list."""
    ThemeFactory(name="Hiring")
    assert ">Hiring</option>" in client.get("/search/?q=anything").content.decode()
    ThemeFactory(name="Feedback")
    theme = ThemeFactory(name="Hiring")
    theme.name = "Hiring well"
    theme.save()
    body = client.get("/search/?q=anything").content.decode()
    assert ">Feedback</option>" in body and ">Hiring well</option>" in body
    assert ">Hiring</option>" not in body


def test_a_found_lessons_themes_follow_each_tag_and_rename_and_cost_no_query_once_kept(client):
    """Search results take each lesson's themes from what is kept per content version,
    not a query per page: tagged, untagged or renamed in the admin, the next search
    shows it."""
    lesson = LessonFactory(title="Budget planning")
    hiring, feedback = ThemeFactory(name="Hiring"), ThemeFactory(name="Feedback")
    lesson.tags.add(hiring)

    def chips():
        body = client.get("/search/?q=budget").content.decode()
        return body.split('aria-label="Themes"')[1].split("</ul>")[0]

    assert ">Hiring<" in chips()
    lesson.tags.add(feedback)
    lesson.tags.remove(hiring)
    shown = chips()
    assert ">Feedback<" in shown and ">Hiring<" not in shown
    feedback.name = "Feedback loops"
    feedback.save()
    assert ">Feedback loops<" in chips()
    with CaptureQueriesContext(connection) as warm:
        chips()
    themes = [q["sql"] for q in warm.captured_queries if "kb_lessontheme" in q["sql"]]
    assert themes == []


def test_in_a_chapter_found_chapters_first_the_line_saying_every_word_most_comes_first(
    monkeypatch,
):
    """Words too common to rank line by line: inside each chosen chapter, the lines
    saying every word come before those saying some, the one saying them most first
    (wherever it is in the chapter), then the earliest."""
    import kb.search

    monkeypatch.setattr(kb.search.moments, "RARE_LINES", 0)  # chapters first
    video = VideoFactory()
    chapter = ChapterFactory(video=video, start_seconds=0)
    lines = ["senior folks talk", "engineer impact matters", "a senior engineer with impact"]
    lines += ["filler words here"] * 20 + ["senior engineer impact, senior engineer impact"]
    for n, text in enumerate(lines):
        TranscriptSegmentFactory(
            video=video, chapter=chapter, text=text, start_seconds=n * 5, end_seconds=n * 5 + 4
        )
    refresh_chapter_texts(video)
    moments = search("senior engineer impact").moments
    assert [m.start_seconds for m in moments] == [5 * 2, 5 * 23]
    assert moments[1].snippet.count("<mark>") == 6


def test_a_moment_at_a_caption_fragment_shows_the_sentence_around_it(client):
    """A hit on a few words of captions is shown with the words before and after it,
    back to where its sentence starts and on to where it ends, escaped."""
    video = VideoFactory()
    chapter = ChapterFactory(video=video, start_seconds=0)
    lines = [
        "That was the end of it.",
        "So my advice is <b>simple</b>: when",
        "you are stuck for an hour,",
        "write down what you tried and",
        "ask for help before lunch.",
        "Then we moved on to something else entirely.",
    ]
    for n, text in enumerate(lines):
        TranscriptSegmentFactory(
            video=video, chapter=chapter, text=text, start_seconds=n * 3.0, end_seconds=n * 3.0 + 3
        )
    refresh_chapter_texts(video)
    page = client.get("/search/", {"q": "tried"}).content.decode()
    moment = re.search(r'<span class="snippet">(.*?)</span>', page, re.S).group(1)
    assert moment == (
        "So my advice is &lt;b&gt;simple&lt;/b&gt;: when you are stuck for an hour, "
        "write down what you <mark>tried</mark> and ask for help before lunch."
    )


def test_a_moment_is_cut_with_an_ellipsis_where_its_sentence_runs_on():
    from kb.search.moments import with_context

    shown = with_context(
        ["one two three four five six seven eight nine ten eleven twelve thirteen fourteen"],
        mark_safe("<mark>hit</mark>"),
        ["and on and on and on and on and on and on and on and on and on and on and on"],
        ends_sentence=False,
    )
    assert shown.startswith("… ") and shown.endswith("…")
    assert with_context([], mark_safe("<mark>Hit.</mark>"), ["Next one."], True) == (
        "<mark>Hit.</mark>"
    )


def test_the_search_page_has_one_search_box_and_other_pages_the_headers(client):
    assert client.get("/search/", {"q": "help"}).content.decode().count('role="search"') == 1
    home = client.get("/").content.decode()
    assert home.count('role="search"') == 1 and 'id="site-q"' in home


def test_a_question_in_everyday_words_is_read_as_its_content_words():
    """Contractions and question words are how a question is asked, not what it asks:
    "can't" is not a request for "can" and "t" side by side (which also turned meaning
    search off), and "how do I…" does not require "how" and "do"."""
    parsed = parse_query("why can't I get promoted when I'm ready")
    assert parsed.words == ["get", "promoted", "ready"] and parsed.phrases == []
    assert parse_query("how do I get promoted faster").words == ["get", "promoted", "faster"]
    # Alone, or quoted, a contraction is still searched for as said.
    assert parse_query("don't").phrases == [["don", "t"]]
    assert parse_query('"don\'t" quit').phrases == [["don", "t"]]


def test_a_question_with_a_contraction_finds_the_lesson_that_answers_it(client):
    video = VideoFactory()
    lesson = LessonFactory(
        video=video,
        title="Ask for the Raise You Are Owed",
        body="Bring market data on salaries and ask your manager for a raise before review season.",
    )
    meaning.index_lesson(lesson)
    body = client.get("/search/", {"q": "I'm underpaid: can't I ask for a raise?"}).content
    assert lesson.title in body.decode()


def test_lessons_by_meaning_are_shown_only_when_close_and_more_on_request(client):
    """Nothing close: no lesson fills the list. A question one lesson answers shows it,
    not the weaker ones with it; "More lessons close in meaning" shows those that are
    still close, never the unrelated."""
    lessons = {
        key: LessonFactory(title=title, body=body)
        for key, title, body in [
            ("raise", "Ask for the Raise You Are Owed",
             "Bring market data on salaries and ask your manager for a raise before review."),
            ("goals", "Pay Attention to What Your Manager Needs",
             "Ask what your manager needs this quarter."),
            ("salary", "Negotiate Your Salary Every Year",
             "Compare your pay with the market and ask for more each year."),
            ("oncall", "Keep a Written Incident Timeline",
             "During an outage, write down every action with its time."),
        ]
    }  # fmt: skip
    for lesson in lessons.values():
        meaning.index_lesson(lesson)

    def shown(**params) -> tuple[set[str], bool]:
        body = client.get("/search/", params).content.decode()
        found = {key for key, lesson in lessons.items() if lesson.title in body}
        return found, "More lessons close in meaning" in body

    assert shown(q="best pizza in naples") == (set(), False)
    assert shown(q="how do I get a raise") == ({"raise"}, True)
    assert shown(q="how do I get a raise", more="1") == ({"raise", "salary"}, False)
