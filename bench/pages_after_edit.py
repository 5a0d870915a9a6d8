"""What an editor's save costs the next reader of the home, theme and lesson pages: several
versions of the code served at once on both databases, side by side in one run, at a
million lines.

    .venv/bin/python bench/pages_after_edit.py postgres://USER@HOST:5432/DB \
        [--code NAME=DIR]... [--runs 20] [--edits 6]

Needs the databases bench/edits.py needs (bench/out/search.sqlite3 and the same data in
PostgreSQL; the edits change one lesson each, so use copies you may change). Each version
("this" and each `--code NAME=DIR`, e.g. a `git archive` of main) is served by its own
gunicorn on each database: one worker, so that the first request after an edit is that
worker's first of the new content version; production settings, page cache off.

1. warm: the home page, a theme page and a lesson page, each asked `--runs` times of every
   server in turn (who goes first changing every time): p50 per page;
2. `--edits` times for each page: an editor saves one published lesson (its body changed
   and its meaning stored again, in one transaction, as the admin does: bench/edits.py's
   edit), then every server is asked that page twice: the first request after the edit,
   and the same once nothing has changed.

Prints a Markdown table: warm p50, the first request after an edit (median and max), the
second, and first ÷ warm p50. Results go in a dated file under bench/results/.
"""

import argparse
import contextlib
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import edits  # noqa: E402 - bench/edits.py, beside this file
import search as bench  # noqa: E402
import search_sides as sides  # noqa: E402

PAGES = {
    "home": "/",
    "theme": "/themes/{theme}/",
    "lesson": "/lessons/lesson-150-3/",
}


def busiest_theme(database_url: str) -> str:
    """The slug of the theme with the most lessons: the theme page's worst case."""
    code = (
        "import django; django.setup()\n"
        "from django.db.models import Count\n"
        "from kb.models import Theme\n"
        "print(Theme.objects.annotate(n=Count('lesson_items')).order_by('-n', 'pk')[0].slug)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=bench.ROOT, env=bench.env(database_url),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return found.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="postgres://... holding bench/out/search.sqlite3's data")
    parser.add_argument("--code", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--edits", type=int, default=6)
    args = parser.parse_args()
    databases = {"SQLite": f"sqlite:///{bench.DB}", "PostgreSQL": args.url}
    theme = busiest_theme(databases["SQLite"])
    servers = sides.servers_for(sides.code_trees(args.code), databases)
    urls = {
        label: {page: f"http://127.0.0.1:{at}" + path.format(theme=theme)
                for page, path in PAGES.items()}
        for label, (_, _, at) in servers.items()
    }  # fmt: skip
    names = list(servers)
    first = {label: {page: [] for page in PAGES} for label in servers}
    second = {label: {page: [] for page in PAGES} for label in servers}
    with contextlib.ExitStack() as running:
        for code, database, at in servers.values():
            running.enter_context(sides.serve(code, databases[database], at, workers=1))
        warm = bench.measure(urls, args.runs)
        n = 0
        for round_ in range(args.edits):
            for page in PAGES:
                for url in databases.values():
                    edits.edit(bench.ROOT, url, n)
                n += 1
                turn = (round_ + n) % len(names)
                for label in names[turn:] + names[:turn]:
                    first[label][page].append(bench.timed_get(urls[label][page]))
                    second[label][page].append(bench.timed_get(urls[label][page]))

    print(
        f"\nhome, theme `{theme}` and lesson pages: {args.runs} runs warm; "
        f"{args.edits} edits before each page\n"
    )
    print(
        "| server | page | warm p50 ms | first after an edit, median / max ms "
        "| second, median ms | first ÷ warm p50, median (max) |"
    )
    print("|---|---|---|---|---|---|")
    for label in servers:
        for page in PAGES:
            p50 = statistics.median(warm[label][page])
            one, worst = statistics.median(first[label][page]), max(first[label][page])
            two = statistics.median(second[label][page])
            print(
                f"| {label} | {page} | {p50:.1f} | {one:.1f} / {worst:.1f} | {two:.1f} | "
                f"{one / p50:.1f} ({worst / p50:.1f}) |"
            )


if __name__ == "__main__":
    main()
