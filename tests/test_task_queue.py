"""Background work on a real task queue (issue 41; docs/deployment.md, "Task workers"): a big
upload in the admin is a task on the database queue, run by whichever worker process takes
it; a worker killed at work leaves its job reported interrupted, never at work for ever,
and the editor can start it again; work past the time limit is reported failed and stopped.
"""

import datetime
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.big_page import stretch
from kb.admin import background, importing
from kb.models import PendingImport, Video
from tests.factories import PendingImportFactory

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "support-desk-to-engineering-manager.txt"
State = PendingImport.State


@pytest.fixture(autouse=True)
def groups(migration_data):
    """The Editors group `editor` joins: a transactional test's flush removed it."""


@pytest.fixture
def everything_queued(monkeypatch):
    """Every upload counts as big, so that a page of a few seconds' work goes to the queue."""
    monkeypatch.setattr(importing, "BACKGROUND_BYTES", 1)


def upload(client, name="talk.txt", data=None):
    data = SAMPLE.read_bytes() if data is None else data
    return client.post("/admin/kb/video/import/", {"file": SimpleUploadedFile(name, data)})


def wait_for(condition, seconds=60, what="the condition"):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s"
        time.sleep(0.1)
    return found


@pytest.mark.django_db
def test_a_big_upload_is_a_task_on_the_queue_not_a_thread_of_the_web_process(
    client, editor, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def no_threads(thread):
        raise AssertionError(f"a thread was started in the web process: {thread.name}")

    monkeypatch.setattr(threading.Thread, "start", no_threads)
    text = stretch(SAMPLE.read_text(encoding="utf-8"), 300)
    assert len(text.encode()) > importing.BACKGROUND_BYTES
    response = upload(client, "long-talk.txt", text.encode())
    assert response.status_code == 302

    job = PendingImport.objects.get()
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY  # queued: no worker has run it
    assert task.task_path == "kb.admin.importing.preview_in_background"
    assert task.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
    assert job.options["task"] == str(task.id) and "worker" not in job.options
    body = client.get(response["Location"]).content.decode()
    assert "waiting for a task worker" in body and 'http-equiv="refresh"' in body
    assert "stopped without finishing" not in body

    # A queue with no worker: the job still waits (never called interrupted, which would
    # offer to queue it twice), and its page says what to ask after a minute.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=3))
    PendingImport.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=3))
    body = client.get(response["Location"]).content.decode()
    assert "No task worker has taken it in 3 minutes" in body and "db_worker" in body
    assert 'name="retry"' not in body


@pytest.mark.django_db(transaction=True)
def test_a_task_survives_its_worker_being_killed(client, editor, task_worker, everything_queued):
    """kill -9 of the worker at work: the page says so at once, the queue's task is
    recorded as failed rather than running for ever, and Try again queues it anew for
    another worker, which finishes it."""
    worker = task_worker()
    text = stretch(SAMPLE.read_text(encoding="utf-8"), 100)  # seconds of work
    status = upload(client, "long-talk.txt", text.encode())["Location"]
    job = PendingImport.objects.get()
    first_task = job.options["task"]

    def at_work():
        job.refresh_from_db()
        return job.options.get("worker", {}).get("pid") == worker.pid

    wait_for(at_work, what="the worker taking the task")
    time.sleep(0.5)
    assert DBTaskResult.objects.get(id=first_task).status == TaskResultStatus.RUNNING
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    job.refresh_from_db()
    assert job.state == State.PREVIEWING, "the work finished before its worker was killed"

    body = client.get(status).content.decode()
    assert "stopped without finishing" in body and "nothing was stored" in body
    assert 'name="retry"' in body and 'http-equiv="refresh"' not in body
    lost = DBTaskResult.objects.get(id=first_task)
    assert lost.status == TaskResultStatus.FAILED and lost.finished_at is not None
    assert lost.exception_class_path == "kb.admin.background.WorkerLost"
    assert not Video.objects.exists()

    response = client.post("/admin/kb/video/import/", {"upload": str(job.pk), "retry": "1"})
    assert response["Location"] == status
    job.refresh_from_db()
    assert job.options["task"] != first_task and "worker" not in job.options
    task_worker()
    job = wait_for(
        lambda: PendingImport.objects.filter(state=State.PREVIEWED).first(),
        seconds=120,
        what="the preview started again",
    )
    body = client.get(status).content.decode()
    assert "would import from-support-desk-to-engineering-manager" in body
    wait_for(
        lambda: DBTaskResult.objects.filter(
            id=job.options["task"], status=TaskResultStatus.SUCCESSFUL
        ).exists(),
        what="the task recorded as done",
    )


@pytest.mark.django_db
def test_a_worker_seen_only_through_its_heartbeat_is_interrupted_a_minute_after_it_stops(
    editor, settings
):
    """From another host the process cannot be looked at: a task still "running" on the
    queue whose heartbeat is over a minute old is cut off."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = PendingImportFactory(user=editor, state=State.IMPORTING)
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [str(job.pk)], "kwargs": {}},
        task_path="kb.admin.importing.import_in_background",
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
    )
    since = timezone.now().isoformat()
    worker = {"host": "another-host", "pid": 1, "started": "1", "since": since}
    PendingImport.objects.filter(pk=job.pk).update(options={"task": str(task.id), "worker": worker})
    job.refresh_from_db()
    assert not background.interrupted(job)
    PendingImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    job.refresh_from_db()
    assert background.interrupted(job)


@pytest.mark.django_db(transaction=True)
def test_work_past_the_time_limit_is_reported_failed_and_stopped(
    client, editor, everything_queued, settings, monkeypatch
):
    """Run by a worker in this process (the queue's own Worker, as db_worker runs it), with
    a limit of one second and a document that would take a minute to read."""
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_TIME_LIMIT = 1
    monkeypatch.setattr(background, "BEAT", 0.1)
    reading = {"steps": 0}

    def slow_read(*args, **kwargs):
        for _ in range(600):
            reading["steps"] += 1
            time.sleep(0.1)
        raise AssertionError("the time limit did not stop the work")

    monkeypatch.setattr(importing, "read_document", slow_read)
    status = upload(client)["Location"]
    job = PendingImport.objects.get()
    started = time.monotonic()
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=1, worker_id="in-this-test", excluded_queue_names=[],
    ).run()  # fmt: skip
    assert time.monotonic() - started < 10 and reading["steps"] < 100

    task = DBTaskResult.objects.get(id=job.options["task"])
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "kb.admin.background.TimeLimitExceeded"
    body = client.get(status).content.decode()
    assert "talk.txt: stopped after" in body and "DJANGO_TASK_TIME_LIMIT" in body
    assert "nothing was stored" in body and 'http-equiv="refresh"' not in body
    assert not PendingImport.objects.exists()  # the failure was shown, the upload dropped


@pytest.mark.django_db
def test_work_past_the_time_limit_whose_heartbeat_stopped_is_interrupted(editor, settings):
    """A process still alive but no longer beating (wedged): the limit still ends it."""
    settings.TASK_TIME_LIMIT = 60
    job = PendingImportFactory(user=editor, state=State.IMPORTING)
    since = timezone.now() - datetime.timedelta(minutes=1, seconds=30)
    worker = background._this_worker() | {"since": since.isoformat()}
    PendingImport.objects.filter(pk=job.pk).update(options={"worker": worker})
    job.refresh_from_db()
    assert not background.interrupted(job)
    since = timezone.now() - datetime.timedelta(minutes=2, seconds=30)
    PendingImport.objects.filter(pk=job.pk).update(
        options={"worker": worker | {"since": since.isoformat()}}
    )
    job.refresh_from_db()
    assert background.interrupted(job)


@pytest.mark.django_db
def test_a_task_for_work_started_again_since_does_nothing(editor):
    """Try again queues a new task: one left from before, taken late, must not do the
    work a second time beside it."""
    job = PendingImportFactory(user=editor, state=State.PREVIEWING, options={"task": "new"})
    done = []
    background.in_worker(lambda job_id, progress: done.append(job_id), job.pk, "old")
    assert done == []
    background.in_worker(lambda job_id, progress: done.append(job_id), job.pk, "new")
    assert done == [job.pk]
    job.refresh_from_db()
    assert job.options["worker"]["host"] == socket.gethostname()


@pytest.mark.django_db
def test_with_tasks_inline_a_big_upload_is_previewed_in_its_request(
    client, editor, everything_queued
):
    """DJANGO_TASKS_INLINE=1 (the tests' default): no worker, the request does the work."""
    response = upload(client)
    assert response.status_code == 200
    assert "would import from-support-desk-to-engineering-manager" in response.content.decode()
    assert not DBTaskResult.objects.exists()
