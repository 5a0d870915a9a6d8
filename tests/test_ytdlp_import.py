"""Videos brought in the way editors get them (issue 18): yt-dlp's info.json with the
captions beside it, a summary page landing on that video, whole folders."""

import json

import pytest

from kb.models import Chapter, Lesson, Status, TranscriptSegment, Video
from tests.helpers import import_video as run
from tests.helpers import snapshot
from tests.pages import info_json, page, timed_srt, timed_vtt

pytestmark = pytest.mark.django_db

STEM = "Growing Fast - A Story [GrowFast123]"


@pytest.fixture
def folder(tmp_path):
    """A folder as `yt-dlp --write-info-json --write-auto-subs --skip-download` leaves it."""

    def write(files: dict[str, str] | None = None):
        files = files if files is not None else {
            f"{STEM}.info.json": info_json(), f"{STEM}.en.vtt": timed_vtt(),
        }  # fmt: skip
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return tmp_path

    return write


def test_an_info_json_and_its_captions_make_a_video_with_exact_times(folder):
    path = folder() / f"{STEM}.info.json"
    code, out, err = run(path)
    assert (code, err) == (0, "")
    video = Video.objects.get()
    assert (video.youtube_id, video.title, video.channel, str(video.published_on)) == (
        "GrowFast123", "Growing Fast: A Story", "Career Talks", "2024-05-06",
    )  # fmt: skip
    assert video.duration_seconds == 600 and video.status == Status.DRAFT
    assert video.description.startswith("How she grew fast.")
    assert list(video.chapters.values_list("start_seconds", "title")) == [
        (0, "Intro"), (70, "Asking for help"), (195, "Promo packets"),
    ]  # fmt: skip
    segments = list(video.segments.order_by("start_seconds"))
    assert segments and all(s.exact for s in segments) and video.transcript_exact
    first = segments[0]
    assert (first.start_seconds, first.text) == (2.0, "hello and welcome everyone today")
    assert {s.chapter.title for s in segments if s.start_seconds >= 200} == {"Promo packets"}
    assert out.splitlines()[0].startswith(
        f"imported {video.slug}: 3 chapters, {len(segments)} segments"
    )
    assert f"captions from {STEM}.en.vtt" in out
    # Nothing in it is a lesson yet, and nothing beside it was read twice.
    assert not Lesson.objects.exists()


def test_a_folder_is_imported_whole_in_order_and_a_rerun_changes_nothing(folder, tmp_path):
    other = "Another Talk [Another4567]"
    folder({
        f"{STEM}.info.json": info_json(), f"{STEM}.en.vtt": timed_vtt(),
        f"{other}.info.json": info_json(id="Another4567", title="Another Talk", chapters=[
            {"start_time": 0, "title": "Hello"}, {"start_time": 300.0, "title": "Goodbye"},
        ]),
        f"{other}.en.srt": timed_srt(),
        f"{STEM}.txt": page(),  # the summary page, named by yt-dlp's id
        f"{STEM}.webp": "not an image, and not a document either",
    })  # fmt: skip
    code, out, err = run(tmp_path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    bars = [line for line in lines if line.startswith("[")]
    assert [b.split("] ", 1)[1] for b in bars] == [
        str(tmp_path / f"{other}.info.json"), str(tmp_path / f"{STEM}.info.json"),
        str(tmp_path / f"{STEM}.txt"),
    ]  # fmt: skip
    assert bars[-1].startswith("[3/3 ####################]")
    assert "skipped 1 file that is not a document: .webp" in lines
    another = Video.objects.get(youtube_id="Another4567")
    assert list(another.chapters.values_list("title", flat=True)) == ["Hello", "Goodbye"]
    assert another.segments.filter(exact=True).count() == another.segments.count() > 0
    grown = Video.objects.get(youtube_id="GrowFast123")
    assert grown.lessons.count() == 3, "the page landed on the video its id names"
    assert Video.objects.count() == 2

    before = snapshot()
    code, out, err = run(tmp_path)
    assert (code, err) == (0, "")
    assert sum(line.startswith("unchanged ") for line in out.splitlines()) == 3
    assert snapshot() == before


def test_a_summary_page_lands_on_the_exact_transcript_and_keeps_the_videos_chapters(
    folder, tmp_path
):
    run(folder() / f"{STEM}.info.json")
    video = Video.objects.get()
    exact = list(video.segments.order_by("pk").values_list("start_seconds", "end_seconds", "text"))
    chapters = list(video.chapters.values_list("pk", "start_seconds", "title"))
    page_path = tmp_path / "summary.txt"
    page_path.write_text(page(), encoding="utf-8")

    code, out, err = run(page_path)  # no --youtube: found by its identity
    assert code == 0, err
    assert Video.objects.count() == 1
    video.refresh_from_db()
    assert "kept the video's 3 chapters: the page's 3 differ" in out
    assert list(video.chapters.values_list("pk", "start_seconds", "title")) == chapters
    assert video.transcript_exact
    assert sorted(video.segments.values_list("start_seconds", "end_seconds", "text")) == sorted(
        exact
    )
    assert not video.segments.filter(exact=False).exists()
    starts = {start for start, _, _ in exact}
    asking = video.lessons.get(title="Asking for Help Early")
    # On a caption's own start, in the chapter where it is said (75 s on, not the page's 60).
    assert asking.start_seconds in starts and asking.start_seconds >= 75
    assert asking.chapter.title == "Asking for help"
    promo = video.lessons.get(title="Gardening & the <Promo> Packet")
    assert promo.start_seconds in starts and promo.start_seconds >= 200
    assert promo.chapter.title == "Promo packets"
    for takeaway in asking.takeaways.exclude(start_seconds=None):
        assert takeaway.start_seconds in starts
    assert video.headline == "A headline about growing as an engineer"


def test_a_published_import_publishes_the_video_and_then_its_first_lessons(folder, tmp_path):
    run(folder() / f"{STEM}.info.json", "--publish")
    assert Video.objects.get().status == Status.PUBLISHED
    (tmp_path / "s.txt").write_text(page(), encoding="utf-8")
    run(tmp_path / "s.txt", "--youtube", "GrowFast123", "--publish")
    assert set(Lesson.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_srt_captions_and_the_videos_own_language_first(folder):
    path = folder({
        f"{STEM}.info.json": info_json(language="de"),
        f"{STEM}.en.vtt": timed_vtt([(1.0, "english words here")]),
        f"{STEM}.de.srt": timed_srt([(1.0, "deutsche wörter hier")]),
    }) / f"{STEM}.info.json"  # fmt: skip
    code, out, err = run(path)
    assert code == 0, err
    assert list(TranscriptSegment.objects.values_list("text", flat=True)) == [
        "deutsche wörter hier"
    ]
    assert f"captions from {STEM}.de.srt" in out


def test_no_captions_and_no_chapters_are_said(folder):
    path = folder({
        f"{STEM}.info.json": info_json(description="A talk. No times listed."),
    }) / f"{STEM}.info.json"  # fmt: skip
    code, out, err = run(path)
    assert (code, err) == (0, "")
    video = Video.objects.get()
    assert not video.chapters.exists() and not video.segments.exists()
    assert "no chapters: neither a chapter list nor timestamps in the description" in out
    assert "no captions beside it" in out


def test_captions_on_their_own_find_their_video_by_the_id_in_their_name(folder, tmp_path):
    run(folder({f"{STEM}.info.json": info_json()}) / f"{STEM}.info.json")
    captions = tmp_path / "later" / f"{STEM}.en.vtt"
    captions.parent.mkdir()
    captions.write_text(timed_vtt(), encoding="utf-8")
    code, out, err = run(captions)
    assert code == 0, err
    assert out.startswith("attached growing-fast-a-story:")
    assert Video.objects.get().transcript_exact


def test_a_changed_info_json_needs_update_and_keeps_editors_changes(folder, tmp_path):
    path = folder() / f"{STEM}.info.json"
    run(path)
    video = Video.objects.get()
    video.title = "An editor's better title"
    video.save()
    Chapter.objects.filter(video=video, start_seconds=70).update(title="Editor's chapter")
    changed = json.loads(info_json())
    changed.update(title="Growing Fast (remastered)", channel="Career Talks HD", view_count=9)
    changed["description"] = changed["description"].replace("Promo packets", "Promotions")
    path.write_text(json.dumps(changed), encoding="utf-8")
    before = snapshot()
    code, out, err = run(path)
    assert code == 1 and "use --update to refresh it" in err and snapshot() == before

    code, out, err = run(path, "--update")
    assert code == 0, err
    video.refresh_from_db()
    assert (video.title, video.channel) == ("An editor's better title", "Career Talks HD")
    assert list(video.chapters.values_list("title", flat=True)) == [
        "Intro", "Editor's chapter", "Promotions",
    ]  # fmt: skip


def test_a_fresh_download_whose_counts_changed_is_the_same_version(folder):
    path = folder() / f"{STEM}.info.json"
    run(path)
    data = json.loads(path.read_text())
    data.update(view_count=99999, like_count=1, epoch=1800000000)
    path.write_text(json.dumps(data))
    code, out, err = run(path)
    assert (code, err) == (0, "") and out.startswith("unchanged ")


@pytest.mark.parametrize(
    "files, message",
    [
        ({f"{STEM}.info.json": info_json(_type="playlist", entries=[])}, "a yt-dlp playlist"),
        ({f"{STEM}.info.json": info_json(extractor_key="Vimeo")}, "a video from Vimeo"),
        ({f"{STEM}.info.json": info_json(id=None)}, "not a yt-dlp video: no id"),
        ({f"{STEM}.info.json": info_json(duration=None)}, "no duration"),
        ({f"{STEM}.info.json": '{"id": "GrowFast123", "extractor": "youtube",'}, "not JSON"),
        ({f"{STEM}.info.json": info_json(), f"{STEM}.en.vtt": "WEBVTT\n\nbroken -->"},
         f"its captions {STEM}.en.vtt"),
        ({f"{STEM}.info.json": info_json(duration=60), f"{STEM}.en.vtt": timed_vtt()},
         "after the video's end"),
    ],
)  # fmt: skip
def test_what_is_not_a_youtube_video_or_its_captions_is_refused_and_nothing_stored(
    folder, files, message
):
    path = folder(files) / f"{STEM}.info.json"
    code, out, err = run(path)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: {path}") and message in err, err
    assert snapshot() == [[] for _ in range(6)]


def test_in_a_folder_a_bad_file_fails_alone(folder, tmp_path):
    folder({
        f"{STEM}.info.json": info_json(), "Broken [Broken12345].info.json": "{nope",
    })  # fmt: skip
    code, out, err = run(tmp_path)
    assert code == 1
    assert err.startswith(f"error: {tmp_path / 'Broken [Broken12345].info.json'}:1: not JSON")
    assert list(Video.objects.values_list("youtube_id", flat=True)) == ["GrowFast123"]


def test_the_sample_yt_dlp_folder_imports_as_the_docs_say():
    code, out, err = run("samples/yt-dlp", "--publish")
    assert (code, err) == (0, "")
    video = Video.objects.get(youtube_id="Dsgn0Doc001")
    assert out.startswith(f"imported {video.slug}: 4 chapters, ")
    assert video.transcript_exact and video.status == Status.PUBLISHED
    assert list(video.chapters.values_list("title", flat=True))[-1] == "Getting it read"
    assert "moments re-anchored" not in out, "a new video has no moments to move"
