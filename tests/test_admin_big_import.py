"""Big files in the admin (issue 13): the upload stays on the server between preview and
confirm, and the work runs outside the request with its progress on the page."""

import datetime
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bench.big_page import stretch
from kb.models import PendingImport, Video

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "support-desk-to-engineering-manager.txt"


@pytest.fixture(autouse=True)
def groups(migration_data):
    """The Editors group `editor` joins: a transactional test's flush removed it."""


def follow_until(client, url, done, seconds=120):
    """GET `url` as the page's own refresh would, until `done(response)`; returns the
    responses seen."""
    seen, deadline = [], time.monotonic() + seconds
    while True:
        response = client.get(url)
        seen.append(response)
        if done(response):
            return seen
        assert time.monotonic() < deadline, response.content.decode()[:2000]
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_a_three_megabyte_page_previews_and_imports_in_the_background(client, editor):
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
    assert "would have imported from-support-desk-to-engineering-manager" in preview
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


@pytest.mark.django_db
def test_work_cut_off_by_a_restart_says_so_and_stored_nothing(client, editor):
    job = PendingImport.objects.create(
        user=User.objects.get(username="ed"),
        name="talk.txt",
        digest="0" * 64,
        data=b"x",
        state=PendingImport.State.IMPORTING,
    )
    PendingImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    body = client.get(f"/admin/kb/video/import/{job.pk}/").content.decode()
    assert "stopped without finishing" in body and "nothing was stored" in body
    assert not PendingImport.objects.exists() and not Video.objects.exists()


@pytest.mark.django_db
def test_old_uploads_are_removed(client, editor):
    old = PendingImport.objects.create(
        user=User.objects.get(username="ed"), name="old.txt", digest="0" * 64, data=b"x" * 1000
    )
    PendingImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    client.post(
        "/admin/kb/video/import/",
        {"file": SimpleUploadedFile("talk.txt", SAMPLE.read_bytes())},
    )
    assert not PendingImport.objects.filter(pk=old.pk).exists()
