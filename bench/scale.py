"""SQLite against PostgreSQL on the same generated knowledge base, side by side.

    .venv/bin/python bench/scale.py postgres://USER@HOST:5432/EMPTY_DB [--videos 300]
        [--runs 20] [--reuse] [--reindex]

`--videos 300` is the million-line base of bench/search.py, `--videos 3000` ten million
lines. Generates the SQLite database (unless it exists and --reuse), copies it into the
given PostgreSQL database (bench/to_postgres.py; unless --reuse), then serves both at
once with gunicorn (production settings, page cache off) and times, interleaved, the 20
search queries of bench/search.py and the reading pages of bench/pages.py on each.
Prints the build times, sizes, optionally `reindex` times, and Markdown tables; results
go in a dated file under bench/results/, cited from docs/benchmarks.md. Nothing here runs
in CI.
"""

import argparse
import contextlib
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages as page_bench  # noqa: E402 - bench/pages.py
import search as bench  # noqa: E402 - bench/search.py
import to_postgres  # noqa: E402 - bench/to_postgres.py

SQLITE_PORT, POSTGRES_PORT = 8765, 8767


def sizes(url: str) -> dict[str, float]:
    """MB: each database whole, and its full-text index alone."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as pg:
        database = pg.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        indexes = pg.execute(
            "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index"
            " JOIN pg_class ON pg_class.oid = indexrelid WHERE relname LIKE '%%search_gin'"
        ).fetchone()[0]
        terms = pg.execute("SELECT pg_total_relation_size('kb_chapterterm')").fetchone()[0]
        # Every other terms table (kb.search.schema.TERMS: one per kind of row).
        rows = pg.execute(
            "SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class"
            " WHERE relkind = 'r' AND relname LIKE 'kb\\_%%term' AND relname <> 'kb_chapterterm'"
        ).fetchone()[0]
    return {
        "SQLite database file": bench.DB.stat().st_size / 1e6,
        "SQLite full-text index (FTS5)": bench.index_size(),
        "PostgreSQL database": float(database) / 1e6,
        "PostgreSQL GIN indexes": float(indexes) / 1e6,
        "PostgreSQL chapter terms (table and indexes)": float(terms) / 1e6,
        "PostgreSQL lesson, takeaway and quote terms": float(rows) / 1e6,
    }


def page_urls(port: int) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{port}{url}" for name, url in page_bench.pages().items()}


def table(rows: dict[str, dict[str, list[float]]]) -> None:
    print("| | p50 ms | p95 ms | slowest (median ms) |")
    print("|---|---|---|---|")
    for label, times in rows.items():
        p50, p95, worst, worst_ms = bench.summary(times)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | `{worst}` ({worst_ms:.1f}) |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="postgres://... of an empty database")
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="both databases are there")
    parser.add_argument("--reindex", action="store_true", help="time `reindex` on both")
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    if not (args.reuse and bench.DB.exists()):
        started = time.perf_counter()
        bench.generate(args.videos, args.videos * bench.LINES_PER_VIDEO)
        print(f"SQLite built in {time.perf_counter() - started:.0f} s")
    if not args.reuse:
        timings = to_postgres.copy(bench.DB, args.url)
        print(f"PostgreSQL built (copied) in {timings['total']:.0f} s: {timings}")
    db = sqlite3.connect(bench.DB)
    lines = db.execute("SELECT count(*) FROM kb_transcriptsegment").fetchone()[0]
    db.close()
    sqlite_url = f"sqlite:///{bench.DB}"
    with contextlib.ExitStack() as servers:
        servers.enter_context(bench.serve_ours(sqlite_url, SQLITE_PORT))
        servers.enter_context(bench.serve_ours(args.url, POSTGRES_PORT))
        sides = {"SQLite": SQLITE_PORT, "PostgreSQL": POSTGRES_PORT}
        for port in sides.values():  # each worker loads its vectors before timing
            for url in page_urls(port).values():
                bench.timed_get(url)
        search = bench.measure(
            {name: bench.ours_urls(port) for name, port in sides.items()}, args.runs
        )
        reading = bench.measure(
            {name: page_urls(port) for name, port in sides.items()}, max(args.runs // 2, 1)
        )
    print(f"\n{lines:,} transcript lines, {args.videos} videos; HTTP, page cache off\n")
    print(f"/search/, {len(bench.QUERIES)} queries x {args.runs} runs, interleaved:\n")
    table({f"/search/ on {name}": times for name, times in search.items()})
    print("\nper query, median ms (SQLite / PostgreSQL):")
    for q in bench.QUERIES:
        medians = [statistics.median(search[name][q]) for name in sides]
        print(f"  {q!r}: " + " / ".join(f"{m:.1f}" for m in medians))
    print("\nreading pages, median / worst ms:\n")
    print("| page | " + " | ".join(sides) + " |")
    print("|---|" + "---|" * len(sides))
    for page in reading["SQLite"]:
        cells = [
            f"{statistics.median(reading[name][page]):.1f} / {max(reading[name][page]):.1f}"
            for name in sides
        ]
        print(f"| {page} | " + " | ".join(cells) + " |")
    print()
    for what, mb in sizes(args.url).items():
        print(f"{what}: {mb:,.0f} MB")
    if args.reindex:
        print(f"reindex, SQLite: {bench.reindex_seconds(sqlite_url):.0f} s")
        print(f"reindex, PostgreSQL: {bench.reindex_seconds(args.url):.0f} s")


if __name__ == "__main__":
    main()
