"""Two app servers behind a load balancer, on one PostgreSQL and one Redis, under load
while an editor publishes and unpublishes.

    bench/cluster.sh [--seconds 30] [--connections 32]     (--short: what CI runs)

Creates the database `kb_cluster` (dropped first if there) and migrates it once, loads
the samples, collects the static files once; starts two gunicorn servers as two hosts
would run them (separate processes and ports, the same DATABASE_URL and REDIS_URL, the
page cache on) and HAProxy in front, which health-checks each on /healthz. Then wrk
drives the reading pages through HAProxy while this process, as an editor, unpublishes
and republishes lessons over and over: after each change it asks each server directly
and the balancer twice for the lesson's page, which must be a 404 at once after an
unpublish and a 200 after a republish (a page either server had cached is stale then).

Prints a Markdown table (results go in a dated file under bench/results/, cited from
docs/deployment.md#several-app-servers); exits 1 on any error, non-2xx or stale page.
Only loopback addresses are used; every step is bounded in time.
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
            running.callback(lambda h=host: (os.killpg(h.pid, signal.SIGTERM), h.wait(30)))
            hosts.append(host)
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
        edits = editor(time.monotonic() + seconds - 0.5)
        out = load.communicate(timeout=seconds + 60)[0]
        result = read_wrk(out)
    print(
        f"\nTwo gunicorn servers (2 workers each) behind HAProxy, PostgreSQL and Redis;"
        f" wrk -t2 -c{args.connections} -d{seconds}s over {len(paths)} reading pages;"
        f" ready in {ready:.0f} s\n"
    )
    print("| requests | req/s | p99 ms | errors | non-2xx | editor's changes | checks | stale |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['requests']} | {result['rps']:.0f} | {result['p99']:.1f} |"
        f" {result['errors']} | {result['non2xx']} | {edits['cycles'] * 2} |"
        f" {edits['checks']} | {edits['stale']} |"
    )
    for seen in edits["seen"][:5]:
        print(f"stale: {seen}")
    if result["errors"] or result["non2xx"]:
        print(out)
    failed = result["errors"] or result["non2xx"] or edits["stale"] or not result["requests"]
    sys.exit(1 if failed or not edits["cycles"] else 0)


if __name__ == "__main__":
    main()
