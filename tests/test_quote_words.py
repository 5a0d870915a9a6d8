"""A quote's times follow its words (issue 14): editing its text re-anchors it, and a
quote can be cut from any word to any word of the transcript."""

import pytest

from kb.models import Quote
from tests.factories import ChapterFactory, QuoteFactory, TranscriptSegmentFactory, VideoFactory
from tests.forms import form_data
from tests.helpers import shown

pytestmark = pytest.mark.django_db

LINES = [
    (100.0, 104.0, "so that was the payments team and"),  # 7 words
    (104.0, 108.0, "then I learned to ask for help"),  # 7 words
    (108.0, 112.0, "after thirty minutes stuck every single time"),  # 7 words
    (112.0, 116.0, "and my manager loved that habit"),  # 6 words
]


@pytest.fixture
def transcript():
    video = VideoFactory(duration_seconds=600)
    chapter = ChapterFactory(video=video, start_seconds=0)
    segments = [
        TranscriptSegmentFactory(
            video=video, chapter=chapter, start_seconds=a, end_seconds=b, text=t, exact=True
        )
        for a, b, t in LINES
    ]
    return video, segments


def edit(client, quote, **changes):
    url = f"/admin/kb/quote/{quote.pk}/change/"
    data = form_data(client.get(url).content.decode(), "quote_form")
    data.update(changes)
    return client.post(url, data)


def test_trimming_a_quotes_words_moves_its_start_and_end(client, editor, transcript):
    video, _ = transcript
    quote = QuoteFactory(
        video=video,
        text=" ".join(t for _, _, t in LINES[1:3]),
        start_seconds=104.0,
        end_seconds=112.0,
    )
    response = edit(client, quote, text="I learned to ask for help after thirty minutes stuck")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.start_seconds == pytest.approx(104 + 4 * 1 / 7, abs=0.01)  # at "I"
    assert quote.end_seconds == pytest.approx(108 + 4 * 4 / 7, abs=0.01)  # after "stuck"
    assert any("where its words are said" in m for m in shown(response))


def test_words_not_in_the_transcript_keep_the_times_and_say_so(client, editor, transcript):
    video, _ = transcript
    quote = QuoteFactory(video=video, text="ask for help", start_seconds=105.0, end_seconds=107.0)
    response = edit(client, quote, text="Something nobody ever said on this show")
    quote.refresh_from_db()
    assert (quote.start_seconds, quote.end_seconds) == (105.0, 107.0)
    assert any("not in the transcript" in m for m in shown(response))


def test_an_editor_who_sets_the_times_keeps_them(client, editor, transcript):
    video, _ = transcript
    quote = QuoteFactory(video=video, text="ask for help", start_seconds=105.0, end_seconds=107.0)
    edit(client, quote, text="learned to ask for help", start_seconds="1:50", end_seconds="1:52")
    quote.refresh_from_db()
    assert (quote.start_seconds, quote.end_seconds) == (110.0, 112.0)


def test_a_quote_is_cut_from_any_word_to_any_word(client, editor, transcript):
    video, segments = transcript
    url = f"/admin/kb/video/{video.pk}/transcript/"
    response = client.post(
        url,
        {
            "segment": [segments[1].pk, segments[2].pk],
            "first_words": "I learned",
            "last_words": "minutes stuck",
            "speaker": "Maya",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.text == "I learned to ask for help after thirty minutes stuck"
    assert quote.start_seconds == pytest.approx(104 + 4 * 1 / 7, abs=0.01)
    assert quote.end_seconds == pytest.approx(108 + 4 * 4 / 7, abs=0.01)  # after "stuck"


def test_cutting_from_words_the_line_does_not_say_is_refused(client, editor, transcript):
    video, segments = transcript
    response = client.post(
        f"/admin/kb/video/{video.pk}/transcript/",
        {"segment": [segments[1].pk], "first_words": "payments team"},
        follow=True,
    )
    assert "“payments team” is not in the first selected line" in response.content.decode()
    assert not Quote.objects.exists()


def test_a_quote_starting_between_seconds_is_re_timed_when_its_words_change(
    client, editor, transcript
):
    """Issue 36: the form shows 1:44 for 104.571 s; saving it back counted as the editor
    setting the times, so new words were never re-timed, and the times lost their
    fractions."""
    video, _ = transcript
    quote = QuoteFactory(
        video=video, text="I learned to ask for help", start_seconds=104.571, end_seconds=107.9
    )
    response = edit(client, quote, text="ask for help after thirty minutes stuck")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.start_seconds == pytest.approx(104 + 4 * 4 / 7, abs=0.01)  # at "ask"
    assert quote.end_seconds == pytest.approx(108 + 4 * 4 / 7, abs=0.01)  # after "stuck"
    assert any("where its words are said" in m for m in shown(response))


def test_saving_a_quote_unchanged_keeps_its_exact_times(client, editor, transcript):
    video, _ = transcript
    quote = QuoteFactory(
        video=video, text="I learned to ask for help", start_seconds=104.571, end_seconds=107.9
    )
    assert edit(client, quote, status="published").status_code == 302
    quote.refresh_from_db()
    assert (quote.start_seconds, quote.end_seconds, quote.status) == (104.571, 107.9, "published")
