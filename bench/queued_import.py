"""Benchmark: an import through the task queue, as the admin's upload of a big file runs
it, into bases of several sizes side by side: from the moment it is queued to the video
stored (what the editor waits for), then to the queue empty (the insights it proposes and
the cards it draws), and the task worker's peak memory.

    .venv/bin/python bench/queued_import.py NAME=DATABASE_URL... [--runs 3]

For each database (give copies: each run adds a video): starts `manage.py db_worker` on
it, then, `--runs` times, stores an upload of the seed page under a title of its own (a
new video), queues its import exactly as the admin's confirm button does
(kb.admin.importing.start → background.enqueue), and polls the job and the queue. The
databases take turns, run by run; a worker's first import (its models loaded, the meaning
index's files mapped or written) is shown apart. Prints a Markdown table; results go in a dated file
under bench/results/. Nothing here runs in CI.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py: env(), the seed page

ONE = r"""
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult
from kb.admin import importing
from kb.models import PendingImport, Video

page = open(sys.argv[1], encoding="utf-8").read()
title = sys.argv[2]
lines = page.split("\n")
at = lines.index("Video thumbnail") + 2
lines[at] = title
data = "\n".join(lines).encode()
user, _ = User.objects.get_or_create(username="bench-editor")
options = {"fmt": "auto", "video_slug": "", "youtube_id": "", "publish": True, "update": False}
job = PendingImport.objects.create(user=user, name="talk.txt", digest="", data=data,
                                   options=options, state=PendingImport.State.IMPORTING)
started = time.perf_counter()
importing.background.enqueue(importing.import_in_background, job)
stored = None
while time.perf_counter() - started < 600:
    state = PendingImport.objects.get(pk=job.pk).state
    if state in (PendingImport.State.DONE, PendingImport.State.FAILED):
        stored = time.perf_counter() - started
        break
    time.sleep(0.05)
while time.perf_counter() - started < 600:
    if not DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).exists():
        break
    time.sleep(0.05)
idle = time.perf_counter() - started
print(json.dumps({"state": PendingImport.objects.get(pk=job.pk).state, "stored": stored,
                  "idle": idle, "videos": Video.objects.count()}))
"""


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("databases", nargs="+", metavar="NAME=URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    databases = dict(item.split("=", 1) for item in args.databases)
    workers, results = {}, {name: [] for name in databases}
    try:
        for name, url in databases.items():
            env = bench.env(url)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"], cwd=bench.ROOT, env=env,
                check=True,
            )  # fmt: skip
            workers[name] = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.1",
                 "--no-startup-delay", "--no-reload", "--queue-name", "*"],
                cwd=bench.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        time.sleep(5)  # the workers up
        names = list(databases)
        for run in range(args.runs):
            for name in names[run % len(names) :] + names[: run % len(names)]:
                title = f"A queued import, {name}, run {run} {time.time():.0f}"
                out = subprocess.run(
                    [sys.executable, "-c", ONE, str(bench.SEED), title], cwd=bench.ROOT,
                    env=bench.env(databases[name]), capture_output=True, text=True, check=True,
                )  # fmt: skip
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results[name].append(result)
                print(f"  {name} run {run}: {result}", flush=True)
        peaks = {name: peak_mb(worker.pid) for name, worker in workers.items()}
    finally:
        for worker in workers.values():
            worker.terminate()
            worker.wait()
    print(
        "\n| database | videos after | queued → stored: the worker's first, s | then, median s "
        "(runs) | queued → queue empty, median of the rest, s | worker peak MB |"
    )
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        stored = [r["stored"] if r["state"] == "done" else float("nan") for r in runs]
        idle = [r["idle"] for r in runs[1:]] or [float("nan")]
        rest = stored[1:] or [float("nan")]
        print(
            f"| {name} | {runs[-1]['videos']:,} | {stored[0]:.1f} | {statistics.median(rest):.1f} "
            f"({', '.join(f'{s:.1f}' for s in rest)}) | {statistics.median(idle):.1f} | "
            f"{peaks[name]:.0f} |"
        )


if __name__ == "__main__":
    main()
