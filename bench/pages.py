"""Reading-site pages at a million transcript lines, over HTTP, page cache off.

    .venv/bin/python bench/pages.py [--runs 10]

Needs the database bench/search.py generates (bench/out/search.sqlite3: 300 videos,
997,500 lines). Serves it with gunicorn (production settings) and prints the median and
worst time of each page type, the transcript of a 3,300-line video among them.
Results go in a dated file under bench/results/, cited from
docs/benchmarks.md#reading-pages. Nothing here runs in CI.
"""

import argparse
import sqlite3
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py, beside this file


def pages() -> dict[str, str]:
    db = sqlite3.connect(bench.DB)
    theme = db.execute("SELECT slug FROM kb_theme ORDER BY name LIMIT 1").fetchone()[0]
    video = db.execute("SELECT slug FROM kb_video ORDER BY id LIMIT 1").fetchone()[0]
    lesson = db.execute("SELECT slug FROM kb_lesson ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    return {
        "home": "/",
        "themes": "/themes/",
        "theme": f"/themes/{theme}/",
        "lessons": "/lessons/",
        "lessons, page 100": "/lessons/?page=100",
        "lesson": f"/lessons/{lesson}/",
        "quotes": "/quotes/",
        "videos": "/videos/",
        "video": f"/videos/{video}/",
        "transcript (3,325 lines)": f"/videos/{video}/transcript/",
        "search `team`": "/search/?q=team",
        "lessons feed": "/feeds/lessons/",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not bench.DB.exists():
        raise SystemExit(f"{bench.DB} is missing: run bench/search.py first")
    base = f"http://127.0.0.1:{bench.OUR_PORT}"
    urls = pages()
    with bench.serve_ours():
        for url in urls.values():
            bench.timed_get(base + url)  # warm caches
        times = {name: [] for name in urls}
        for _ in range(args.runs):
            for name, url in urls.items():
                times[name].append(bench.timed_get(base + url))
    print(f"\n{args.runs} runs each, HTTP, page cache off\n")
    print("| page | median ms | worst ms |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    main()
