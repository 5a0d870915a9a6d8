"""Pages of YouTube Deep Summary's site beyond the seed's shape (issue 38): its raw timed
transcript, pages with only the summary, its second layout, headers missing a part."""

import pytest

from kb.importers.analysis import parse_page
from kb.importers.summary import parse_summary
from kb.models import Lesson, Takeaway, Video
from tests.helpers import import_video as run
from tests.pages import GENERATOR_ENTRIES, generator_page

pytestmark = pytest.mark.django_db


def vtt(entries) -> str:
    """The same talk as captions: a cue per entry, each until the next."""
    from kb.timecodes import format_timecode

    def stamp(seconds):
        whole = format_timecode(seconds)
        whole = whole if whole.count(":") == 2 else f"0:{whole}"
        h, m, s = whole.split(":")
        return f"{int(h):02d}:{int(m):02d}:{int(s):02d}.{round(seconds % 1 * 1000):03d}"

    cues = ["WEBVTT", ""]
    for n, (start, _, words) in enumerate(entries):
        end = entries[n + 1][0] if n + 1 < len(entries) else start + 3
        cues += [f"{stamp(start)} --> {stamp(end)}", words, ""]
    return "\n".join(cues)


def warnings(page) -> list[str]:
    return [message for _, message in page.warnings]


def test_raw_timed_entries_become_exact_segments_in_their_chapters(tmp_path):
    path = tmp_path / "on-call.txt"
    path.write_text(generator_page(), encoding="utf-8")
    code, out, err = run(path)
    assert (code, err) == (0, "")
    video = Video.objects.get()
    assert video.transcript_exact
    segments = list(video.segments.order_by("start_seconds"))
    assert [s.start_seconds for s in segments] == [e[0] for e in GENERATOR_ENTRIES]
    assert segments[0].text == "welcome to the show today Dana joins us"
    assert all(s.exact for s in segments)
    assert not any("(2.56s)" in s.text or "[00:" in s.text for s in segments)
    by_start = {s.start_seconds: s for s in segments}
    assert (by_start[2.56].chapter.title, by_start[2.56].end_seconds) == ("Intro", 6.56)
    assert (by_start[61.04].chapter.title, by_start[61.04].end_seconds) == ("Asking for help", 64.8)
    help_ = Lesson.objects.get(title="Asking for Help Early")
    assert help_.chapter.title == "Asking for help"
    assert 61 <= help_.start_seconds < 72


def test_entries_without_chapter_markers_still_give_lessons_their_moments():
    parsed = parse_page(generator_page(markers=False, stated_chapters=0))
    assert parsed.page.chapters == []
    assert {s.exact for s in parsed.segments} == {True}
    moments = {
        s.title: link.start_seconds
        for s, link in zip(parsed.page.sections, parsed.links, strict=True)
    }
    # Where the advice is said, give or take the sentence that leads up to it.
    assert 170 <= moments["Writing the Runbook"] <= 186


def test_a_bad_entry_is_refused_with_its_line():
    text = generator_page().replace("[01:01] (61.04s)", "[01:01] (9.04s)")
    with pytest.raises(ValueError, match=r"says \[01:01\] and 9.04s") as err:
        parse_summary(text)
    assert text.split("\n")[err.value.line - 1].startswith("[01:01]")


def test_a_page_with_only_its_summary_is_imported_and_finds_its_moments_later(tmp_path):
    path = tmp_path / "summary-only.txt"
    path.write_text(generator_page(entries=[]), encoding="utf-8")
    code, out, err = run(path)
    assert code == 0
    assert "warning:" in err and "holds no transcript" in err
    video = Video.objects.get()
    assert list(video.lessons.values_list("start_seconds", flat=True)) == [None, None]
    captions = tmp_path / "on-call.vtt"
    captions.write_text(vtt(GENERATOR_ENTRIES), encoding="utf-8")
    code, out, err = run(captions, "--video", video.slug)
    assert (code, err) == (0, "")
    placed = dict(Lesson.objects.values_list("title", "start_seconds"))
    assert 50 <= placed["Asking for Help Early"] <= 70
    assert 170 <= placed["Writing the Runbook"] <= 186
    runbook = Takeaway.objects.get(text__startswith="Change the runbook")
    assert runbook.start_seconds is not None and runbook.start_seconds >= 170


def test_a_summary_only_page_names_chapters_in_its_lesson_titles():
    summary = (
        "Overview of the talk\n\nA short intro.\n\n"
        "### Asking for help (01:01)\n\nPage a teammate early.\n\n"
        "Key Takeaways:\n\n  • Page after twenty minutes.\n\n"
        "### The runbook (03:01)\n\nChange it every time.\n\n"
        "Key Takeaways:\n\n  • Change the runbook first.\n"
    )
    page = parse_summary(generator_page(entries=[], summary=summary))
    assert [(s.title, s.chapter_start) for s in page.sections] == [
        ("Asking for help", 61),
        ("The runbook", 181),
    ]
    assert [(c.title, c.start_seconds) for c in page.chapters] == [
        ("Asking for help", 61),
        ("The runbook", 181),
    ]


@pytest.mark.parametrize(
    "top",
    [
        "Surviving Your First Year On Call\n\nReliability Hour\n\n",
        "Reliability Hour\n\n2025-03-04\n\nSurviving Your First Year On Call\n\n",
    ],
)
def test_the_second_layout_gives_title_and_channel_without_a_header_line(top):
    text = generator_page(header=None, title="").replace("Video thumbnail\n\n\n\n", "")
    text = text.replace("YouTube Deep Summary\n\n", "YouTube Deep Summary\n\n" + top)
    page = parse_summary(text)
    assert (page.title, page.channel) == ("Surviving Your First Year On Call", "Reliability Hour")
    assert page.duration_seconds >= 185
    assert any("gives no length" in w for w in warnings(page))
    assert len(page.sections) == 2


def test_a_header_missing_its_length_or_date_takes_what_is_there():
    page = parse_summary(generator_page(header="Reliability Hour • Published 2025-03-04 • YouTube"))
    assert (page.channel, str(page.published_on)) == ("Reliability Hour", "2025-03-04")
    assert 221 <= page.duration_seconds <= 240  # the last entry starts at 3:41
    assert any("gives no length: took 3:" in w for w in warnings(page))
    page = parse_summary(generator_page(header="Reliability Hour • March 4, 2025 • 5:00 minutes"))
    assert (page.duration_seconds, str(page.published_on)) == (300, "2025-03-04")
    page = parse_summary(generator_page(header="Reliability Hour • 5:00 minutes • YouTube"))
    assert page.published_on is None
    assert "the header gives no publish date" in warnings(page)


def test_a_header_promising_more_chapters_than_are_marked_says_so():
    page = parse_summary(generator_page(stated_chapters=14))
    assert (
        "the page says it has 14 chapters, its transcript marks 3: are chapter markers "
        "missing?" in warnings(page)
    )
    assert not any(
        "chapters, its transcript" in w for w in warnings(parse_summary(generator_page()))
    )


def test_a_guest_spelled_two_ways_is_the_titles_spelling_with_a_warning():
    summary = generator_page(title="Rahul Pandey On Leaving Big Tech").replace(
        "Dana Whitfield, a site reliability engineer,", "Rahul Pande, a former tech lead,"
    )
    page = parse_summary(summary)
    assert "Rahul Pandey" in page.guests and "Rahul Pande" not in page.guests
    assert any("'Rahul Pandey'" in w and "'Rahul Pande'" in w for w in warnings(page))
