"""A quote's own page and its clip: the words play from their start to their end."""

import pytest

from kb.models import Status
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote():
    video = VideoFactory(title="Staff <Eng> talk", youtube_id="abcdefghijk")
    chapter = ChapterFactory(video=video, title="On writing", start_seconds=3000)
    lesson = LessonFactory(video=video, chapter=chapter, title="Write it down")
    return QuoteFactory(
        video=video,
        chapter=chapter,
        lesson=lesson,
        speaker=PersonFactory(name="Zoë Ångström"),
        text="I write <b>every</b> decision down.",
        start_seconds=3165.4,
        end_seconds=3181.2,
        tags=[ThemeFactory(name="writing")],
    )


def test_a_quote_page_has_the_words_speaker_video_chapter_lesson_clip_and_moment(
    client, quote, django_assert_num_queries
):
    # The queries:
    #   the content version
    #   the published quote with its video, chapter, lesson and speaker (one join)
    #   its themes (prefetched)
    with django_assert_num_queries(3):
        response = client.get(f"/quotes/{quote.pk}/")
    html = response.content.decode()
    assert "I write &lt;b&gt;every&lt;/b&gt; decision down." in html
    assert f'href="{quote.speaker.get_absolute_url()}">Zoë Ångström</a>' in html
    assert "Staff &lt;Eng&gt; talk" in html and "On writing" in html
    assert f'href="{quote.lesson.get_absolute_url()}">Write it down</a>' in html
    assert 'href="/themes/writing/"' in html
    # The clip starts where the words start and stops after the last one.
    assert (
        'data-embed="https://www.youtube-nocookie.com/embed/abcdefghijk'
        '?autoplay=1&amp;start=3165&amp;end=3182"' in html
    )
    assert "52:45–53:01" in html
    assert "https://www.youtube.com/watch?v=abcdefghijk&amp;t=3165s" in html
    assert f'href="/videos/{quote.video.slug}/#quote-{quote.pk}"' in html
    assert "data-copy" in html and "<iframe" not in html


def test_every_quote_in_a_list_plays_its_own_clip_and_links_its_page(client, quote):
    html = client.get("/quotes/").content.decode()
    assert "start=3165&amp;end=3182" in html
    assert f'href="/quotes/{quote.pk}/" data-copy' in html
    # The video page's anchors stay.
    assert f'id="quote-{quote.pk}"' in client.get(quote.video.get_absolute_url()).content.decode()


def test_a_clip_without_a_youtube_id_is_a_moment_in_the_transcript(client):
    quote = QuoteFactory(video=VideoFactory(youtube_id=""), start_seconds=12, end_seconds=20)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "data-embed" not in html
    assert f"/videos/{quote.video.slug}/transcript/#t-12" in html


def test_draft_quotes_are_not_found_by_readers_and_previewed_by_editors(client, editor):
    draft = QuoteFactory(status=Status.DRAFT)
    in_draft_video = QuoteFactory(video=VideoFactory(status=Status.DRAFT))
    client.logout()
    for hidden in (draft, in_draft_video):
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get("/quotes/999999/").status_code == 404
    assert client.get("/quotes/nope/").status_code == 404
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_draft_lesson_is_never_named_beside_its_published_quote(client):
    lesson = LessonFactory(title="Secret draft lesson", status=Status.DRAFT)
    quote = QuoteFactory(video=lesson.video, lesson=lesson)
    for url in (quote.get_absolute_url(), "/quotes/", lesson.video.get_absolute_url()):
        assert "Secret draft lesson" not in client.get(url).content.decode(), url
    lesson.status = Status.PUBLISHED  # published, it is named beside its quote
    lesson.save()
    assert "Secret draft lesson" in client.get(quote.get_absolute_url()).content.decode()


def test_the_sitemap_lists_published_quote_pages_only(client):
    shown, draft = QuoteFactory(), QuoteFactory(status=Status.DRAFT)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert shown.get_absolute_url() in sitemap and draft.get_absolute_url() not in sitemap


def test_an_unchecked_passage_reads_as_sentences(client):
    """Issue 39: the machine's passage started mid-sentence in lower case ("live streamed
    the shooting of…"). It is shown cut at sentence bounds, cased as a sentence, with an
    ellipsis where it was cut; the words themselves are the transcript's."""
    from kb.models import QuoteSuggestion

    lesson = LessonFactory()
    QuoteSuggestion.objects.create(
        lesson=lesson, start_seconds=10, end_seconds=30,
        text="streamed the launch and i froze. Then i asked for help early. "
        "my manager said it was the right call and we",
    )  # fmt: skip
    page = client.get(lesson.get_absolute_url()).content.decode()
    passage = page[page.index("<blockquote><p>") : page.index("</p></blockquote>")]
    assert "Then I asked for help early." in passage
    assert "streamed the launch" not in passage  # the fragment before the first sentence
    assert passage.endswith(
        "Then I asked for help early. My manager said it was the right call and we …"
    )
