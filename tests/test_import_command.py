"""`manage.py import_video`: the contract in DESIGN.md, as an editor meets it."""

import io
import json

import pytest
from django.core.management import call_command

from kb.models import Chapter, Lesson, Quote, Status, Takeaway, TranscriptSegment, Video
from tests.helpers import import_video as run
from tests.helpers import snapshot
from tests.pages import AUTO_VTT, TIMED_WORDS, as_srt, as_vtt, page, timed_cues

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_file(tmp_path):
    def write(text=None, name="talk.txt", **kwargs):
        path = tmp_path / name
        path.write_text(text if text is not None else page(**kwargs), encoding="utf-8")
        return path

    return write


def test_a_summary_page_becomes_a_draft_video_with_everything_in_it(page_file):
    code, out, err = run(page_file())
    assert (code, err) == (0, "")
    video = Video.objects.get()
    assert out.splitlines() == [
        f"imported {video.slug}: 3 chapters, 3 lessons, 5 takeaways, "
        f"{video.segments.count()} segments",
        "  read 3 lessons, 5 takeaways, an intro of 1 paragraph, a conclusion of 1 paragraph, "
        "1 resource",
        "  lesson 1: Asking for Help Early (2 takeaways)",
        "  lesson 2: Gardening & the <Promo> Packet (1 takeaway)",
        "  lesson 3: Final Advice (2 takeaways)",
        "  left out as boilerplate: Have questions? Drop a comment below!",
    ]
    assert video.slug == "growing-fast-a-story"
    assert video.status == Status.DRAFT
    assert set(video.lessons.values_list("status", flat=True)) == {Status.DRAFT}
    assert video.resources == ["A book about careers: for further reading."]
    lesson = Lesson.objects.get(title="Gardening & the <Promo> Packet")
    assert lesson.chapter.title == "Promo packets"
    assert lesson.chapter.start_seconds <= lesson.start_seconds < video.duration_seconds
    assert list(lesson.takeaways.values_list("text", flat=True)) == [
        "Your promo packet is written all year, not in a week."
    ]
    assert not video.segments.filter(exact=True).exists()


def test_doubts_are_warned_about_and_the_dry_run_reports_the_same(page_file):
    doubtful = page().replace("Asking for Help Early", "Ask for help early.")
    dry = run(page_file(doubtful), "--dry-run")
    real = run(page_file(doubtful))
    assert dry[0] == real[0] == 0
    assert dry[1].splitlines()[1:] == real[1].splitlines()[1:]
    assert dry[2] == real[2]
    (warning,) = real[2].splitlines()
    assert (
        warning.startswith("warning: ")
        and ":18: read 'Ask for help early.' as a section" in warning
    )
    assert "lesson 1: Ask for help early (2 takeaways)" in real[1]


def test_a_page_with_no_lessons_is_refused(page_file):
    text = page()
    flat = (
        text[: text.index("Asking for Help Early")] + text[text.index("📝 Transcript Chapters") :]
    )
    code, out, err = run(page_file(flat))
    assert code == 1 and "no lessons in the summary" in err
    assert not Video.objects.exists()


def test_publish_publishes_the_video_and_its_lessons(page_file):
    run(page_file(), "--publish")
    assert Video.objects.published().count() == 1
    assert Lesson.objects.published().count() == 3


def test_the_same_file_again_changes_nothing(page_file):
    path = page_file()
    run(path)
    before = snapshot()
    for extra in ([], ["--update"]):
        code, out, err = run(path, *extra)
        assert code == 0
        assert out.strip() == "unchanged growing-fast-a-story"
    assert snapshot() == before


def test_a_changed_file_is_refused_without_update(page_file):
    run(page_file())
    before = snapshot()
    code, out, err = run(page_file(page().replace("Be curious.", "Be very curious.")))
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("error: ") and "--update" in err
    assert snapshot() == before


def test_update_refreshes_the_import_but_keeps_every_editor_change(page_file):
    run(page_file())
    edited = Lesson.objects.get(title="Asking for Help Early")
    edited.title = "Ask for help sooner"
    edited.status = Status.PUBLISHED
    edited.save()
    edited.tags.add("learning")
    curated = sorted(edited.tags.names())
    other_chapter = Chapter.objects.get(title="Intro")
    relinked = Lesson.objects.get(title="Final Advice")
    relinked.chapter = other_chapter
    relinked.save()
    quote = Quote.objects.create(
        video=edited.video,
        lesson=edited,
        text="ask for help early",
        start_seconds=100,
        end_seconds=104,
    )

    changed = (
        page()
        .replace("Spending hours stuck is slower", "Hours spent stuck are slower")
        .replace("Be curious.", "Be very curious.")
    )
    code, out, err = run(page_file(changed), "--update")
    assert (code, err) == (0, "")
    assert out.startswith("updated growing-fast-a-story")

    edited.refresh_from_db()
    assert edited.title == "Ask for help sooner"  # editor's title kept
    assert edited.body.startswith("Hours spent stuck are slower")  # untouched field refreshed
    assert edited.status == Status.PUBLISHED
    assert sorted(edited.tags.names()) == curated
    relinked.refresh_from_db()
    assert relinked.chapter == other_chapter
    assert list(relinked.takeaways.values_list("text", flat=True)) == [
        "Be very curious.",
        "Rest well.",
    ]
    assert Quote.objects.filter(pk=quote.pk, text="ask for help early").exists()
    assert Video.objects.count() == 1 and Lesson.objects.count() == 3


def test_dry_run_reports_and_stores_nothing(page_file):
    code, out, err = run(page_file(), "--dry-run")
    assert code == 0
    assert out.startswith("would import growing-fast-a-story: 3 chapters, 3 lessons")
    assert snapshot() == [[] for _ in range(6)]


@pytest.mark.parametrize(
    "content, where, message",
    [
        (b"", "", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ":3", "binary file"),
        (page().encode("utf-8").replace(b"Career Talks", b"Career \xe9Talks"), ":7", "not UTF-8"),
        (b"Just a line of text.\nAnd another one.\n", "", "no header line"),
        (page(promo_start="49:7x").encode(), ":60", "'49:7x' is not a time"),
        (page(promo_start="00:30").encode(), ":60", "not after the chapter before it"),
        (page(promo_start="12:00").encode(), ":60", "not before the video's end"),
    ],
)
def test_bad_input_exits_1_with_one_error_line_and_stores_nothing(
    tmp_path, content, where, message
):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, out, err = run(path)
    assert code == 1
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: {path}{where}: ")
    assert message in err
    assert "Traceback" not in err
    assert snapshot() == [[] for _ in range(6)]


def test_several_files_store_the_good_and_report_the_bad(page_file, tmp_path):
    good = page_file()
    other = page_file(name="other.txt", title="Another Talk")
    bad = tmp_path / "bad.txt"
    bad.write_text("not a summary page")
    missing = tmp_path / "missing.txt"
    code, out, err = run(good, bad, other, missing)
    assert code == 1
    assert "[1/4 #####..............." in out and "[4/4 ####################]" in out
    assert sorted(Video.objects.values_list("slug", flat=True)) == [
        "another-talk",
        "growing-fast-a-story",
    ]
    assert err.splitlines() == [
        f"error: {bad}: no header line like "
        "'Channel • 117:16 minutes • Published 2025-01-17 • YouTube'",
        f"error: {missing}: cannot read it: No such file or directory",
    ]


def test_youtube_option_accepts_urls_and_refuses_anything_else(page_file):
    code, out, err = run(page_file(), "--youtube", "https://youtu.be/dQw4w9WgXcQ")
    assert code == 0
    assert Video.objects.get().youtube_id == "dQw4w9WgXcQ"
    code, out, err = run(page_file(name="b.txt", title="B"), "--youtube", "https://vimeo.com/123")
    assert code == 1
    assert err.startswith("error: --youtube")
    assert Video.objects.count() == 1


def test_a_reimport_finds_its_video_by_youtube_id_even_after_a_title_change(page_file):
    run(page_file(), "--youtube", "dQw4w9WgXcQ")
    code, out, err = run(
        page_file(name="renamed.txt", title="Growing Fast (Remastered)"),
        "--youtube",
        "dQw4w9WgXcQ",
        "--update",
    )
    assert code == 0, err
    assert Video.objects.count() == 1
    assert Video.objects.get().slug == "growing-fast-a-story"  # links stay stable


def test_video_option_with_a_summary_page_is_an_error(page_file):
    code, out, err = run(page_file(), "--video", "anything")
    assert code == 1
    assert "--video is for timed transcripts" in err
    assert not Video.objects.exists()


def test_a_timed_transcript_needs_a_known_video(page_file, tmp_path):
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(AUTO_VTT)
    code, out, err = run(vtt)
    assert code == 1 and "needs --video SLUG" in err
    code, out, err = run(vtt, "--video", "no-such-video")
    assert code == 1
    assert err.strip() == f"error: {vtt}: no video with the slug 'no-such-video'"


def as_json(cues):
    return json.dumps([{"text": t, "start": a, "duration": b - a} for a, b, t in cues])


@pytest.mark.parametrize("suffix, render", [("vtt", as_vtt), ("srt", as_srt), ("json", as_json)])
def test_attaching_a_timed_transcript_replaces_segments_and_reanchors_moments(
    page_file, tmp_path, suffix, render
):
    run(page_file())
    video = Video.objects.get()
    lesson = Lesson.objects.get(title="Asking for Help Early")
    quote = Quote.objects.create(
        video=video,
        lesson=lesson,
        text="she knew the answer in five minutes",
        start_seconds=120,
        end_seconds=130,
    )
    chapters_before = list(video.chapters.values_list("title", "start_seconds"))
    transcript = tmp_path / f"talk.{suffix}"
    transcript.write_text(render(timed_cues()))

    code, out, err = run(transcript, "--video", video.slug)
    assert (code, err) == (0, "")
    assert out.startswith(f"attached {video.slug}: 15 segments, ")

    video.refresh_from_db()
    assert video.transcript_exact
    segments = list(video.segments.all())
    assert len(segments) == 15 and all(s.exact for s in segments)
    assert [w for s in segments for w in s.text.split()] == TIMED_WORDS
    assert list(video.chapters.values_list("title", "start_seconds")) == chapters_before
    # The quote's words are said from "she" on, at 2 words a second after 0:10.
    first = TIMED_WORDS.index("she")
    last = first + len(quote.text.split()) - 1
    quote.refresh_from_db()
    assert quote.start_seconds == pytest.approx(10 + first / 2, abs=0.01)
    assert quote.end_seconds == pytest.approx(10 + (last + 1) / 2, abs=0.01)
    # The lesson's moment moved onto the same words, now on the exact timeline.
    lesson.refresh_from_db()
    assert 10 <= lesson.start_seconds <= 10 + len(TIMED_WORDS) / 2
    assert Lesson.objects.count() == 3


def test_attaching_the_same_transcript_twice_changes_nothing(page_file, tmp_path):
    run(page_file())
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(as_vtt(timed_cues()))
    run(vtt, "--video", "growing-fast-a-story")
    before = snapshot()
    code, out, err = run(vtt, "--video", "growing-fast-a-story")
    assert (code, out.strip()) == (0, "unchanged growing-fast-a-story")
    assert snapshot() == before


def test_a_broken_transcript_changes_nothing(page_file, tmp_path):
    run(page_file())
    before = snapshot()
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(as_vtt(timed_cues()).replace("00:00:12.500 -->", "00:00:1x.500 -->"))
    code, out, err = run(vtt, "--video", "growing-fast-a-story")
    assert code == 1
    assert err.startswith(f"error: {vtt}:") and "broken cue timing line" in err
    assert snapshot() == before

    late = tmp_path / "late.json"
    late.write_text(as_json([(0, 1, "hi"), (4000, 4001, "far too late")]))
    code, out, err = run(late, "--video", "growing-fast-a-story")
    assert code == 1 and "after the video's end" in err
    assert snapshot() == before


def test_the_seed_imports_with_the_counts_the_page_gives(seed_path):
    code, out, err = run(seed_path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "imported 25-year-old-staff-eng-meta-promotion-story: "
        f"19 chapters, 15 lessons, 36 takeaways, {TranscriptSegment.objects.count()} segments"
    )
    assert lines[1].startswith("  read 15 lessons, 36 takeaways, an intro of 1 paragraph,")
    assert lines[2] == "  people: Evan King (guest)"
    assert lines[3] == "  lesson 1: Early Beginnings: No Need to Be a Prodigy (1 takeaway)"
    assert len([line for line in lines if line.startswith("  lesson ")]) == 15
    video = Video.objects.get()
    assert (video.title, video.channel, video.duration_seconds, str(video.published_on)) == (
        "25 Year Old Staff Eng @ Meta (Promotion Story)",
        "Ryan Peterman",
        7036,
        "2025-01-17",
    )
    words = [w for s in video.segments.order_by("start_seconds") for w in s.text.split()]
    assert len(words) == 26_202
    assert words[:4] == ["when", "you're", "a", "new"]
    assert words[-3:] == ["all", "we", "got"]
    assert Takeaway.objects.count() == 36


def test_the_samples_load_for_make_run():
    out = io.StringIO()
    call_command("load_samples", stdout=out)
    assert Video.objects.published().count() >= 2
    assert Video.objects.filter(transcript_exact=True).exists()
    again = io.StringIO()
    call_command("load_samples", stdout=again)
    assert "already has videos" in again.getvalue()


def test_updating_the_page_keeps_an_attached_timed_transcript(page_file, tmp_path):
    run(page_file())
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(as_vtt(timed_cues()))
    run(vtt, "--video", "growing-fast-a-story")
    changed = page(promo_start="04:00").replace("Be curious.", "Be very curious.")
    code, out, err = run(page_file(changed), "--update")
    assert (code, err) == (0, "")
    video = Video.objects.get()
    assert video.transcript_exact
    assert video.segments.count() == 15 and not video.segments.filter(exact=False).exists()
    promo = video.chapters.get(title="Promo packets")
    assert promo.start_seconds == 240
    assert set(video.segments.filter(start_seconds__gte=240).values_list("chapter", flat=True)) <= {
        promo.pk
    }


def test_a_second_timed_transcript_needs_update(page_file, tmp_path):
    run(page_file())
    first, second = tmp_path / "a.vtt", tmp_path / "b.srt"
    first.write_text(as_vtt(timed_cues()))
    second.write_text(as_srt([(a + 1, b + 1, t) for a, b, t in timed_cues()]))
    run(first, "--video", "growing-fast-a-story")
    before = snapshot()
    code, out, err = run(second, "--video", "growing-fast-a-story")
    assert code == 1 and "already has a timed transcript" in err and "--update" in err
    assert snapshot() == before
    code, out, err = run(second, "--video", "growing-fast-a-story", "--update")
    assert code == 0
    assert Video.objects.get().segments.order_by("start_seconds").first().start_seconds == 11.0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_page_saved_as_utf16_or_32_with_its_bom_imports(tmp_path, encoding):
    text = page(title="Grüße aus Köln")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "talk.txt"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_video", str(path), stdout=out, stderr=err)
    assert Video.objects.get().title == "Grüße aus Köln"
