"""/search/ per query on one database, one server alone: which queries are slow.

    .venv/bin/python bench/per_query.py sqlite|postgres://... [--videos 300] [--runs 5]

Serves this tree with gunicorn (2 workers, production settings, page cache off) on the
bench base (bench/search.py; `--videos 3000`: ten million lines; `sqlite` for its SQLite
file, else a PostgreSQL copy), asks every query of bench/search.py twice to warm, then
`--runs` times in turn, and prints p50 / p95 over all and each query's median, slowest
first. Nothing here runs in CI.
"""

import argparse
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
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    url = f"sqlite:///{bench.DB}" if args.database == "sqlite" else args.database
    with sides.serve(bench.ROOT, url, PORT):
        urls = bench.ours_urls(PORT)
        for _ in range(2):
            for query in bench.QUERIES:
                bench.timed_get(urls[query])
        times = {query: [] for query in bench.QUERIES}
        for _ in range(args.runs):
            for query in bench.QUERIES:
                times[query].append(bench.timed_get(urls[query]))
    p50, p95, _, _ = bench.summary(times)  # as every bench of search reports them
    print(f"p50 {p50:.1f} ms, p95 {p95:.1f} ms\n")
    for query, ts in sorted(times.items(), key=lambda item: -statistics.median(item[1])):
        print(f"  {query!r}: {statistics.median(ts):.1f}")


if __name__ == "__main__":
    main()
