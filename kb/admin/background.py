"""Work the admin's import does outside its request, and how the import's page knows that
work is still alive (docs/hardening.md, "Background imports").

A worker process can die in the middle of an import (a restart, a deploy, the memory
killer): its import's transaction is then rolled back and nothing is half-stored, but
nobody records that the work stopped. So the job names its worker (host, process and when
that process started) and keeps a heartbeat, its `updated_at`, touched every BEAT seconds
by a thread of its own. The page calls the work interrupted when that process is gone (seen
directly on the same host) or, from another host, when the heartbeat is older than STALLED.

All of it is here, so that it moves in one piece when the work goes to a task queue.
"""

import datetime
import logging
import os
import socket
import threading
from pathlib import Path

from django.db import DatabaseError, connection
from django.utils import timezone

from kb.models import PendingImport

State = PendingImport.State
WORKING = (State.PREVIEWING, State.IMPORTING)
# Seconds between two beats; the page shows the progress the latest beat wrote.
BEAT = 5
# A heartbeat this old, from a worker on another host, means the work was cut off.
STALLED = datetime.timedelta(minutes=1)
log = logging.getLogger(__name__)


class Heartbeat:
    """Writes the job's progress and touches its `updated_at`, from a thread and a database
    connection of its own: outside the import's transaction, so the beat is seen (and never
    rolled back) while that transaction is open."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.progress: str | None = None
        self.stopped = threading.Event()

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
                self.touch()
        finally:
            connection.close()


def run(work, job: PendingImport, *, in_thread: bool) -> None:
    """Do `work(job_id, progress)`: now, in the request (small files: the editor is waiting
    for its answer, and its process is named so that its death is seen), or in a thread of
    this process with a heartbeat."""
    PendingImport.objects.filter(pk=job.pk).update(
        options=job.options | {"worker": _this_worker()}, updated_at=timezone.now()
    )
    if in_thread:
        threading.Thread(target=_in_thread, args=(work, job.pk), name=f"import-{job.pk}").start()
        return
    try:
        work(job.pk, None)
    except Exception:
        # Its process lives on, so the job would look at work till it expires, and count
        # against the editor's pending uploads.
        _failed(job.pk)
        raise


def _failed(job_id) -> None:
    PendingImport.objects.filter(pk=job_id).update(
        state=State.FAILED,
        result="the import stopped unexpectedly (logged)",
        updated_at=timezone.now(),
    )


def _in_thread(work, job_id) -> None:
    heartbeat = Heartbeat(job_id)
    pulse = threading.Thread(target=heartbeat.beat, name=f"import-{job_id}-beat", daemon=True)
    pulse.start()
    try:
        work(job_id, heartbeat.report)
    except Exception:  # noqa: BLE001 - a thread has no one to raise to: record it
        log.exception("import %s stopped", job_id)
        _failed(job_id)
    finally:
        heartbeat.stopped.set()
        pulse.join()
        connection.close()


def interrupted(job: PendingImport) -> bool:
    """Its work stopped without recording how it ended."""
    if job.state not in WORKING:
        return False
    worker = job.options.get("worker") or {}
    if worker.get("host") == socket.gethostname() and worker.get("started"):
        return _started(worker["pid"]) != worker["started"]
    return job.updated_at < timezone.now() - STALLED


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
