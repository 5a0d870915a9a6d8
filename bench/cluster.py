"""Two app servers and a task worker behind a load balancer, on one PostgreSQL and one
Redis, under load while an editor imports, publishes and unpublishes.

    bench/cluster.sh [--seconds 30] [--connections 32]     (--short: what CI runs)

Creates the database `kb_cluster` (dropped first if there) and migrates it once, loads
the samples, collects the static files once; starts two gunicorn servers as two hosts
would run them (separate processes and ports, the same DATABASE_URL and REDIS_URL, the
page cache on), a task worker (`manage.py db_worker`) on the same settings, and HAProxy
in front, which health-checks each server on /healthz. Then wrk drives the reading pages
through HAProxy while this process, as an editor, puts a big import on the task queue as
the admin does (run by the worker, published) and unpublishes and republishes lessons
over and over: after each change it asks each server directly and the balancer twice
for the lesson's page, which must be a 404 at once after an unpublish and a 200 after a
republish (a page either server had cached is stale then). The imported video's page
must then answer 200 from each server and the balancer.

Prints a Markdown table (results go in a dated file under bench/results/, cited from
docs/deployment.md#several-app-servers); exits 1 on any error, non-2xx or stale page, or
an import the worker did not finish. Only loopback addresses are used; every step is
bounded in time.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import search as bench  # noqa: E402 - bench/search.py: env(), wait_for()
from load import read_wrk  # noqa: E402 - bench/load.py

BALANCER, SERVERS = 8780, (8781, 8782)
DATABASE = "kb_cluster"


def settings_env(database_url: str, redis_url: str) -> dict:
    """What every host gets: the same settings, from the environment
    (docs/deployment.md#several-app-servers)."""
    return bench.env(database_url, REDIS_URL=redis_url, GUNICORN_WORKERS="2")


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )


def fresh_database(server_url: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        pg.execute(f"CREATE DATABASE {DATABASE}")
    return f"{server_url}/{DATABASE}"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


HAPROXY = """
global
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    option http-keep-alive
backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
{servers}
frontend site
    bind 127.0.0.1:{port}
    default_backend app
"""

# wrk cycles through the reading pages, one request each in turn.
WRK_SCRIPT = """
local paths = {{{paths}}}
local n = 0
request = function()
    n = n + 1
    return wrk.format(nil, paths[(n % #paths) + 1])
end
"""


def wrk(paths: list[str], seconds: int, connections: int, folder: Path) -> subprocess.Popen:
    script = folder / "pages.lua"
    script.write_text(WRK_SCRIPT.format(paths=", ".join(f'"{p}"' for p in paths)))
    return subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{BALANCER}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def editor(deadline: float) -> dict:
    """Unpublish and republish lessons until `deadline`; after each change, the lesson's
    page from each server and twice through the balancer (round robin: both)."""
    from kb.models import Lesson, Status

    lessons = list(Lesson.objects.published().order_by("pk")[10:])
    cycles = stale = 0
    stale_seen = []
    while time.monotonic() < deadline:
        lesson = lessons[cycles % len(lessons)]
        urls = [f"http://127.0.0.1:{port}{lesson.get_absolute_url()}" for port in SERVERS]
        urls += [f"http://127.0.0.1:{BALANCER}{lesson.get_absolute_url()}"] * 2
        for url in urls:  # cached on both servers, as readers leave it
            status_of(url)
        for status, expected in ((Status.DRAFT, 404), (Status.PUBLISHED, 200)):
            lesson.status = status
            lesson.save()
            for url in urls:
                got = status_of(url)
                if got != expected:
                    stale += 1
                    stale_seen.append(f"{url} {got} (expected {expected})")
        cycles += 1
    return {"cycles": cycles, "checks": cycles * 2 * len(urls), "stale": stale, "seen": stale_seen}


def enqueue_import() -> tuple:
    """An editor's big upload confirmed in the admin: a new talk (a sample page under
    another title, forty times as long), imported and published by a task on the queue."""
    from big_page import stretch  # bench/big_page.py
    from django.contrib.auth.models import User

    from kb.admin import background, importing
    from kb.importers.documents import source_hash
    from kb.models import PendingImport

    page = (ROOT / "samples" / "shipping-small.txt").read_text(encoding="utf-8")
    page = stretch(page.replace("Shipping Small:", "Shipping Smaller:", 1), 40).encode()
    user, _ = User.objects.get_or_create(username="cluster-editor")
    job = PendingImport.objects.create(
        user=user, name="shipping-smaller.txt", digest=source_hash(page), data=page,
        state=PendingImport.State.IMPORTING,
        options={"fmt": "auto", "video_slug": "", "youtube_id": "", "publish": True, "update": False},
    )  # fmt: skip
    background.enqueue(importing.import_in_background, job)
    return job.pk, len(page)


def imported(job_id, deadline: float) -> tuple[str, float]:
    """Wait for the worker to finish the import: (the video's path, seconds from its
    enqueueing to its end, as the job recorded them)."""
    from kb.models import PendingImport

    while time.monotonic() < deadline:
        job = PendingImport.objects.select_related("video").get(pk=job_id)
        if job.state == PendingImport.State.DONE:
            took = (job.updated_at - job.created_at).total_seconds()
            return job.video.get_absolute_url(), took
        if job.state == PendingImport.State.FAILED:
            sys.exit(f"the worker's import failed: {job.result}")
        time.sleep(0.2)
    sys.exit(f"the worker did not finish the import in time ({job.state}: {job.progress})")


# gunicorn's graceful_timeout (config/gunicorn.py) and a margin: how long a server may take
# to stop once told to, its workers finishing what they were doing.
STOPPING_SECONDS = 45


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, and every process of it: asked first,
    then killed if it has not stopped in STOPPING_SECONDS (its measurements are taken)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOPPING_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOPPING_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--short", action="store_true", help="5 s of load (CI)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    seconds = 5 if args.short else args.seconds
    started = time.monotonic()
    database_url = fresh_database(args.postgres)
    env = settings_env(database_url, args.redis)
    import redis

    redis.Redis.from_url(args.redis, socket_timeout=2).flushdb()
    # Once for the whole deployment, not once per host.
    manage(env, "migrate", "--no-input")
    manage(env, "load_samples")
    manage(env, "collectstatic", "--no-input", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from kb.models import Lesson, Theme, Video

    lesson = Lesson.objects.published().order_by("pk").first()
    paths = [
        "/",
        "/themes/",
        f"/themes/{Theme.objects.order_by('pk').first().slug}/",
        lesson.get_absolute_url(),
        f"/videos/{Video.objects.published().order_by('pk').first().slug}/",
        "/search/?q=feedback",
        "/lessons/",
    ]
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as running:
        folder = Path(tmp)
        hosts = []
        for port in SERVERS:
            host = subprocess.Popen(
                [gunicorn, "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            running.callback(stop, host)
            hosts.append(host)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        running.callback(stop, worker)
        for port, host in zip(SERVERS, hosts, strict=True):
            bench.wait_for(f"http://127.0.0.1:{port}/healthz", host)
        config = folder / "haproxy.cfg"
        config.write_text(
            HAPROXY.format(
                port=BALANCER,
                servers="\n".join(
                    f"    server app{n} 127.0.0.1:{port} check inter 1s fall 2 rise 1"
                    for n, port in enumerate(SERVERS, 1)
                ),
            )
        )
        balancer = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        running.callback(lambda: (balancer.terminate(), balancer.wait(30)))
        bench.wait_for(f"http://127.0.0.1:{BALANCER}/healthz", balancer)
        for path in paths:  # warm both servers' workers
            for port in (*SERVERS, BALANCER, BALANCER):
                status_of(f"http://127.0.0.1:{port}{path}")
        ready = time.monotonic() - started
        load = wrk(paths, seconds, args.connections, folder)
        job, size = enqueue_import()
        edits = editor(time.monotonic() + seconds - 0.5)
        out = load.communicate(timeout=seconds + 60)[0]
        result = read_wrk(out)
        video, took = imported(job, time.monotonic() + 120)
        ports = (*SERVERS, BALANCER, BALANCER)
        video_pages = [status_of(f"http://127.0.0.1:{port}{video}") for port in ports]
        if worker.poll() is not None:
            sys.exit("the task worker stopped")
    print(
        f"\nTwo gunicorn servers (2 workers each) and a task worker behind HAProxy, PostgreSQL"
        f" and Redis; wrk -t2 -c{args.connections} -d{seconds}s over {len(paths)} reading pages;"
        f" ready in {ready:.0f} s\n"
    )
    print("| requests | req/s | p99 ms | errors | non-2xx | editor's changes | checks | stale |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['requests']} | {result['rps']:.0f} | {result['p99']:.1f} |"
        f" {result['errors']} | {result['non2xx']} | {edits['cycles'] * 2} |"
        f" {edits['checks']} | {edits['stale']} |"
    )
    print(
        f"\nAn import of {size / 1000:.0f} KB queued as the load began, run by the task worker"
        f" and published in {took:.1f} s; its page from each server and twice through the"
        f" balancer: {', '.join(map(str, video_pages))}"
    )
    for seen in edits["seen"][:5]:
        print(f"stale: {seen}")
    if result["errors"] or result["non2xx"]:
        print(out)
    failed = result["errors"] or result["non2xx"] or edits["stale"] or not result["requests"]
    failed = failed or any(status != 200 for status in video_pages)
    sys.exit(1 if failed or not edits["cycles"] else 0)


if __name__ == "__main__":
    main()
