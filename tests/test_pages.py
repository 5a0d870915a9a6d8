"""The reading site: every public page, what it lists, drafts, moments, escaping, queries."""

import datetime
import itertools
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from kb.models import Lesson, Role, Status
from tests.factories import (
    ChapterFactory,
    CreditFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


YOUTUBE_IDS = (f"vid{n:08d}" for n in itertools.count())


def build(n, themes=None):
    """n published videos, each with 2 chapters, 3 lessons (2 themes each), 2 quotes, segments,
    a guest (one of two people) and a host, one lesson given by the host."""
    themes = themes or [ThemeFactory(name="promotion"), ThemeFactory(name="leadership")]
    guests = [PersonFactory(name="Ada Guest"), PersonFactory(name="Bo Guest")]
    host = PersonFactory(name="Cy Host")
    for i in range(n):
        video = VideoFactory(youtube_id=next(YOUTUBE_IDS) if i % 2 else "")
        CreditFactory(video=video, person=guests[i % 2])
        CreditFactory(video=video, person=host, role=Role.HOST)
        chapters = [ChapterFactory(video=video, start_seconds=s) for s in (0, 600)]
        for j in range(3):
            lesson = LessonFactory(video=video, chapter=chapters[j % 2], tags=themes)
            TakeawayFactory(lesson=lesson, start_seconds=60.0 * j)
            TakeawayFactory(lesson=lesson)
        lesson.people.add(host)
        for _ in range(2):
            QuoteFactory(
                video=video, lesson=lesson, chapter=chapters[0], tags=themes[:1],
                speaker=guests[i % 2],
            )  # fmt: skip
        for s in range(4):
            TranscriptSegmentFactory(video=video, chapter=chapters[s % 2], start_seconds=s * 300.5)
    return themes


# Pages and the most queries each may run, whatever the data's size. Each also reads the
# content version first, for the page cache (listed where the list is whole, counted in
# every number); the lists with one query a line are as captured at both sizes. What is
# kept per content version (kb.kept) is read by the first request of a version, as here.
PAGES = {
    #   the content version (the page cache's key)
    #   the six newest published videos, with their counts
    #   the published lessons and quotes of each theme (kept per version)
    #   how many published lessons the lesson of the day walks
    #   today's lesson (the one at its place in that walk), with its video
    #   the themes in use, with those counts
    #   the featured lessons (each recent video's first), with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    "home": (lambda: reverse("kb:home"), 10),
    #   the content version
    #   how many published lessons the lesson of the day walks
    #   today's lesson (the one at its place in that walk), with video and chapter
    #   its themes (prefetched)
    #   its own people (prefetched)
    #   its video's guests (prefetched)
    #   its takeaways (prefetched)
    #   its published quotes, with video, lesson and speaker (prefetched)
    "daily": (lambda: reverse("kb:daily"), 8),
    #   the content version
    #   how many published lessons each day's pick walks (all days at once)
    #   each day's lesson, all at once, with video and chapter
    #   their takeaways (prefetched)
    "daily feed": (lambda: reverse("kb:daily-feed"), 4),
    #   the content version
    #   the published lessons and quotes of each theme (kept per version)
    #   the themes in use, with those counts
    "themes": (lambda: reverse("kb:themes"), 3),
    #   the content version
    #   the theme, by slug
    #   the neighbouring themes, with the published lessons each shares with it
    #   who gives each of its published lessons: their own people...
    #   ... and their videos' guests (what each guest says)
    #   the guests' lessons, with video, chapter and their published quotes' count
    #   the guests
    #   the published lessons and quotes of each theme (kept per version: the count)
    #   the theme's published insights, with their counts (none here: no themes of theirs)
    #   the page of its lessons, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    #   its published quotes, with video, chapter, lesson and speaker
    "theme": (lambda: reverse("kb:theme", args=["promotion"]), 15),
    #   the content version
    #   the theme, by slug
    #   the person asked for, by slug
    #   the neighbouring themes, with the published lessons each shares with it
    #   how many published lessons of theirs are under it
    #   the page of them, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    #   the published quotes they said under it, with video, chapter, lesson and speaker
    "theme by person": (lambda: reverse("kb:theme", args=["promotion"]) + "?person=ada-guest", 11),
    # One query a line, after the content version:
    #   the themes asked for, by slug
    #   the person asked for, by slug
    #   how many published lessons match
    #   the page of them, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    "lessons": (
        lambda: reverse("kb:lessons") + "?tag=promotion&tag=leadership&person=ada-guest",
        8,
    ),
    #   the published lesson, by slug, with video and chapter
    #   its themes (prefetched)
    #   its own people (prefetched)
    #   its video's guests (prefetched)
    #   its takeaways (prefetched)
    #   its published quotes, with video and speaker
    #   its open quote suggestions
    #   the published lessons sharing the most of its themes (one grouped query)
    #   the related lessons shown
    #   the published insights it is evidence of
    "lesson": (lambda: _first_lesson_url(), 11),
    #   how many people have anything published
    #   the page of them, with their counts
    "people": (lambda: reverse("kb:people"), 3),
    #   the person, by slug
    #   whether they have anything published
    #   their credits, with the videos and whether they speak in each transcript
    #   how many published lessons are theirs
    #   the themes of those lessons
    #   the published insights their lessons support
    #   the page of their lessons, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    #   the published quotes they said, with video, chapter and lesson
    "person": (lambda: reverse("kb:person", args=["ada-guest"]), 12),
    #   the person, by slug, if anything of theirs is published
    #   their published lessons, with video and chapter
    #   those lessons' takeaways (prefetched)
    "person feed": (lambda: reverse("kb:person-feed", args=["ada-guest"]), 4),
    #   the person asked for, by slug
    #   how many published quotes they said
    #   the page of them, with video, speaker, chapter and lesson
    "quotes": (lambda: reverse("kb:quotes") + "?person=ada-guest", 4),
    #   how many videos are published
    #   the page of them, with their counts
    "videos": (lambda: reverse("kb:videos"), 3),
    #   the published video, by slug
    #   its chapters
    #   its credits, with the people
    #   its published lessons, with their chapters
    #   those lessons' themes (prefetched)
    #   its published quotes, with lesson and speaker
    "video": (lambda: _first_video_url(), 7),
    #   the published video, by slug
    #   its published lessons (their moments, the index's "said here" links)
    #   their takeaways (their moments)
    #   its published quotes (their moments)
    #   the accepted quote suggestions of its lessons (their moments)
    #   its chapters
    #   its lines, with their speakers
    "transcript": (lambda: _first_video_url() + "transcript/", 8),
    # ... arriving from a lesson's moment link: the lesson comes from the same lessons
    "transcript from a lesson": (lambda: _first_lesson_transcript_url(), 8),
    # themes for the filter; lessons; takeaways; quotes; chapters; the lessons found,
    # with their snippets; videos and people by words; by meaning: visible lessons,
    # quotes, chapters and videos, all vectors (one query), the videos found (moments:
    # test_search.py's bounded-queries test); and, in the first search of a content
    # version, which lessons and takeaways readers may see (in place of looking up
    # the best few: later searches make two queries fewer), the published lessons'
    # themes and the themes themselves
    "search": (lambda: reverse("kb:search") + "?q=Lesson", 19),
    # ... narrowed to a person: the person first (and no videos or people)
    "search by person": (lambda: reverse("kb:search") + "?q=Lesson&person=ada-guest", 15),
    #   the newest published lessons, with video and chapter
    #   their takeaways (prefetched)
    "feed": (lambda: reverse("kb:lessons-feed"), 3),
    #   the content version
    #   the theme, by slug
    #   its newest published lessons, with video and chapter
    #   their takeaways (prefetched)
    #   its newest published insights, with their counts
    "theme feed": (lambda: reverse("kb:theme-feed", args=["promotion"]), 5),
}


def _first_lesson_url():
    from kb.models import Lesson

    return Lesson.objects.published().order_by("pk").first().get_absolute_url()


def _first_lesson_transcript_url():
    lesson = Lesson.objects.published().filter(video__status=Status.PUBLISHED).first()
    return f"{lesson.video.get_absolute_url()}transcript/?from={lesson.slug}"


def _first_video_url():
    from kb.models import Video

    return Video.objects.published().order_by("pk").first().get_absolute_url()


@pytest.mark.parametrize("name", PAGES)
def test_each_page_runs_the_same_few_queries_whatever_the_data_size(
    name, client, django_assert_max_num_queries, django_assert_num_queries
):
    make_url, limit = PAGES[name]
    if name.startswith("search"):
        # SQLite counts the lessons, takeaways and quotes saying a single word (one
        # query) and the lines saying the query before reading them, and makes the
        # lessons' snippets after loading them; PostgreSQL sends its first questions
        # together, then asks its planner how many chapters say the query
        # (kb.search.sqlite, kb.search.postgres).
        limit += 3 if connection.vendor == "sqlite" else 1
    themes = build(2)
    url = make_url()
    with django_assert_max_num_queries(limit) as small:
        assert client.get(url).status_code == 200
    build(5, themes)
    if name.startswith("search"):
        # Search by meaning only fills places the words left: with more found, fewer
        # lookups (never more).
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200
    else:
        with django_assert_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200
    # The theme page has three parts: insights, what each guest says, all its lessons.
    assert limit <= (27 if name.startswith("search") else 15 if name == "theme" else 12)


def test_sitemap_lists_published_pages_only(client):
    live = LessonFactory()
    hidden = LessonFactory(status=Status.DRAFT)
    hidden_video = VideoFactory(status=Status.DRAFT)
    body = client.get("/sitemap.xml").content.decode()
    assert live.get_absolute_url() in body
    assert live.video.get_absolute_url() in body
    assert hidden.get_absolute_url() not in body
    assert hidden_video.get_absolute_url() not in body


def test_drafts_are_absent_everywhere_a_reader_looks(client):
    theme = ThemeFactory(name="promotion")
    live = LessonFactory(title="Visible lesson", tags=[theme])
    draft = LessonFactory(title="Secret draft lesson", status=Status.DRAFT, tags=[theme])
    draft_video = VideoFactory(title="Secret draft video", status=Status.DRAFT)
    in_draft_video = LessonFactory(title="Lesson of a draft video", video=draft_video, tags=[theme])
    QuoteFactory(text="A secret draft quote", status=Status.DRAFT, video=live.video, tags=[theme])
    QuoteFactory(text="Quote in a draft video", video=draft_video, tags=[theme])
    TranscriptSegmentFactory(video=draft_video, text="secret transcript words")
    urls = [
        "/",
        "/themes/",
        "/themes/promotion/",
        "/lessons/",
        "/lessons/?tag=promotion",
        "/quotes/",
        "/videos/",
        live.get_absolute_url(),
        live.video.get_absolute_url(),
        live.video.get_absolute_url() + "transcript/",
        "/search/?q=secret",
        "/search/?q=draft",
        "/feeds/lessons/",
        "/themes/promotion/feed/",
        "/sitemap.xml",
    ]
    lists_lessons = {
        "/themes/promotion/",
        "/lessons/",
        "/lessons/?tag=promotion",
        "/feeds/lessons/",
        "/themes/promotion/feed/",
        live.video.get_absolute_url(),
    }
    for url in urls:
        body = client.get(url).content.decode()
        for secret in ("Secret draft", "draft video", "secret draft quote", "secret transcript"):
            assert secret.lower() not in body.lower(), (url, secret)
        if url in lists_lessons:  # the published lesson beside them is there
            assert "Visible lesson" in body, url
    for url in (
        draft.get_absolute_url(),
        in_draft_video.get_absolute_url(),
        draft_video.get_absolute_url(),
        draft_video.get_absolute_url() + "transcript/",
    ):
        assert client.get(url).status_code == 404
    # The same routes answer for what is published.
    for url in (live.get_absolute_url(), live.video.get_absolute_url() + "transcript/"):
        assert client.get(url).status_code == 200, url


def test_counts_include_published_items_only(client):
    theme = ThemeFactory(name="promotion")
    LessonFactory(tags=[theme])
    LessonFactory(tags=[theme])
    LessonFactory(tags=[theme], status=Status.DRAFT)
    LessonFactory(tags=[theme], video=VideoFactory(status=Status.DRAFT))
    QuoteFactory(tags=[theme])
    QuoteFactory(tags=[theme], status=Status.DRAFT)
    body = client.get("/themes/").content.decode()
    assert "2 lessons · 1 quote" in body


def test_staff_preview_a_draft_marked_and_never_cached_or_indexed(client):
    draft = LessonFactory(title="Work in progress", status=Status.DRAFT)
    staff = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft preview" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    live = client.get(LessonFactory().get_absolute_url())
    assert "X-Robots-Tag" not in live and "Draft preview" not in live.content.decode()


def test_moment_links_go_to_youtube_when_the_id_is_known(client):
    video = VideoFactory(youtube_id="dQw4w9WgXcQ", transcript_exact=True)
    lesson = LessonFactory(video=video, start_seconds=3165.7)
    body = client.get(lesson.get_absolute_url()).content.decode()
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=3165s"' in body
    assert "watch at 52:45" in body
    assert "≈52:45" not in body


def test_moment_links_go_to_the_transcript_anchor_otherwise(client):
    video = VideoFactory(youtube_id="", slug="staff-eng")
    lesson = LessonFactory(video=video, start_seconds=4322.2)
    TranscriptSegmentFactory(video=video, start_seconds=4320.0, end_seconds=4324.0)
    body = client.get(lesson.get_absolute_url()).content.decode()
    # (with the lesson it leaves from, which the transcript offers the way back to)
    assert f'href="/videos/staff-eng/transcript/?from={lesson.slug}#t-4322"' in body
    assert "read it in the transcript at ≈1:12:02" in body  # it plays nothing: it says so
    assert "watch at" not in body
    assert "≈1:12:02" in body  # an estimated moment says so
    transcript = client.get("/videos/staff-eng/transcript/").content.decode()
    assert 'id="t-4322"' in transcript  # the link lands inside the segment saying it


def test_transcript_anchors_are_unique_and_on_the_first_element_of_each_second(client):
    video = VideoFactory(slug="talk")
    ChapterFactory(video=video, title="Intro", start_seconds=0)
    ChapterFactory(video=video, title="Promo", start_seconds=10)
    for start in (0.0, 0.6, 3.2, 3.9, 10.0, 10.4, 12.0):
        TranscriptSegmentFactory(video=video, start_seconds=start, end_seconds=start + 0.5)
    body = client.get("/videos/talk/transcript/").content.decode()
    ids = re.findall(r'id="(t-\d+)"', body)
    assert ids == ["t-0", "t-3", "t-10", "t-12"]
    assert re.search(r'<h2 id="t-0" class="seg-chapter">.*Intro', body)
    assert re.search(r'<h2 id="t-10" class="seg-chapter">.*Promo', body)
    assert "≈0:10" in body  # a paragraph of estimated lines says its time is estimated


def test_imported_text_is_escaped_everywhere(client):
    evil = '<script>alert("x")</script>'
    theme = ThemeFactory(name="promotion")
    video = VideoFactory(title=f"Video {evil}", channel=evil, headline=evil, resources=[evil])
    lesson = LessonFactory(
        video=video, title=f"Lesson {evil}", body=f"- {evil}\n\n{evil}", tags=[theme]
    )
    TakeawayFactory(lesson=lesson, text=evil)
    QuoteFactory(video=video, lesson=lesson, text=evil, speaker_name=evil, tags=[theme])
    TranscriptSegmentFactory(video=video, text=f"said {evil}")
    ChapterFactory(video=video, title=evil)
    for url in (
        "/",
        "/themes/promotion/",
        "/lessons/",
        lesson.get_absolute_url(),
        video.get_absolute_url(),
        video.get_absolute_url() + "transcript/",
        "/quotes/",
        "/videos/",
        f"/search/?q={evil}",
        "/search/?q=said",
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        if url not in ("/", "/search/?q=said"):  # the pages that show the lesson: escaped
            assert "&lt;script&gt;alert" in body, url
    feed = client.get("/feeds/lessons/").content.decode()
    assert "<script>alert" not in feed
    assert "&lt;script&gt;alert" in feed


def test_lessons_filter_keeps_lessons_having_every_tag(client):
    a, b = ThemeFactory(name="alpha"), ThemeFactory(name="beta")
    LessonFactory(title="Both themes", tags=[a, b])
    LessonFactory(title="Only alpha", tags=[a])
    body = client.get("/lessons/?tag=alpha&tag=beta").content.decode()
    assert "Both themes" in body and "Only alpha" not in body
    body = client.get("/lessons/?tag=alpha").content.decode()
    assert "Both themes" in body and "Only alpha" in body
    body = client.get("/lessons/?tag=alpha&tag=nope").content.decode()
    assert "No theme is called “nope”" in body and "Only alpha" not in body


def test_lessons_filter_by_video(client):
    one = LessonFactory(title="From one")
    LessonFactory(title="From another")
    body = client.get(f"/lessons/?video={one.video.slug}").content.decode()
    assert "From one" in body and "From another" not in body


def test_theme_page_lists_lessons_newest_video_first_and_narrows_by_a_second_theme(client):
    promo, lead = ThemeFactory(name="promotion"), ThemeFactory(name="leadership")
    old = LessonFactory(
        title="Older advice", tags=[promo], video=VideoFactory(published_on="2020-01-01")
    )
    new = LessonFactory(
        title="Newer advice", tags=[promo, lead], video=VideoFactory(published_on="2025-01-01")
    )
    body = client.get("/themes/promotion/").content.decode()
    assert body.index(new.title) < body.index(old.title)
    assert 'href="?and=leadership"' in body
    narrowed = client.get("/themes/promotion/?and=leadership").content.decode()
    assert "Newer advice" in narrowed and "Older advice" not in narrowed


def test_theme_pages_paginate(client):
    theme = ThemeFactory(name="promotion")
    for n in range(25):
        LessonFactory(title=f"Advice number {n}", tags=[theme])
    first = client.get("/themes/promotion/").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get("/themes/promotion/?page=2").content.decode()
    assert second.count('class="item"') == 5
    # Its count is the theme's, kept per content version: drafts never count, and an
    # unpublish shows at once.
    LessonFactory(title="A draft", tags=[theme], status=Status.DRAFT)
    LessonFactory(title="In a draft video", tags=[theme], video=VideoFactory(status=Status.DRAFT))
    assert client.get("/themes/promotion/?page=2").content.decode().count('class="item"') == 5
    for lesson in Lesson.objects.published().under(theme)[:5]:
        lesson.status = Status.DRAFT
        lesson.save()
    narrowed = client.get("/themes/promotion/").content.decode()
    assert "Page 1 of 2" not in narrowed and narrowed.count('class="item"') == 20


def test_lesson_page_shows_body_takeaways_quotes_chapter_and_related(client):
    theme = ThemeFactory(name="promotion")
    video = VideoFactory(youtube_id="dQw4w9WgXcQ")
    chapter = ChapterFactory(video=video, title="Staff promo", start_seconds=3165)
    lesson = LessonFactory(
        video=video,
        chapter=chapter,
        body="Intro paragraph.\n\n1. First step\n2. Second step\n\n- a bullet",
        tags=[theme],
    )
    TakeawayFactory(lesson=lesson, text="Focus on impact.", start_seconds=3200.0)
    QuoteFactory(video=video, lesson=lesson, text="Impact matters more than complexity.")
    LessonFactory(title="Sharing a theme", tags=[theme])
    LessonFactory(title="Sharing nothing")
    body = client.get(lesson.get_absolute_url()).content.decode()
    assert "<p>Intro paragraph.</p>" in body
    assert "<ol><li>First step</li><li>Second step</li></ol>" in body
    assert "<ul><li>a bullet</li></ul>" in body
    assert "Focus on impact." in body and "t=3200s" in body
    assert "Impact matters more than complexity." in body
    assert "Staff promo" in body
    assert "Sharing a theme" in body and "Sharing nothing" not in body


def test_video_page_has_facts_timeline_chapters_lessons_quotes_and_a_player(client):
    video = VideoFactory(title="Staff Eng", youtube_id="dQw4w9WgXcQ", duration_seconds=7036)
    ChapterFactory(video=video, title="Intro", start_seconds=0)
    ChapterFactory(video=video, title="Staff promo", start_seconds=3165)
    lesson = LessonFactory(video=video, title="Impact first", start_seconds=3518.0)
    QuoteFactory(video=video, text="It was simple.", start_seconds=3600.0, end_seconds=3605.0)
    body = client.get(video.get_absolute_url()).content.decode()
    assert "1:57:16" in body
    assert "<svg" in body
    assert (
        f'<a href="{lesson.get_absolute_url()}"><title>58:38 Lesson: Impact first</title>' in body
    )
    assert 'x="50.0%"' in body  # the lesson marker sits at half the video's length
    assert (
        'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=0"'
        in (body)
    )
    assert "<iframe" not in body  # the player loads only when asked
    assert "Staff promo" in body and "It was simple." in body


def test_feeds_are_atom_with_published_lessons(client):
    theme = ThemeFactory(name="promotion")
    LessonFactory(title="On the feed", tags=[theme])
    LessonFactory(title="Not themed")
    LessonFactory(title="Draft off the feed", status=Status.DRAFT, tags=[theme])
    feed = client.get("/feeds/lessons/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "On the feed" in feed.content.decode()
    assert "Draft off the feed" not in feed.content.decode()
    themed = client.get("/themes/promotion/feed/").content.decode()
    assert "On the feed" in themed and "Not themed" not in themed


def test_robots_healthz_and_not_found(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.content.decode().splitlines() == ["ok", "database: ok", "cache: ok"]
    missing = client.get("/lessons/no-such-lesson/")
    assert missing.status_code == 404
    assert "Not found" in missing.content.decode()


def test_every_page_has_title_description_canonical_and_open_graph(client):
    lesson = LessonFactory(title="Ask early")
    body = client.get(lesson.get_absolute_url()).content.decode()
    assert "<title>Ask early · Career lessons</title>" in body
    assert '<meta name="description"' in body
    assert f'<link rel="canonical" href="http://testserver{lesson.get_absolute_url()}">' in body
    assert '<meta property="og:title" content="Ask early">' in body


def test_search_echoes_the_query_safely_and_has_an_empty_state(client):
    body = client.get("/search/?q=%22%3E%3Cb%3Ehi").content.decode()
    assert "&quot;&gt;&lt;b&gt;hi" in body
    assert "Nothing matches" in body
    assert "Try something someone might have said" in client.get("/search/").content.decode()


def test_a_themes_neighbours_count_published_lessons_shared_and_follow_every_change(client):
    theme, often, once = (ThemeFactory(name=n) for n in ("promotion", "writing", "hiring"))
    hidden = ThemeFactory(name="secret")
    LessonFactory(tags=[theme, often])
    LessonFactory(tags=[theme, often, once])
    LessonFactory(tags=[theme, hidden], status=Status.DRAFT)
    LessonFactory(tags=[often, once])  # not on the theme
    html = client.get(theme.get_absolute_url()).content.decode()
    chips = re.findall(r'href="\?and=([\w-]+)">[^<]+<span class="count">(\d+)</span>', html)
    assert chips == [("writing", "2"), ("hiring", "1")]
    lesson = LessonFactory(tags=[theme, once])
    LessonFactory(tags=[theme, once])
    html = client.get(theme.get_absolute_url()).content.decode()
    chips = re.findall(r'href="\?and=([\w-]+)">[^<]+<span class="count">(\d+)</span>', html)
    assert chips == [("hiring", "3"), ("writing", "2")]
    lesson.status = Status.DRAFT
    lesson.save()
    html = client.get(theme.get_absolute_url()).content.decode()
    chips = re.findall(r'href="\?and=([\w-]+)">[^<]+<span class="count">(\d+)</span>', html)
    assert chips == [("hiring", "2"), ("writing", "2")]


def test_related_lessons_share_the_most_themes_and_follow_every_change(client):
    promo, lead, help_ = (ThemeFactory(name=n) for n in ("promotion", "leadership", "help"))
    lesson = LessonFactory(title="The lesson", tags=[promo, lead])
    both = LessonFactory(title="Shares both", tags=[promo, lead])
    one = LessonFactory(title="Shares one", tags=[lead])
    LessonFactory(title="Shares none", tags=[help_])
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert page.index("Shares both") < page.index("Shares one") and "Shares none" not in page
    both.status = Status.DRAFT
    both.save()
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "Shares both" not in page and "Shares one" in page
    LessonFactory(title="Newly filed", tags=[promo, lead])
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert page.index("Newly filed") < page.index("Shares one")
    assert one.title in page


def test_the_home_pages_recent_lessons_come_from_several_talks(client):
    """Issue 39: they all came from the newest video."""
    videos = [
        VideoFactory(title=f"Talk {n}", published_on=datetime.date(2024, 1, n + 1))
        for n in range(3)
    ]
    for video in videos:
        for position in range(4):
            LessonFactory(video=video, position=position, title=f"{video.title}, part {position}")
    page = client.get(reverse("kb:home")).content.decode()
    assert all(f"{video.title}, part 0" in page for video in videos)
    assert "part 1" not in page


def test_a_chapters_start_is_not_shown_as_an_estimate(client):
    """A chapter's start is what the page states; only lines inside it are estimated."""
    video = VideoFactory(transcript_exact=False)
    ChapterFactory(video=video, start_seconds=754, title="Finding a mentor")
    page = client.get(video.get_absolute_url()).content.decode()
    chapter = re.search(r'<a class="moment[^"]*"[^>]*>.*?</a> Finding a mentor', page)[0]
    assert "12:34" in chapter and "≈" not in chapter and "estimate" not in chapter


def test_a_lessons_people_are_followed_by_no_stray_space(client):
    lesson = LessonFactory()
    lesson.people.add(PersonFactory(name="Evan King"))
    for url in (lesson.get_absolute_url(), reverse("kb:daily")):
        page = client.get(url).content.decode()
        assert "Evan King</a> ," not in page and "Evan King</a>\n," not in page
    assert "Evan King</a></span>, in" in client.get(lesson.get_absolute_url()).content.decode()


def test_themes_sort_as_readers_read_them(client, editor):
    for name in ("Prioritization", "asking for help", "Burnout", "career advice"):
        LessonFactory(tags=[ThemeFactory(name=name)])
    body = client.get("/themes/").content.decode()
    positions = [body.index(f">{name}<") for name in ("asking for help", "Burnout")]
    positions += [body.index(f">{name}<") for name in ("career advice", "Prioritization")]
    assert positions == sorted(positions)
    admin_list = client.get("/admin/kb/theme/").context["cl"].result_list
    names = [t.name for t in admin_list if t.name in {"Prioritization", "asking for help"}]
    assert names == ["asking for help", "Prioritization"]
