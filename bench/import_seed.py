"""Benchmark: how long the seed page takes to import (parse → link → store, SQLite).

    .venv/bin/python bench/import_seed.py [PATH] [--runs 5]

Each run imports into a fresh SQLite database file; prints the median and the best of
each stage. Results go in the README ("Benchmarks").
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(SEED))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kb-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kb.importers.analysis import parse_page
    from kb.importers.documents import decode_text
    from kb.importers.pipeline import import_document
    from kb.models import Video

    call_command("migrate", verbosity=0)
    data = Path(args.path).read_bytes()
    parse_times, total_times = [], []
    for _ in range(args.runs):
        Video.objects.all().delete()
        start = time.perf_counter()
        parse_page(decode_text(data))
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = import_document(args.path, data)
        total_times.append(time.perf_counter() - start)
    connection.close()
    print(outcome.summary_line())
    print(f"runs: {args.runs}")
    for label, times in (("parse + link", parse_times), ("whole import", total_times)):
        median, best = statistics.median(times) * 1000, min(times) * 1000
        print(f"{label}: median {median:.0f} ms, best {best:.0f} ms")


if __name__ == "__main__":
    main()
