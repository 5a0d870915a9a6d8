"""Big files in the admin (issue 13): the upload stays on the server between preview and
confirm, and the work runs outside the request, on the task queue (issue 41), with its
progress on the page."""

import datetime
import os
import socket
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from bench.big_page import stretch
from kb.admin import background
from kb.models import PendingImport, Video
from tests.factories import PendingImportFactory
from tests.helpers import follow_until

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "support-desk-to-engineering-manager.txt"


@pytest.fixture(autouse=True)
def groups(migration_data):
    """The Editors group `editor` joins: a transactional test's flush removed it."""


@pytest.mark.slow  # the slowest test of all: `make test-all` and CI run it
@pytest.mark.django_db(transaction=True)
def test_a_three_megabyte_page_previews_and_imports_in_the_background(client, editor, task_worker):
    task_worker()  # another process, as on a server: the web process only enqueues
    text = stretch(SAMPLE.read_text(encoding="utf-8"), 750)
    assert len(text.encode()) > 3_000_000  # above Django's 2.5 MB limit for a form's fields
    response = client.post(
        "/admin/kb/video/import/",
        {"file": SimpleUploadedFile("long-talk.txt", text.encode()), "publish": "on"},
    )
    assert response.status_code == 302  # to the page that shows the work
    status = response["Location"]

    pages = follow_until(client, status, lambda r: r.context and r.context.get("preview"))
    working = pages[0].content.decode()  # reading 3 MB takes seconds: the first look is early
    assert 'http-equiv="refresh"' in working and "Reading the file: long-talk.txt" in working
    preview = pages[-1].content.decode()
    assert "would import from-support-desk-to-engineering-manager" in preview
    assert not Video.objects.exists()
    job = PendingImport.objects.get()
    assert len(job.data) == len(text.encode())  # kept on the server, not in the form

    response = client.post("/admin/kb/video/import/", {"upload": str(job.pk), "confirm": "1"})
    assert response.status_code == 302
    pages = follow_until(client, response["Location"], lambda r: r.status_code == 302)
    video = Video.objects.get()
    assert pages[-1]["Location"] == f"/admin/kb/video/{video.pk}/change/"
    assert video.segments.count() > 80_000 and video.lessons.count() == 6
    assert not PendingImport.objects.exists()  # cleaned up once done


def stale(job, **ago):
    PendingImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(**ago)
    )


@pytest.mark.django_db
def test_work_cut_off_by_a_restart_says_so_stored_nothing_and_can_be_tried_again(client, editor):
    job = PendingImportFactory(
        user=editor, name="talk.txt", data=SAMPLE.read_bytes(), state=PendingImport.State.IMPORTING
    )
    stale(job, hours=1)
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert "stopped without finishing" in body and "nothing was stored" in body
    assert 'http-equiv="refresh"' not in body and 'name="retry"' in body
    assert not Video.objects.exists()

    response = client.post("/admin/kb/video/import/", {"upload": str(job.pk), "retry": "1"})
    video = Video.objects.get()  # the upload kept on the server, imported this time
    assert response["Location"] == f"/admin/kb/video/{video.pk}/change/"
    assert not PendingImport.objects.exists()


@pytest.mark.django_db
def test_work_whose_heartbeat_from_another_host_stopped_a_minute_ago_shows_as_interrupted(
    client, editor
):
    worker = {"host": "another-host", "pid": 1, "started": "1"}
    job = PendingImportFactory(
        user=editor, state=PendingImport.State.PREVIEWING, options={"worker": worker}
    )
    stale(job, seconds=90)
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert "stopped without finishing" in body and "Try again" in body
    assert "Reading the file" not in body


@pytest.mark.django_db
def test_work_whose_process_on_this_host_has_ended_shows_as_interrupted_at_once(client, editor):
    worker = {"host": socket.gethostname(), "pid": os.getpid(), "started": "not this process"}
    job = PendingImportFactory(
        user=editor, state=PendingImport.State.IMPORTING, options={"worker": worker}
    )
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert "stopped without finishing" in body


@pytest.mark.django_db
def test_work_whose_process_is_alive_shows_as_working(client, editor):
    job = PendingImportFactory(user=editor, state=PendingImport.State.PREVIEWING)
    PendingImport.objects.filter(pk=job.pk).update(options={"worker": background._this_worker()})
    stale(job, minutes=5)  # SQLite: a long transaction holds the beat back; the process is here
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in body and "Reading the file" in body


@pytest.mark.django_db
def test_the_heartbeat_writes_the_progress_and_touches_the_job(editor):
    job = PendingImportFactory(user=editor, state=PendingImport.State.IMPORTING)
    stale(job, hours=1)
    heartbeat = background.Heartbeat(job.pk)
    heartbeat.report("talk.txt: storing 80000 segments")
    heartbeat.touch()
    job.refresh_from_db()
    assert job.progress == "talk.txt: storing 80000 segments"
    assert job.updated_at > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.django_db
@override_settings(IMPORT_PENDING_PER_EDITOR=2)
def test_an_upload_past_the_editors_limit_drops_their_oldest_awaiting_confirmation(client, editor):
    oldest, newer = PendingImportFactory(user=editor), PendingImportFactory(user=editor)
    PendingImport.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    someone_elses = PendingImportFactory()
    response = client.post(
        "/admin/kb/video/import/", {"file": SimpleUploadedFile("talk.txt", SAMPLE.read_bytes())}
    )
    assert f"dropped the oldest ({oldest.name})" in response.content.decode()
    kept = set(PendingImport.objects.values_list("pk", flat=True))
    assert oldest.pk not in kept and {newer.pk, someone_elses.pk} <= kept and len(kept) == 3


@pytest.mark.django_db
@override_settings(IMPORT_PENDING_PER_EDITOR=2)
def test_an_editor_with_the_limit_at_work_is_refused_and_nothing_is_kept(client, editor):
    for _ in range(2):
        job = PendingImportFactory(user=editor, state=PendingImport.State.IMPORTING)
        PendingImport.objects.filter(pk=job.pk).update(
            options={"worker": background._this_worker()}
        )
    response = client.post(
        "/admin/kb/video/import/", {"file": SimpleUploadedFile("talk.txt", SAMPLE.read_bytes())}
    )
    assert "You have 2 uploads at work already" in response.content.decode()
    assert PendingImport.objects.count() == 2 and not Video.objects.exists()


@pytest.mark.django_db
def test_old_uploads_are_removed_whenever_the_import_page_is_opened(client, editor):
    old = PendingImportFactory(user=editor, data=b"x" * 1000)
    PendingImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    assert client.get("/admin/kb/video/import/").status_code == 200
    assert not PendingImport.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_a_preview_that_crashes_in_its_request_is_not_left_looking_at_work(
    client, editor, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("kb.admin.importing.read_document", crash)
    with pytest.raises(RuntimeError):
        client.post("/admin/kb/video/import/", {"file": SimpleUploadedFile("talk.txt", b"a talk")})
    job = PendingImport.objects.get()
    assert job.state == PendingImport.State.FAILED
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert "the import stopped unexpectedly" in body and 'http-equiv="refresh"' not in body
