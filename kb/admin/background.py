"""Work the admin's import does outside its request, and how the import's page knows that
work is still alive (docs/hardening.md, "Background imports").

Big work goes on the task queue: Django's tasks API (the `django-tasks` backport of
Django 6.0's `django.tasks`) with its database backend, so that any app server enqueues it
and any worker process (`manage.py db_worker`, one or more per host) runs it. With
`DJANGO_TASKS_INLINE=1` the same task runs at once, in the request that enqueued it.

A worker can die in the middle of an import (a restart, a deploy, the memory killer): its
import's transaction is then rolled back and nothing is half-stored, but nobody records
that the work stopped, and the queue keeps its task "running" for ever. So the job names
its worker (host, process and when that process started) and keeps a heartbeat, its
`updated_at`, touched every BEAT seconds by a thread of its own. The page calls the work
interrupted when that process is gone (seen directly on the same host) or, from another
host, when the heartbeat is older than STALLED; the editor may then start it again. The
queue does not retry on its own: a worker that died may have died of this very upload
(the memory killer), and a retry would kill the next one.

The same heartbeat keeps the time limit (settings.TASK_TIME_LIMIT): work that runs past it
is reported failed and stopped, its transaction rolled back.
"""

import ctypes
import datetime
import logging
import os
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from kb.models import PendingImport

State = PendingImport.State
WORKING = (State.PREVIEWING, State.IMPORTING)
# Seconds between two beats; the page shows the progress the latest beat wrote.
BEAT = 5
# A heartbeat this old, from a worker on another host, means the work was cut off.
STALLED = datetime.timedelta(minutes=1)
# What the work keeps in the job's options besides the importer's: its task on the queue
# and the process doing it. Neither is an option of the import.
OWN_OPTIONS = ("task", "worker")
log = logging.getLogger(__name__)


class TimeLimitExceeded(Exception):
    """Raised in the thread doing the work once it has run past TASK_TIME_LIMIT."""


class WorkerLost(Exception):
    """What the queue records of a task whose worker stopped without finishing it."""


class Heartbeat:
    """Writes the job's progress and touches its `updated_at`, from a thread and a database
    connection of its own: outside the import's transaction, so the beat is seen (and never
    rolled back) while that transaction is open. Past the time limit it stops the work."""

    def __init__(self, job_id, *, limit: float | None = None, worker: int | None = None):
        self.job_id = job_id
        self.progress: str | None = None
        self.stopped = threading.Event()
        self.deadline = None if limit is None else time.monotonic() + limit
        self.worker = worker  # the thread doing the work, stopped at the deadline
        self.expired = False
        self.lock = threading.Lock()
        self.finished = False

    def report(self, message: str) -> None:
        """The importers' `progress` callback: the next beat writes it."""
        self.progress = message

    def touch(self) -> None:
        fields = {"updated_at": timezone.now()}
        if self.progress is not None:
            fields["progress"] = self.progress[:300]
        try:
            PendingImport.objects.filter(pk=self.job_id, state__in=WORKING).update(**fields)
        except DatabaseError:
            # SQLite lets one writer at a time: while the import's own transaction writes,
            # the beat waits, then gives up till the next. The page does not need it there:
            # SQLite is one host, where the page sees the worker's process itself.
            log.info("import %s: a heartbeat was not written", self.job_id)

    def beat(self) -> None:
        try:
            while not self.stopped.wait(BEAT):
                if self.deadline is not None and time.monotonic() > self.deadline:
                    self.expire()
                    return
                self.touch()
        finally:
            connection.close()

    def expire(self) -> None:
        """Report the work failed and stop it: an exception raised in its thread at its next
        step in Python (a database statement under way finishes first), which rolls its
        transaction back. Reported from here first, as the work may take a while to stop
        (on SQLite the write waits for the import's own transaction, and may give up)."""
        with self.lock:
            if self.finished:
                return
            self.expired = True
            try:
                _record_time_limit(self.job_id)
            except DatabaseError:
                log.info("import %s: its time limit was not recorded yet", self.job_id)
            # CPython's documented way to raise in another thread; the work runs in a
            # worker's thread that Python code cannot otherwise interrupt.
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.worker), ctypes.py_object(TimeLimitExceeded)
            )

    def finish(self) -> None:
        """The work has returned: no exception may be raised in its thread from now on."""
        with self.lock:
            self.finished = True
        self.stopped.set()


def run(work, job: PendingImport) -> None:
    """Do `work(job_id, progress)` now, in the request (small files: the editor is waiting
    for its answer), with its process named so that its death is seen."""
    PendingImport.objects.filter(pk=job.pk).update(
        options=_import_options(job) | {"worker": _this_worker()}, updated_at=timezone.now()
    )
    try:
        work(job.pk, None)
    except Exception:
        # Its process lives on, so the job would look at work till it expires, and count
        # against the editor's pending uploads.
        _failed(job.pk)
        raise


def enqueue(task, job: PendingImport) -> None:
    """Put the job's work on the queue: `task(job_id)`, a task whose body calls in_worker.
    The job names its task, so that its page can tell waiting from working from lost."""
    backend = task.get_backend()
    if not backend.supports_get_result:
        # The immediate backend (DJANGO_TASKS_INLINE): it runs the task here and now, and
        # keeps nothing to look up later.
        PendingImport.objects.filter(pk=job.pk).update(options=_import_options(job))
        task.enqueue(str(job.pk))
        return
    # In one transaction with the job's own record of it, so that no worker can start the
    # task before the job names it (the worker writes the job's options too).
    with transaction.atomic():
        result = task.enqueue(str(job.pk))
        PendingImport.objects.filter(pk=job.pk).update(
            options=_import_options(job) | {"task": result.id},
            progress="waiting for a task worker",
            updated_at=timezone.now(),
        )


def in_worker(work, job_id, task_id: str) -> None:
    """A task's body, in whichever process runs it: do `work(job_id, progress)` with this
    process named on the job, a heartbeat and the time limit."""
    job = PendingImport.objects.filter(pk=job_id, state__in=WORKING).first()
    if job is None or job.options.get("task", task_id) != task_id:
        # Removed meanwhile, or started again with another task since this one was queued.
        log.info("import %s: nothing to do for task %s", job_id, task_id)
        return
    worker = _this_worker() | {"since": timezone.now().isoformat()}
    PendingImport.objects.filter(pk=job_id).update(
        options=job.options | {"worker": worker}, progress="", updated_at=timezone.now()
    )
    limit = settings.TASK_TIME_LIMIT or None  # 0: none
    heartbeat = Heartbeat(job_id, limit=limit, worker=threading.get_ident())
    pulse = threading.Thread(target=heartbeat.beat, name=f"import-{job_id}-beat", daemon=True)
    pulse.start()
    try:
        try:
            work(job_id, heartbeat.report)
        finally:
            heartbeat.finish()
            pulse.join()
    except TimeLimitExceeded:
        log.warning("import %s: stopped at the time limit", job_id)
        _record_time_limit(job_id)
        raise  # the queue records the task as failed
    except Exception:
        log.exception("import %s stopped", job_id)
        _failed(job_id)
        raise


def _import_options(job) -> dict:
    return {key: value for key, value in job.options.items() if key not in OWN_OPTIONS}


def _failed(job_id) -> None:
    PendingImport.objects.filter(pk=job_id).update(
        state=State.FAILED,
        result="the import stopped unexpectedly (logged)",
        updated_at=timezone.now(),
    )


def _record_time_limit(job_id) -> None:
    job = PendingImport.objects.filter(pk=job_id).only("name", "options").first()
    if job is None:
        return
    minutes = f"{settings.TASK_TIME_LIMIT / 60:g}"
    stored = (
        "the files imported before it were stored, the one at work and those after it were not"
        if job.options.get("batch")
        else "nothing was stored"
    )
    PendingImport.objects.filter(pk=job_id, state__in=WORKING).update(
        state=State.FAILED,
        result=f"{job.name}: stopped after {minutes} minutes, the most background work may "
        f"take (DJANGO_TASK_TIME_LIMIT): {stored}.",
        data=b"",
        updated_at=timezone.now(),
    )


def _task(job: PendingImport):
    """The job's task on the queue, or None: none queued (its work runs or ran in a
    request), or the queue no longer knows it."""
    task_id = job.options.get("task")
    if not task_id:
        return None
    if not hasattr(job, "_queued"):  # looked up once per page
        try:
            job._queued = task_backends["default"].get_result(task_id)
        except (TaskResultDoesNotExist, NotImplementedError):
            job._queued = None
    return job._queued


def waiting(job: PendingImport) -> datetime.timedelta | None:
    """How long the job's task has waited for a worker to take it; None once taken."""
    task = _task(job)
    if job.state not in WORKING or task is None or task.status != TaskResultStatus.READY:
        return None
    return timezone.now() - task.enqueued_at


def interrupted(job: PendingImport) -> bool:
    """Its work stopped without recording how it ended."""
    if job.state not in WORKING:
        return False
    task = _task(job)
    if task is not None and task.status == TaskResultStatus.READY:
        return False  # waiting for a worker, which will take it whenever one runs
    if task is not None and task.status != TaskResultStatus.RUNNING:
        return True  # the task ended, and the job still says it is at work
    worker = job.options.get("worker") or {}
    since = worker.get("since")
    if since and settings.TASK_TIME_LIMIT:
        limit = datetime.timedelta(seconds=settings.TASK_TIME_LIMIT) + STALLED
        if datetime.datetime.fromisoformat(since) < timezone.now() - limit:
            return True  # past the time limit, and its heartbeat did not stop it
    if worker.get("host") == socket.gethostname() and worker.get("started"):
        return _started(worker["pid"]) != worker["started"]
    heartbeat = job.updated_at
    if task is not None and task.started_at and not worker:
        heartbeat = max(heartbeat, task.started_at)  # taken, the job not yet named
    return heartbeat < timezone.now() - STALLED


def settle(job: PendingImport) -> None:
    """Record on the queue that an interrupted job's task has ended: a worker killed at
    work leaves it "running" for ever."""
    task = _task(job)
    if task is None or task.status != TaskResultStatus.RUNNING:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task.id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.{WorkerLost.__qualname__}",
        traceback=f"The worker doing import {job.pk} stopped without finishing it "
        f"({job.options.get('worker')}).",
    )


def _this_worker() -> dict:
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "started": _started(pid)}


def _started(pid: int) -> str:
    """When process `pid` started (Linux's /proc: clock ticks since boot), so that a new
    process given a dead one's pid, as a restarted container's often is, is not taken for
    it; "" where there is no such process, or no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return ""
    # The command name, in brackets, may hold spaces: count the fields after it.
    return stat.rpartition(")")[2].split()[19]
