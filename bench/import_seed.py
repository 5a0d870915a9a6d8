"""Benchmark: how long the seed page takes to import (parse → link → store, SQLite).

    .venv/bin/python bench/import_seed.py [PATH] [--runs 5] [--into DATABASE]

Each run imports into an empty SQLite database, or with `--into` into a fresh copy of a
big one (bench/search.py leaves a million-line one in bench/out/search.sqlite3); prints
the median and the best of each stage, the search-index tidying that ends each import
among them. Results go in a dated file under bench/results/, cited from
docs/importing.md#speed.
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
sys.path.insert(0, str(ROOT))
import scratch  # noqa: E402 - bench/scratch.py, beside this script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(SEED))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--into", help="import into a copy of this SQLite database")
    args = parser.parse_args()

    database = scratch.setup(migrate=False)
    from django.core.management import call_command
    from django.db import connection

    from kb.importers import pipeline
    from kb.importers.analysis import parse_page
    from kb.importers.documents import decode_text
    from kb.models import Video

    tidy_times = []

    def timed_tidy():
        start = time.perf_counter()
        tidy_index()
        tidy_times.append(time.perf_counter() - start)

    tidy_index, pipeline.tidy_index = pipeline.tidy_index, timed_tidy
    data = Path(args.path).read_bytes()
    parse_times, total_times = [], []
    for _ in range(args.runs):
        connection.close()
        if args.into:
            shutil.copy(args.into, database)
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        parse_page(decode_text(data))
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = pipeline.import_document(args.path, data)
        total_times.append(time.perf_counter() - start)
        if not args.into:
            Video.objects.all().delete()
    connection.close()
    print(outcome.summary_line())
    print(f"runs: {args.runs}" + (f", each into a copy of {args.into}" if args.into else ""))
    for label, times in (
        ("parse + link", parse_times),
        ("whole import", total_times),
        ("of which tidying the search index", tidy_times),
    ):
        median, best = statistics.median(times) * 1000, min(times) * 1000
        print(f"{label}: median {median:.0f} ms, best {best:.0f} ms")


if __name__ == "__main__":
    main()
