"""The transcript page as a reader meets it without JavaScript: the chapter index with the
lessons said in each chapter, chapters and parts closed around every line, find falling back
to the site's search, and the way back to the lesson a moment link came from."""

import re

import pytest

from kb.models import Status
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    PersonFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def long_talk(minutes=20):
    """A talk of `minutes`: two chapters, a caption line every few seconds."""
    video = VideoFactory(slug="talk", youtube_id="", duration_seconds=minutes * 60)
    intro = ChapterFactory(video=video, title="Intro", start_seconds=0)
    promo = ChapterFactory(video=video, title="Staff promo", start_seconds=minutes * 30)
    for second in range(0, minutes * 60, 4):
        TranscriptSegmentFactory(
            video=video, start_seconds=second, end_seconds=second + 4, text=f"words at {second}"
        )
    return video, intro, promo


def test_the_index_lists_each_chapter_with_the_lessons_said_in_it(client):
    video, intro, promo = long_talk()
    lesson = LessonFactory(video=video, chapter=promo, title="Ask for scope", start_seconds=700)
    LessonFactory(video=video, chapter=promo, title="Unpublished idea", status=Status.DRAFT)
    body = client.get("/videos/talk/transcript/").content.decode()
    index = body[body.index('<nav class="toc"') : body.index("</nav>", body.index("toc"))]
    assert '<a href="#ch-1"><span class="time">0:00</span> Intro</a>' in index
    assert re.search(r'href="#ch-2">.*Staff promo</a><span class="said"> · <a href="[^"]+">', index)
    assert f'href="{lesson.get_absolute_url()}">Ask for scope</a>' in index
    assert "Unpublished idea" not in body


def test_every_line_is_on_the_page_inside_closed_chapters_and_parts(client):
    video, *_ = long_talk()
    body = client.get("/videos/talk/transcript/").content.decode()
    assert len(re.findall(r'class="seg">(?:<span id="[^"]+"></span>)*words at', body)) == 300
    assert body.count('<details class="chapter"') == 2
    # A reader opens a part of a minute or two, not a chapter of ten minutes at once.
    assert body.count('<details class="part">') >= 10
    assert " open" not in re.sub(r"opens?\b", "", body.split("<main", 1)[1])
    # Each part ends with the way on to the next one.
    assert body.count("Read on from") == body.count('<details class="part">') - 1


def test_speakers_are_named_at_the_start_of_each_part_and_where_they_change(client):
    video, *_ = long_talk(minutes=4)
    ada = PersonFactory(name="Ada Guest")
    video.segments.filter(start_seconds__gte=100).update(speaker=ada)
    body = client.get("/videos/talk/transcript/").content.decode()
    # Where she starts (1:40, in the part from 1:30), then at each part she speaks in
    # after it (from 2:00, the next chapter's, and from 3:30), whichever a reader opens.
    assert body.count(">Ada Guest</a>:") == 3


def test_find_without_javascript_asks_the_site_search_narrowed_to_this_video(client):
    long_talk()
    body = client.get("/videos/talk/transcript/").content.decode()
    form = body[body.index('<form class="find"') : body.index("</form>", body.index("find"))]
    assert 'action="/search/"' in form
    assert '<input type="hidden" name="video" value="talk">' in form
    assert 'name="q"' in form


def test_a_lessons_moment_link_opens_the_transcript_with_the_way_back(client):
    video, _, promo = long_talk()
    lesson = LessonFactory(
        video=video, chapter=promo, title="Ask <b>for</b> scope", start_seconds=701.5
    )
    page = client.get(lesson.get_absolute_url()).content.decode()
    link = f"/videos/talk/transcript/?from={lesson.slug}#t-701"
    assert f'href="{link}"' in page
    assert "read it in the transcript at" in page
    body = client.get(link).content.decode()
    back = re.search(r'<p class="back-to-lesson"><a href="([^"]+)">([^<]+)</a>', body)
    assert back[1] == lesson.get_absolute_url()
    assert back[2] == "← Back to the lesson “Ask &lt;b&gt;for&lt;/b&gt; scope”"
    assert 'id="t-701"' in body


def test_the_way_back_is_offered_only_for_a_lesson_of_this_video_a_reader_may_see(client):
    video, *_ = long_talk()
    draft = LessonFactory(video=video, status=Status.DRAFT)
    elsewhere = LessonFactory()
    for slug in (draft.slug, elsewhere.slug, "no-such-lesson", ""):
        response = client.get(f"/videos/talk/transcript/?from={slug}")
        # The page without it (a browser keeps the #t- fragment across the redirect), so a
        # made-up value is never kept in the page cache.
        assert response.status_code == 302, slug
        assert response["Location"] == "/videos/talk/transcript/"


def test_moment_links_to_youtube_say_watch_and_carry_no_way_back(client):
    video = VideoFactory(youtube_id="dQw4w9WgXcQ")
    lesson = LessonFactory(video=video, start_seconds=90)
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "watch at" in page
    assert "from=" not in page
    assert "read it in the transcript" not in page


def test_the_transcript_page_runs_the_same_queries_for_a_longer_talk(
    client, django_assert_num_queries
):
    video, _, promo = long_talk(minutes=4)
    lesson = LessonFactory(video=video, chapter=promo, start_seconds=130)
    url = f"/videos/talk/transcript/?from={lesson.slug}"
    # The queries, however long the talk:
    #   the content version
    #   the published video, by slug
    #   its published lessons (their moments and index links, and the one the reader
    #     came from)
    #   the published lessons' takeaways (their moments)
    #   its published quotes (their moments)
    #   the accepted quote suggestions of its lessons (their moments)
    #   its chapters
    #   its lines, with their speakers
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    for second in range(240, 3600, 4):
        TranscriptSegmentFactory(video=video, start_seconds=second, end_seconds=second + 4)
    ChapterFactory(video=video, title="Later", start_seconds=1800)
    LessonFactory(video=video, start_seconds=2000)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
