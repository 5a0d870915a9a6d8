"""Load benchmark: `make serve` on SQLite with ~200 generated videos, driven by wrk.

    bench/load.sh            (or: .venv/bin/python bench/load.py [--seconds 20])

For each page (a theme, a lesson, a video, a search, and /robots.txt as the baseline in
the same server) runs wrk with 64 connections, first alone, then while an editor process
writes every second (an `import_video --update` of a changing page, and a lesson
published or unpublished). Prints a Markdown table (results go in a dated file under
bench/results/, cited from docs/benchmarks.md): req/s, p99 latency,
the ratio to the baseline, errors and non-2xx; the editor's writes; workers' memory.
Only loopback addresses are used; every run is bounded in time.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import search as search_bench  # noqa: E402  (its generator makes the knowledge base)

PORT = 8770
DB = ROOT / "bench" / "out" / "load.sqlite3"
PAGES = {
    "theme page": "/themes/promotion/",
    "lesson page": "/lessons/lesson-7-3/",
    "video page": "/videos/video-7/",
    "search": "/search/?q=promotion+packet",
    "baseline (/robots.txt)": "/robots.txt",
}

EDITOR = r"""
import io, os, random, sys, time
import django
django.setup()
from django.core.management import call_command
from kb.models import Lesson
page, seconds = sys.argv[1], float(sys.argv[2])
text = open(page, encoding="utf-8").read()
rng = random.Random(1)
done = failed = 0
errors = []
deadline = time.time() + seconds
n = 0
while time.time() < deadline:
    n += 1
    started = time.time()
    try:
        variant = page + f".{n % 2}.txt"
        with open(variant, "w", encoding="utf-8") as out:
            out.write(text.replace("Small changes tell you", f"Small changes (take {n}) tell you"))
        call_command("import_video", variant, "--update", "--publish", stdout=io.StringIO())
        lesson = Lesson.objects.order_by("?").first()
        lesson.status = "draft" if lesson.status == "published" else "published"
        lesson.save()
        done += 2
    except Exception as exc:
        failed += 1
        errors.append(repr(exc)[:200])
    time.sleep(max(0.0, 1.0 - (time.time() - started)))
print(f"writes {done} failed {failed} {errors[:3]}")
"""


def env() -> dict:
    values = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    values.update(
        DATABASE_URL=f"sqlite:///{DB}",
        DJANGO_SECRET_KEY="load-" + "k" * 60 + "abcdefghij",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
    )
    return values


def read_wrk(out: str) -> dict:
    """What wrk printed: requests, req/s, p99 ms, socket errors, non-2xx responses."""

    def number(pattern, default=0.0):
        match = re.search(pattern, out)
        return float(match.group(1)) if match else default

    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "requests": int(number(r"(\d+) requests in")),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p99": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "non2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "errors": errors,
    }


def wrk(path: str, seconds: int) -> dict:
    result = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return read_wrk(result.stdout)


def run(seconds: int, with_editor: bool, server) -> dict:
    editor = None
    if with_editor:
        page = ROOT / "bench" / "out" / "editor-page.txt"
        shutil.copy(ROOT / "samples" / "shipping-small.txt", page)
        total = seconds * len(PAGES) + 10
        editor = subprocess.Popen(
            [sys.executable, "-c", EDITOR, str(page), str(total)],
            cwd=ROOT,
            env={**env(), "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
    results = {name: wrk(path, seconds) for name, path in PAGES.items()}
    if editor:
        out, err = editor.communicate(timeout=seconds * len(PAGES) + 120)
        results["editor"] = out.strip() or err.strip()[-300:]
    return results


def table(results: dict) -> str:
    base = results["baseline (/robots.txt)"]["rps"]
    rows = [
        "| page | req/s | p99 ms | × baseline | errors | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for name in PAGES:
        r = results[name]
        rows.append(
            f"| {name} | {r['rps']:.0f} | {r['p99']:.1f} | {r['rps'] / base:.2f} | {r['errors']} | {r['non2xx']} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--videos", type=int, default=200)
    args = parser.parse_args()
    search_bench.DB = DB
    search_bench.generate(args.videos, args.videos * search_bench.LINES_PER_VIDEO)
    server = subprocess.Popen(
        ["make", "serve"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        alone = run(args.seconds, False, server)
        busy = run(args.seconds, True, server)
        # gunicorn's master and workers share the command line; the master has the lowest pid.
        pids = sorted(
            int(pid)
            for pid in subprocess.run(
                ["pgrep", "-f", "bin/gunicorn -c config/gunicorn.py"],
                capture_output=True,
                text=True,
            ).stdout.split()
        )
        rss = [
            int(
                subprocess.run(
                    ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True
                ).stdout
                or 0
            )
            for pid in pids[1:]
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"\n{args.videos} videos, wrk -t2 -c64 -d{args.seconds}s per page\n")
    print("Alone:\n")
    print(table(alone))
    print("\nWhile an editor writes every second:\n")
    print(table(busy))
    print(f"\neditor: {busy['editor']}")
    print(f"{len(rss)} workers' RSS after the runs: {', '.join(f'{r / 1024:.0f} MB' for r in rss)}")


if __name__ == "__main__":
    main()
