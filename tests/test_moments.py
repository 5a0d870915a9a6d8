"""Moments on their words (issue 14): takeaways where their sentence is said, lessons at
the lead-up to their point, suggested quotes from a sentence's start to its end."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from kb.importers.documents import Segment
from kb.importers.linking import (
    ChapterIndex,
    link_takeaway,
    link_with_index,
    passage_of,
    query_terms,
    suggest_passages,
)
from kb.models import Lesson, QuoteSuggestion, Suggestion, Video
from tests.pages import page


def index_of(lines: list[tuple[float, float, str]], chapter_titles=("Talk",)) -> ChapterIndex:
    segments = [Segment(0, start, end, text, True) for start, end, text in lines]
    return ChapterIndex([(chapter_titles[0], " ".join(t for _, _, t in lines))], segments)


CASED = [
    (0.0, 3.0, "Welcome back everyone. Today we talk about"),
    (3.0, 6.0, "careers and how people grow. My first"),
    (6.0, 9.0, "team was payments and it was hard."),
    (9.0, 12.0, "The thing I learned is to ask for"),
    (12.0, 15.0, "help after thirty minutes stuck. Then"),
    (15.0, 18.0, "we moved on to talk about gardens."),
]


def test_a_takeaway_lands_on_its_words_not_a_window_start():
    index = index_of(CASED)
    link = link_takeaway(index, "Ask for help after thirty minutes stuck.", chapter=0)
    # "ask" is the 7th of the 8 words said from 9 to 12 s
    assert link.start_seconds == pytest.approx(9 + 3 * 6 / 8, abs=0.01)


def test_a_suggested_quote_starts_and_ends_on_a_sentence_in_cased_captions():
    index = index_of(CASED)
    query = query_terms(("ask for help after thirty minutes stuck", 1.0))
    (best,) = suggest_passages(index, query, 0, count=1)
    quote = passage_of(index, best, query)
    assert quote.text == "The thing I learned is to ask for help after thirty minutes stuck."
    assert quote.start_seconds == 9.0
    assert quote.end_seconds == pytest.approx(12 + 3 * 5 / 6, abs=0.01)


def test_without_case_a_pause_between_captions_starts_the_quote():
    lines = [
        (0.0, 3.0, "so i was on the payments team"),
        (3.0, 5.6, "and it was very hard at first"),
        (6.4, 9.0, "the thing i learned is ask for"),
        (9.0, 12.0, "help after thirty minutes stuck"),
        (12.0, 15.0, "and then we moved on to gardens"),
    ]
    index = index_of(lines)
    query = query_terms(("ask for help after thirty minutes stuck", 1.0))
    quote = passage_of(index, suggest_passages(index, query, 0, count=1)[0], query)
    assert quote.text.startswith("the thing i learned")
    assert quote.start_seconds == 6.4


def test_a_lesson_moment_leads_into_its_passage():
    chapters = [("Intro", "welcome"), ("Stuck", "")]
    lines = [
        Segment(0, 0.0, 30.0, "welcome to the show today", True),
        Segment(1, 30.0, 35.0, "let me tell you about my second week", True),
        Segment(1, 35.0, 40.0, "i got a rounding bug in refunds", True),
        Segment(1, 40.0, 45.0, "and sat with it for two days alone", True),
        Segment(1, 45.0, 50.0, "a senior engineer found the rounding bug", True),
        Segment(1, 50.0, 55.0, "in ten minutes so ask for help early", True),
        Segment(1, 55.0, 60.0, "anyway then we talked about football", True),
    ]
    chapters[1] = ("Stuck", " ".join(s.text for s in lines[1:]))
    index = ChapterIndex(chapters, lines)
    (link,) = link_with_index(
        index, [("Ask for help early", "Two days stuck on a rounding bug in refunds until a "
                 "senior engineer found it in ten minutes.")]
    )  # fmt: skip
    assert link.chapter == 1
    assert link.start_seconds <= 35.0  # before the story's first words, never after the point


@pytest.mark.django_db
def test_attaching_captions_suggests_quotes_afresh_on_their_sentences(tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text(page(), encoding="utf-8")
    call_command("import_video", str(path), stdout=io.StringIO())
    video = Video.objects.get()
    lesson = Lesson.objects.get(title="Asking for Help Early")
    dismissed = lesson.suggestions.order_by("rank").first()
    QuoteSuggestion.objects.filter(pk=dismissed.pk).update(status=Suggestion.DISMISSED)
    words = " ".join(
        video.segments.order_by("start_seconds").values_list("text", flat=True)
    ).split()
    # Cased captions: a capital after each full stop, every seven words.
    cues, t = [], 0.0
    for n in range(0, len(words), 7):
        chunk = words[n : n + 7]
        text = " ".join(chunk)
        cues.append(f"{stamp(t)} --> {stamp(t + 2.5)}\n{text[0].upper()}{text[1:]}.")
        t += 3.0
    vtt = tmp_path / "talk.vtt"
    vtt.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    call_command("import_video", str(vtt), "--video", video.slug, stdout=io.StringIO())
    fresh = list(QuoteSuggestion.objects.filter(status=Suggestion.OPEN))
    assert fresh
    for suggestion in fresh:
        assert suggestion.text[0].isupper() and suggestion.text.endswith(".")
        assert suggestion.start_seconds % 3.0 == 0  # each starts where a caption starts
    assert QuoteSuggestion.objects.filter(pk=dismissed.pk, status=Suggestion.DISMISSED).exists()


def stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02}:{rest:06.3f}"


def test_query_terms_do_not_depend_on_set_order():
    assert list(query_terms(("zebra apple mango", 1.0))) == sorted(["zebra", "apple", "mango"])
    assert isinstance(query_terms(("a b", 1.0)), Counter)
