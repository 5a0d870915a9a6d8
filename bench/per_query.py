"""/search/ per query, versions of the code side by side, each server alone on the CPU:
which queries are slow.

    .venv/bin/python bench/per_query.py sqlite|postgres://... [--videos 300] [--runs 5]
        [--code NAME=DIR[@SQLITE_FILE]]...

Serves this tree (and each `--code` tree) with gunicorn (2 workers, production settings,
page cache off) on the bench base (bench/search.py; `--videos 3000`: ten million lines;
`sqlite` for its SQLite file, else a PostgreSQL copy). A version whose schema differs
from this one's on SQLite (a migration) is given its own copy of the file after `@`.
Every query of bench/search.py is asked twice of every server to warm, then `--runs`
times in turn, one request at a time (so each server is alone on the CPU while it
answers); prints p50 / p95 over all and each query's median, slowest first, for each
version. Nothing here runs in CI.
"""

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py
import search_sides as sides  # noqa: E402

PORT = 8791


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", help="sqlite, or postgres://... holding the same base")
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", action="append", default=[], metavar="NAME=DIR[@FILE]")
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    trees = sides.code_trees(args.code)
    files = sides.own_sqlite_files(args.code)
    times = {name: {query: [] for query in bench.QUERIES} for name in trees}
    with contextlib.ExitStack() as stack:
        urls = {}
        for port, (name, tree) in enumerate(trees.items(), PORT):
            if args.database != "sqlite":
                url = args.database
            else:
                url = f"sqlite:///{files.get(name, bench.DB)}"
            stack.enter_context(sides.serve(tree, url, port))
            urls[name] = bench.ours_urls(port)
        for _ in range(2):
            for query in bench.QUERIES:
                for name in trees:
                    bench.timed_get(urls[name][query])
        for _ in range(args.runs):
            for query in bench.QUERIES:
                for name in trees:
                    times[name][query].append(bench.timed_get(urls[name][query]))
    for name in trees:
        p50, p95, _, _ = bench.summary(times[name])  # as every bench of search reports them
        print(f"\n{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms\n")
        for query, ts in sorted(times[name].items(), key=lambda item: -statistics.median(item[1])):
            print(f"  {query!r}: {statistics.median(ts):.1f}")


if __name__ == "__main__":
    main()
