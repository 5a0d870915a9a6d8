"""Nothing an editor did is ever lost: export, restore, backups, killed imports."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection

from kb.exchange import SCHEMA
from kb.models import (
    Credit,
    Evidence,
    Insight,
    InsightProposal,
    Lesson,
    Person,
    PersonRedirect,
    Quote,
    Role,
    Status,
    Theme,
    ThemeRedirect,
    ThemeSuggestion,
    TranscriptSegment,
    Video,
)
from tests.factories import DraftPassageFactory, MachineDraftFactory, QuoteFactory
from tests.helpers import ROOT, database_url, empty_the_database, export, restore


@pytest.mark.django_db
def test_export_restore_export_is_byte_identical(
    tmp_path, django_capture_on_commit_callbacks, samples_loaded
):
    # Edits as editors make them: each commits, and what is derived from the words
    # (keywords, vectors) follows.
    with django_capture_on_commit_callbacks(execute=True):
        lesson = Lesson.objects.order_by("pk").first()
        lesson.title = "Edited by an editor"
        lesson.status = Status.DRAFT
        lesson.save()
        lesson.tags.add("a brand new theme")
        QuoteFactory(
            video=lesson.video,
            lesson=lesson,
            text="Exact words “quoted” & kept.",
            tags=["mentoring"],
        )
        suggestion = lesson.suggestions.first()
        suggestion.status = "dismissed"
        suggestion.save()
        ThemeRedirect.objects.create(old_slug="old-name", theme=Theme.objects.get(name="mentoring"))
        guest = Person.objects.create(name="Zoë Ångström", slug="zoe-angstrom", bio="An engineer.")
        host = Person.objects.create(name="Ryan Host", slug="ryan-host", link="https://example.org")
        Credit.objects.create(video=lesson.video, person=guest, role=Role.GUEST, position=0)
        Credit.objects.create(video=lesson.video, person=host, role=Role.HOST)
        lesson.people.add(host)
        Quote.objects.filter(video=lesson.video).update(speaker=guest)
        PersonRedirect.objects.create(old_slug="zoe-a", person=guest)
        offered = ThemeSuggestion.objects.select_related("lesson", "theme").first()
        offered.status = "dismissed"
        offered.save()
        dismissed = {"lesson__slug": offered.lesson.slug, "theme__slug": offered.theme.slug}
        from kb import insights
        from kb.curation import accept_proposal, dismiss_proposal

        insights.suggest()
        accepted, refused = InsightProposal.objects.order_by("pk")[:2]
        insight = accept_proposal(accepted)
        Evidence.objects.create(insight=insight, quote=Quote.objects.first(), note="In her words")
        dismiss_proposal(refused)
        voices = insight.evidence.count()
        # A machine draft awaiting review, and a passage an editor dismissed.
        machine = MachineDraftFactory(video=lesson.video, title="Drafted by the machine")
        DraftPassageFactory(video=lesson.video, status="dismissed", start_seconds=900)

    first = export()
    data = json.loads(first)
    assert data["schema"] == SCHEMA
    assert {v["slug"] for v in data["videos"]} == set(Video.objects.values_list("slug", flat=True))

    dump = tmp_path / "kb.json"
    dump.write_text(first, encoding="utf-8")
    empty_the_database()
    out = io.StringIO()
    call_command("import_kb", str(dump), stdout=out)
    assert out.getvalue().startswith(f"restored {len(data['videos'])} videos")
    assert export() == first
    restored = Lesson.objects.get(title="Edited by an editor")
    assert restored.status == Status.DRAFT and "a brand new theme" in restored.tags.names()
    assert TranscriptSegment.objects.filter(video__transcript_exact=True).exists()
    restored_video = Video.objects.get(slug=lesson.video.slug)
    assert {("Ryan Host", "host"), ("Zoë Ångström", "guest")} <= set(
        restored_video.credits.values_list("person__name", "role")
    )
    assert [p.slug for p in restored.people.all()] == ["ryan-host"]
    assert restored_video.quotes.filter(speaker__slug="zoe-angstrom").exists()
    assert PersonRedirect.objects.get(old_slug="zoe-a").person.slug == "zoe-angstrom"
    # An editor's "not this theme" survives a restore.
    assert ThemeSuggestion.objects.get(**dismissed).status == "dismissed"
    # And so do the insights, with their evidence, and every decided proposal.
    restored_insight = Insight.objects.get(slug=insight.slug)
    assert restored_insight.evidence.count() == voices == 3
    assert restored_insight.evidence.filter(note="In her words").exclude(quote=None).exists()
    assert insights.suggest().made == []
    # Drafts stay drafts to review, and a dismissed passage stays dismissed.
    restored_draft = Lesson.objects.get(slug=machine.slug)
    assert restored_draft.machine_draft and restored_draft.draft_passage.status == "open"
    assert restored_video.draft_passages.filter(status="dismissed", lesson=None).count() == 1


@pytest.mark.django_db
def test_restore_refuses_a_full_database_or_a_foreign_file(tmp_path, samples_loaded):
    dump = tmp_path / "kb.json"
    dump.write_text(export(), encoding="utf-8")
    code, err = restore(dump)
    assert (
        code == 1
        and err
        == f"error: {dump}: the knowledge base is not empty: restore into a fresh database\n"
    )
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something-else"}')
    empty_the_database()
    code, err = restore(other)
    assert code == 1 and "not a career-kb/1 export" in err
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_a_theme_exports_as_markdown(client, samples_loaded):
    theme = Theme.objects.filter(lesson_items__isnull=False).distinct().first()
    response = client.get(f"/themes/{theme.slug}.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith(f"# {theme.name}")
    lesson = Lesson.objects.published().filter(tags=theme).first()
    assert f"## {lesson.title}" in text.replace("\\", "")


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_a_consistent_copy(tmp_path, samples_loaded):
    if connection.vendor != "sqlite":
        pytest.skip("backup_db copies SQLite; PostgreSQL uses pg_dump")
    target = tmp_path / "backup.sqlite3"
    call_command("backup_db", str(target), stdout=io.StringIO())
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM kb_video").fetchone()[0] == Video.objects.count()
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_the_database_as_it_was(tmp_path, samples_loaded):
    before = export()
    sample = (ROOT / "samples" / "shipping-small.txt").read_text(encoding="utf-8")
    header = "Quiet Craft • 2:39 minutes • Published 2024-11-02 • YouTube"
    words = sample.rsplit("\n", 2)[-2].split()
    words = [w for w in words if not w.startswith(("##", "["))]
    chapters = " ".join(
        f"## Part {n} [{n // 60:02d}:{n % 60:02d}:00] "
        + " ".join(words[(n * 31 + i) % len(words)] for i in range(2500))
        for n in range(60)
    )
    page = sample.split("📝 Transcript Chapters")[0].replace(
        header, "Bench • 61:00:00 minutes • Published 2024-11-02 • YouTube"
    )
    page = page.replace("Shipping Small: Lessons From a Decade of Startups", "A very long talk")
    path = tmp_path / "long.txt"
    path.write_text(page + "📝 Transcript (9 entries):\n\n" + chapters + "\n", encoding="utf-8")

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    env["DATABASE_URL"] = database_url()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_video", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for line in process.stdout:  # "storing ..." is printed as the transaction starts
        if "storing" in line:
            break
    assert "storing" in line, (line, process.stderr.read() if process.poll() is not None else "")
    time.sleep(0.5)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    connection.close()
    assert not Video.objects.filter(title="A very long talk").exists()
    assert export() == before


def proposals_known_by_their_lessons() -> bool:
    from kb.insights import signature

    return all(
        p.signature == signature(p.kind, [m.lesson_id for m in p.members.all()])
        for p in InsightProposal.objects.prefetch_related("members")
    )


def proposed_lessons() -> list:
    return sorted(
        (p.kind, p.status, sorted(m.lesson.slug for m in p.members.all()))
        for p in InsightProposal.objects.prefetch_related("members__lesson")
    )


@pytest.mark.django_db
def test_a_backup_restores_after_videos_in_proposals_were_deleted(tmp_path, samples_loaded):
    """Issue 36: deleting, as the admin does, the videos that take part in proposals left
    proposals known by lessons they no longer had, two of them of the same lessons, and the
    backup was refused."""
    in_proposals = Video.objects.filter(
        lessons__pk__in=InsightProposal.objects.values("members__lesson")
    ).distinct()
    assert InsightProposal.objects.count() >= 2 and in_proposals.count() >= 3
    for video in list(in_proposals.order_by("pk"))[:2]:
        Video.objects.filter(pk=video.pk).delete()  # the admin's "delete selected"

    assert proposals_known_by_their_lessons()
    for proposal in InsightProposal.objects.prefetch_related("members__lesson"):
        assert len({m.lesson.video_id for m in proposal.members.all()}) >= 2
    before = proposed_lessons()
    dump = tmp_path / "kb.json"
    dump.write_text(export(), encoding="utf-8")
    empty_the_database()
    assert restore(dump) == (0, "")
    assert proposals_known_by_their_lessons()
    assert proposed_lessons() == before


@pytest.mark.django_db
def test_an_older_backup_with_two_proposals_of_the_same_lessons_restores(tmp_path, samples_loaded):
    data = json.loads(export())
    proposal = data["insight_proposals"][0]
    data["insight_proposals"].append({**proposal, "status": "dismissed", "title": "Twin"})
    dump = tmp_path / "kb.json"
    dump.write_text(json.dumps(data), encoding="utf-8")
    empty_the_database()

    assert restore(dump) == (0, "")
    # The editor's decision is what stays of the two.
    kept = InsightProposal.objects.get(title="Twin")
    assert kept.status == "dismissed"
    assert InsightProposal.objects.count() == len(data["insight_proposals"]) - 1


@pytest.mark.django_db
def test_the_migration_mends_proposals_stored_before(samples_loaded):
    import importlib

    from django.apps import apps

    from kb.models import ProposedLesson

    mend = importlib.import_module("kb.migrations.0030_mend_proposals").mend
    found = InsightProposal.objects.order_by("pk").first()
    lessons = list(found.members.order_by("position").values_list("lesson_id", flat=True))
    # As older code left them: a twin of `found` known by lessons it no longer has, and a
    # proposal left with one video's lesson.
    twin = InsightProposal.objects.create(
        kind=found.kind, title="Twin", signature="stale-1", status="dismissed"
    )
    ProposedLesson.objects.bulk_create(
        ProposedLesson(proposal=twin, lesson_id=pk, position=n) for n, pk in enumerate(lessons)
    )
    alone = InsightProposal.objects.create(kind="agree", title="Alone", signature="stale-2")
    ProposedLesson.objects.create(proposal=alone, lesson_id=lessons[0], position=0)

    mend(apps, None)

    assert proposals_known_by_their_lessons()
    # The editor's decision stays; the open twin and the one-video proposal go.
    assert InsightProposal.objects.filter(pk=twin.pk, status="dismissed").exists()
    assert not InsightProposal.objects.filter(pk__in=[found.pk, alone.pk]).exists()
