"""The read API over HTTP at the million-line benchmark's scale, SQLite and PostgreSQL
side by side.

    .venv/bin/python bench/api.py [--postgres postgres://USER@HOST/DB] [--videos 300] [--runs 20]

Uses the knowledge base of bench/search.py (generate it first: `bench/search.py`, or
`bench/scale.py URL` for both databases). The generator names nobody, so this gives each
video a guest and a host first (video n's guest is the (n² mod 120)th: 18 guests on
5 to 40 videos each; five hosts in turn), and makes each video's quotes its guest's;
once, on each database. Then it serves each
database with gunicorn (production settings, page cache off, no rate limit: the work is
measured, not the limiter) and times, interleaved: `/api/v1/lessons?theme=…` (one theme,
two themes, a theme and a person), `/api/v1/search?q=…` (the 20 queries of
bench/search.py) and `/api/v1/people/<slug>` (the most and the least credited guest).
Prints Markdown tables; results go in a dated file under bench/results/, cited from
docs/api.md#speed. Nothing here runs in CI.
"""

import argparse
import contextlib
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py

ROOT = Path(__file__).resolve().parents[1]
PORTS = {"SQLite": 8775, "PostgreSQL": 8777}
GUESTS, HOSTS = 120, 5

ADD_PEOPLE = f"""
from kb.models import Credit, Person, Quote, Role, Video
if not Person.objects.exists():
    guests = Person.objects.bulk_create(
        Person(name=f"Bench Guest {{n}}", slug=f"bench-guest-{{n}}") for n in range({GUESTS})
    )
    hosts = Person.objects.bulk_create(
        Person(name=f"Bench Host {{n}}", slug=f"bench-host-{{n}}") for n in range({HOSTS})
    )
    videos = list(Video.objects.order_by("pk").values_list("pk", flat=True))
    Credit.objects.bulk_create(
        [Credit(video_id=v, person=guests[(n * n) % {GUESTS}], role=Role.GUEST)
         for n, v in enumerate(videos)]
        + [Credit(video_id=v, person=hosts[n % {HOSTS}], role=Role.HOST)
           for n, v in enumerate(videos)]
    )
    for n, v in enumerate(videos):
        Quote.objects.filter(video_id=v).update(speaker=guests[(n * n) % {GUESTS}])
"""

PICK = """
from django.db.models import Count
from kb.kept import themes_in_use
from kb.models import Person, Theme
themes = list(themes_in_use().order_by("-lesson_count", "slug").values_list("slug", flat=True))
people = Person.objects.filter(credits__role="guest").annotate(n=Count("credits")).order_by("-n", "slug")
print(themes[0], themes[1], themes[-1], people.first().slug, people.last().slug)
"""


def manage_shell(url: str, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=bench.env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def api_urls(port: int, picks: list[str]) -> dict[str, str]:
    common, second, rare, prolific, once = picks
    base = f"http://127.0.0.1:{port}/api/v1"
    urls = {
        f"lessons?theme={common}": f"{base}/lessons?theme={common}",
        f"lessons?theme={rare}": f"{base}/lessons?theme={rare}",
        "lessons, two themes": f"{base}/lessons?theme={common}&theme={second}",
        "lessons, theme and guest": f"{base}/lessons?theme={common}&person={prolific}",
        f"people/{prolific}": f"{base}/people/{prolific}",
        f"people/{once}": f"{base}/people/{once}",
    }
    for q in bench.QUERIES:
        urls[f"search {q}"] = f"{base}/search?" + urllib.parse.urlencode({"q": q})
    return urls


def group(times: dict[str, list[float]], prefix: str) -> dict[str, list[float]]:
    return {key: values for key, values in times.items() if key.startswith(prefix)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="postgres://... holding the same data (scale.py)")
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    if not bench.DB.exists():
        raise SystemExit(f"{bench.DB} is missing: run bench/search.py (or bench/scale.py) first")
    urls = {"SQLite": f"sqlite:///{bench.DB}"}
    if args.postgres:
        urls["PostgreSQL"] = args.postgres
    picks = {}
    for side, url in urls.items():
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=bench.env(url),
            check=True,
        )
        manage_shell(url, ADD_PEOPLE)
        picks[side] = manage_shell(url, PICK).split()
    first = next(iter(picks.values()))
    assert all(p == first for p in picks.values()), picks  # the same data on each side
    with contextlib.ExitStack() as servers:
        for side, url in urls.items():
            servers.enter_context(bench.serve_ours(url, PORTS[side]))
        times = bench.measure({side: api_urls(PORTS[side], first) for side in urls}, args.runs)
    print(f"\n/api/v1 over HTTP, {args.videos} videos, page cache off, {args.runs} runs:\n")
    print("| endpoint | " + " | ".join(f"{s} p50 / p95 ms" for s in urls) + " |")
    print("|---|" + "---|" * len(urls))
    for label, prefix in [("lessons?theme=…", "lessons"), ("search?q=…", "search"),
                          ("people/<slug>", "people")]:  # fmt: skip
        cells = []
        for side in urls:
            p50, p95, worst, worst_ms = bench.summary(group(times[side], prefix))
            cells.append(f"{p50:.1f} / {p95:.1f} (slowest `{worst}` {worst_ms:.1f})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nper URL, median ms:")
    for key in times["SQLite"]:
        print(
            f"  {key}: " + " / ".join(f"{statistics.median(times[side][key]):.1f}" for side in urls)
        )


if __name__ == "__main__":
    main()
