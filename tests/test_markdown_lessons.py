"""Markdown lessons (issue 18): `/videos/<slug>.md` exports a video's lessons, and
`import_video FILE.md` brings the same shape back."""

import pytest

from kb.models import Lesson, Person, Quote, Status, Video
from tests.helpers import import_video as run
from tests.helpers import snapshot
from tests.pages import info_json, page, timed_vtt

pytestmark = pytest.mark.django_db

STEM = "Growing Fast - A Story [GrowFast123]"
HAND_WRITTEN = """---
title: "Growing Fast: A Story"
youtube: GrowFast123
---

# Growing Fast: A Story

## Ask before you are stuck for hours [1:15]

Nobody expects you to know everything.
Asking early is a skill.

- Set a timer for thirty minutes [1:20]
- Say what you tried
> I asked a senior engineer for help [1:19–1:25] — Priya Nair

## Keep a brag document

Write down what you shipped, every week.
"""


@pytest.fixture
def talk(tmp_path):
    """The test talk as yt-dlp and a summary page bring it: published, exact captions."""
    (tmp_path / f"{STEM}.info.json").write_text(info_json(), encoding="utf-8")
    (tmp_path / f"{STEM}.en.vtt").write_text(timed_vtt(), encoding="utf-8")
    (tmp_path / f"{STEM}.txt").write_text(page(), encoding="utf-8")
    code, out, err = run(tmp_path, "--publish")
    assert code == 0, err
    return Video.objects.get()


def write(tmp_path, text, name="lessons.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_export_then_import_into_an_empty_copy_gives_the_same_file_byte_for_byte(
    client, talk, tmp_path
):
    asking = talk.lessons.get(title="Asking for Help Early")
    asking.body = (
        "Stuck for hours? <script>alert(1)</script> [a link](javascript:alert(1))\n\n"
        "- a list line in the body, not a takeaway\n"
        "2. and a numbered one & more"
    )
    asking.save()
    Quote.objects.create(
        video=talk, lesson=asking, chapter=asking.chapter,
        text="she knew the answer in five minutes", start_seconds=81.5, end_seconds=86.0,
        speaker=Person.objects.create(name="Zoë Ä", slug="zoe"), status=Status.PUBLISHED,
    )  # fmt: skip
    Lesson.objects.filter(title="Final Advice").update(status=Status.DRAFT)

    response = client.get(f"/videos/{talk.slug}.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    exported = response.content.decode()
    assert exported.startswith('---\ntitle: "Growing Fast: A Story"\nvideo: "growing-fast-a-story"')
    assert 'youtube: "GrowFast123"' in exported
    assert f"\n## Asking for Help Early [{_mmss(asking.start_seconds)}]\n" in exported
    assert "\\<script\\>" in exported and "<script>" not in exported
    assert "\\[a link\\](javascript:alert(1))" in exported
    assert "\n\\- a list line in the body" in exported and "\n2\\. and a numbered" in exported
    assert "\n> she knew the answer in five minutes [1:21–1:26] — Zoë Ä\n" in exported
    assert "## Gardening \\& the \\<Promo\\> Packet" in exported
    assert "Final Advice" not in exported, "a draft lesson is not exported"

    Lesson.objects.filter(video=talk).delete()
    Quote.objects.filter(video=talk).delete()
    code, out, err = run(write(tmp_path, exported), "--publish")
    assert (code, err) == (0, ""), err
    assert out.startswith(f"updated {talk.slug}: 2 lessons added")
    again = client.get(f"/videos/{talk.slug}.md").content.decode()
    assert again == exported
    body = Lesson.objects.get(title="Asking for Help Early").body
    assert body.startswith("Stuck for hours? <script>") and "\n- a list line" in body


def _mmss(seconds):
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def test_hand_written_lessons_land_on_their_moments_as_drafts(talk, tmp_path):
    code, out, err = run(write(tmp_path, HAND_WRITTEN))
    assert (code, err) == (0, ""), err
    assert out.startswith(f"updated {talk.slug}: 2 lessons added, 2 takeaways, 1 quotes added")
    lesson = Lesson.objects.get(title="Ask before you are stuck for hours")
    assert lesson.status == Status.DRAFT, "lessons new to a video with lessons are drafts"
    assert (lesson.start_seconds, lesson.chapter.title) == (75, "Asking for help")
    assert lesson.body == "Nobody expects you to know everything.\nAsking early is a skill."
    assert list(lesson.takeaways.values_list("text", "start_seconds")) == [
        ("Set a timer for thirty minutes", 80), ("Say what you tried", None),
    ]  # fmt: skip
    quote = lesson.quotes.get()
    assert (quote.text, quote.start_seconds, quote.end_seconds) == (
        "I asked a senior engineer for help", 79, 85,
    )  # fmt: skip
    assert quote.speaker.name == "Priya Nair" and quote.status == Status.DRAFT
    assert Lesson.objects.get(title="Keep a brag document").start_seconds is None
    assert lesson.tags.exists() or lesson.theme_suggestions.exists()

    before = snapshot()
    code, out, err = run(write(tmp_path, HAND_WRITTEN))
    assert out.startswith("unchanged ") and snapshot() == before


def test_a_changed_known_lesson_needs_update_and_an_editors_change_is_kept(talk, tmp_path):
    run(write(tmp_path, HAND_WRITTEN))
    brag = Lesson.objects.get(title="Keep a brag document")
    brag.title = "Keep a brag document (an editor's title)"
    brag.save()
    changed = HAND_WRITTEN.replace("Asking early is a skill.", "Asking early is a skill to learn.")
    before = snapshot()
    code, out, err = run(write(tmp_path, changed))
    assert code == 1 and snapshot() == before
    assert err.startswith(f"error: {tmp_path / 'lessons.md'}:8: 1 lessons already on")
    assert "use --update" in err

    code, out, err = run(write(tmp_path, changed), "--update")
    assert (code, err) == (0, ""), err
    lesson = Lesson.objects.get(title="Ask before you are stuck for hours")
    assert lesson.body.endswith("a skill to learn.")
    assert Lesson.objects.filter(title="Keep a brag document (an editor's title)").exists()
    assert Lesson.objects.filter(title__startswith="Keep a brag").count() == 1


@pytest.mark.parametrize(
    "text, line, message",
    [
        (HAND_WRITTEN.replace("[1:15]", "[11:15]"), 8, "11:15 is past the video's end (10:00)"),
        (HAND_WRITTEN.replace("## Keep a brag document", "## [2:00]"), 17,
         "a lesson with no title"),
        (HAND_WRITTEN.replace("[1:20]", "[1:7x]"), 13, "'1:7x' is not a time"),
        (HAND_WRITTEN.replace("[1:19–1:25]", "[1:25–1:19]"), 15, "ends (1:19) before it starts"),
        (HAND_WRITTEN.replace(" [1:19–1:25]", ""), 15, "a quote needs its span"),
        (HAND_WRITTEN.replace("youtube: GrowFast123", "youtube: Nobody12345"), 1,
         "no video has the YouTube id Nobody12345"),
        (HAND_WRITTEN.replace("## Ask before", "Ask before"), 8, "text before the first lesson"),
        ('---\ntitle: "x\nyoutube: GrowFast123\n---\n## A [1:00]\n', 2, "does not end its quote"),
    ],
)  # fmt: skip
def test_bad_markdown_is_refused_with_its_line_and_nothing_is_stored(
    talk, tmp_path, text, line, message
):
    before = snapshot()
    path = write(tmp_path, text)
    code, out, err = run(path)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: {path}:{line}: "), err
    assert message in err
    assert snapshot() == before


def test_a_draft_videos_markdown_is_not_found(client, talk):
    assert client.get(f"/videos/{talk.slug}.md").status_code == 200  # published: found
    Video.objects.update(status=Status.DRAFT)
    assert client.get(f"/videos/{talk.slug}.md").status_code == 404


def test_the_export_runs_the_same_queries_however_many_lessons(
    client, talk, tmp_path, django_assert_num_queries
):
    # The queries, however many lessons:
    #   the content version
    #   the published video, by slug
    #   its published lessons, with the video
    #   the lessons' takeaways (prefetched)
    #   the lessons' published quotes, with video and speaker (prefetched)
    with django_assert_num_queries(5):
        client.get(f"/videos/{talk.slug}.md")
    run(write(tmp_path, HAND_WRITTEN), "--publish")
    Lesson.objects.update(status=Status.PUBLISHED)
    Quote.objects.update(status=Status.PUBLISHED)
    with django_assert_num_queries(5):
        assert "Keep a brag document" in client.get(f"/videos/{talk.slug}.md").content.decode()
