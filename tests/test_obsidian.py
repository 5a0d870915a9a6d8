"""Markdown notes: a lesson with front matter, and the whole published base as a vault."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from kb.models import Role, Status
from tests.factories import (
    CreditFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    theme = ThemeFactory(name="Writing [things]", slug="writing")
    person = PersonFactory(name="Zoë Ångström", slug="zoe-angstrom", bio="Staff <engineer>.")
    video = VideoFactory(title="Staff | Eng", youtube_id="abcdefghijk", slug="staff-eng")
    CreditFactory(video=video, person=person, role=Role.GUEST)
    lesson = LessonFactory(
        video=video,
        slug="write-it-down",
        title="Write [it](javascript:alert(1)) down",
        body="Keep a log.\n\n- one <b>line</b> a day",
        start_seconds=3165,
        tags=[theme],
    )
    TakeawayFactory(lesson=lesson, text="Log *decisions*", start_seconds=3170)
    QuoteFactory(
        video=video,
        lesson=lesson,
        speaker=person,
        text="I write it all.",
        start_seconds=3180,
        end_seconds=3190,
    )
    twin = LessonFactory(video=video, slug="write-it-down-2", title=lesson.title, tags=[theme])
    LessonFactory(
        video=video, slug="secret", title="Secret draft", status=Status.DRAFT, tags=[theme]
    )
    LessonFactory(
        video=VideoFactory(status=Status.DRAFT), slug="hidden", title="Hidden video lesson"
    )
    return lesson, twin


def test_a_lesson_as_markdown_has_front_matter_links_and_escaped_text(
    client, published, django_assert_num_queries
):
    # The queries:
    #   the content version
    #   the published lesson, by slug, with its video
    #   its themes (prefetched)
    #   its own people (prefetched)
    #   its video's guests, with the people (prefetched)
    #   its takeaways (prefetched)
    #   its published quotes, with video and speaker (prefetched)
    with django_assert_num_queries(7):
        response = client.get("/lessons/write-it-down.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    front = text.split("---")[1]
    assert 'title: "Write [it](javascript:alert(1)) down"' in front
    assert 'tags: ["writing"]' in front and 'people: ["Zoë Ångström"]' in front
    assert 'moment: "https://www.youtube.com/watch?v=abcdefghijk&t=3165s"' in front
    assert 'url: "http://testserver/lessons/write-it-down/"' in front
    body = text.split("---", 2)[2]
    assert "# Write \\[it\\](javascript:alert(1)) down" in body  # never a link
    assert "[[People/zoe-angstrom|Zoë Ångström]]" in body
    assert "[[Videos/staff-eng|Staff   Eng]]" in body  # a label cannot end the link
    assert "[[Themes/writing|Writing  things ]]" in body
    assert "one \\<b\\>line\\</b\\> a day" in body
    assert (
        "- Log \\*decisions\\* [▶ 52:50](<https://www.youtube.com/watch?v=abcdefghijk&t=3170s>)"
        in body
    )
    assert "> I write it all." in body and "— Zoë Ångström" in body
    assert client.get("/lessons/secret.md").status_code == 404
    assert client.get("/lessons/hidden.md").status_code == 404


def test_export_markdown_writes_a_vault_of_published_notes_linked_together(published, tmp_path):
    out = io.StringIO()
    call_command("export_markdown", str(tmp_path / "vault"), stdout=out)
    vault = tmp_path / "vault"
    names = sorted(str(p.relative_to(vault)) for p in vault.rglob("*.md"))
    assert names == [
        "Career lessons.md",
        "Lessons/write-it-down-2.md",
        "Lessons/write-it-down.md",
        "People/zoe-angstrom.md",
        "Themes/writing.md",
        "Videos/staff-eng.md",
    ]
    assert "6 notes (2 lessons)" in out.getvalue()
    everything = "".join(p.read_text() for p in vault.rglob("*.md"))
    assert "Secret draft" not in everything and "Hidden video lesson" not in everything
    theme = (vault / "Themes/writing.md").read_text()
    assert "[[Lessons/write-it-down|" in theme and "[[Lessons/write-it-down-2|" in theme
    # Every wiki-link points at a note in the vault.
    for target in re.findall(r"\[\[([^|\]]+)\|", everything):
        assert (vault / f"{target}.md").exists(), target


def test_export_markdown_rewrites_its_own_folder_and_refuses_anyone_elses(published, tmp_path):
    vault = tmp_path / "vault"
    call_command("export_markdown", str(vault), stdout=io.StringIO())
    lesson, twin = published
    twin.status = Status.DRAFT
    twin.save()
    call_command("export_markdown", str(vault), stdout=io.StringIO())
    assert not (vault / "Lessons/write-it-down-2.md").exists()
    mine = tmp_path / "my notes"
    mine.mkdir()
    (mine / "diary.md").write_text("mine")
    with pytest.raises(CommandError, match="already holds files that no export wrote"):
        call_command("export_markdown", str(mine), stdout=io.StringIO())
    assert [p.name for p in mine.iterdir()] == ["diary.md"]


def test_html_in_a_video_title_or_a_persons_name_is_text_in_every_note(client, tmp_path):
    person = PersonFactory(name="<img src=x onerror=alert(1)>", slug="img", bio="<b>bio</b>")
    video = VideoFactory(title="<script>alert(2)</script> talk", slug="talk")
    CreditFactory(video=video, person=person, role=Role.GUEST)
    theme = ThemeFactory(name="<i>grit</i>", slug="grit")
    LessonFactory(video=video, slug="grit", title="Keep going", tags=[theme])
    note = client.get("/lessons/grit.md").content.decode()
    call_command("export_markdown", str(tmp_path / "vault"), stdout=io.StringIO())
    notes = [note] + [path.read_text() for path in (tmp_path / "vault").rglob("*.md")]
    for text in notes:
        body = text.split("---", 2)[2] if text.startswith("---") else text  # past the front matter
        assert not re.search(r"(?<!\\)<(script|img|b|i)\b", body), body
    assert "[[Videos/talk|\\<script\\>alert(2)\\</script\\> talk]]" in note
    assert "[[People/img|\\<img src=x onerror=alert(1)\\>]]" in note
    assert "[[Themes/grit|\\<i\\>grit\\</i\\>]]" in note
    index = (tmp_path / "vault" / "Career lessons.md").read_text()
    assert "[[People/img|\\<img src=x onerror=alert(1)\\>]]" in index
