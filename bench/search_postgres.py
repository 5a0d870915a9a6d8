"""Search benchmark on PostgreSQL: the same million lines, our /search/ page over HTTP.

    .venv/bin/python bench/search_postgres.py postgres://USER@HOST:5432/EMPTY_DB [--runs 10]

Needs the database bench/search.py generates (bench/out/search.sqlite3). Exports it
(`export_kb`), restores it into the given PostgreSQL database (`import_kb`; it must be
empty, or already hold this data with --reuse), serves it with gunicorn (production
settings, page cache off) and times the same 20 queries. Nothing here runs in CI.
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py, beside this file

EXPORT = bench.OUT / "search-export.json"


def restore(url: str) -> None:
    if not bench.DB.exists():
        raise SystemExit(f"{bench.DB} is missing: run bench/search.py first")
    with EXPORT.open("w") as out:
        subprocess.run(
            [sys.executable, "manage.py", "export_kb"],
            cwd=bench.ROOT,
            env=bench.env(),
            stdout=out,
            check=True,
        )
    for command in (["migrate", "-v0"], ["import_kb", str(EXPORT)]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=bench.ROOT, env=bench.env(url), check=True
        )
    # What autovacuum does soon after a restore: planner statistics, visibility map.
    subprocess.run(
        [sys.executable, "manage.py", "dbshell", "--", "-c", "VACUUM ANALYZE"],
        cwd=bench.ROOT,
        env=bench.env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="postgres://... of an empty database")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="the data is already there")
    args = parser.parse_args()
    if not args.reuse:
        restore(args.url)
    with bench.serve_ours(args.url):
        times = bench.measure({"ours": bench.ours_urls()}, args.runs)["ours"]
    p50, p95, worst, worst_ms = bench.summary(times)
    print(f"\nPostgreSQL, {len(bench.QUERIES)} queries x {args.runs} runs")
    print(f"/search/ p50 {p50:.1f} ms, p95 {p95:.1f} ms, slowest `{worst}` ({worst_ms:.1f})")
    for q in bench.QUERIES:
        print(f"  {q!r}: {statistics.median(times[q]):.1f}")


if __name__ == "__main__":
    main()
