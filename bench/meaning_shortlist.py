"""Benchmark: what search by meaning reads of the meaning index files, and what it finds
of the exact closest rows, on a bench database (bench/search.py builds them).

    .venv/bin/python bench/meaning_shortlist.py [--videos 300] [--queries 200]
        [--database-url URL] [--kind window]

The files are (re)built from the database as `reindex` writes them (kb.search.vectors).
Asks the 20 search queries of bench/search.py and a sample of the windows' own excerpts
cut to a reader's few words, and compares kb.search.nearest's search (every row scored
on its first dimensions, then a shortlist of each size scored whole) with scoring every
row whole: the share of the exact ten closest found (recall@10), how much less similar
the ten found are, and milliseconds a search. Side by side in one run; prints a Markdown table.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import search as bench  # noqa: E402 - bench/search.py, beside this script

SIZES = (1000, 2000, 4000, 8000, 17_000)
TOP = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", help="default: the bench SQLite database")
    parser.add_argument("--kind", default="window")
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    os.environ.update(bench.env(args.database_url))
    import django

    django.setup()

    from kb.models import MeaningVector
    from kb.search import meaning

    started = time.perf_counter()
    rows = meaning.rebuild_files()
    print(f"index files written in {time.perf_counter() - started:.1f} s ({rows:,} rows)")
    vectors = meaning.index().vectors(args.kind)
    n = len(vectors)
    print(f"{n:,} {args.kind} rows in {len(vectors.parts)} segment(s)")
    rng = random.Random(7)
    pks = [int(vectors.row(i).pk) for i in rng.sample(range(n), args.queries)]
    excerpts = MeaningVector.objects.filter(pk__in=pks).values_list("excerpt", flat=True)
    texts = list(bench.QUERIES)
    for excerpt in excerpts:
        words = excerpt.split()
        start = rng.randrange(max(len(words) - 6, 1))
        texts.append(" ".join(words[start : start + rng.randint(3, 6)]))
    queries = meaning.embed(texts)

    compare(vectors, queries, len(bench.QUERIES))


def compare(vectors, queries, asked: int) -> None:
    """The table: `vectors` (kb.search.nearest.Vectors of one kind) searched for each of
    `queries` (vectors; the first `asked` a reader's words) with each shortlist size,
    against scoring every row whole."""
    import numpy as np

    from kb.search import nearest

    n = len(vectors)
    exact, exact_times = [], []
    for query in queries:
        began = time.perf_counter()
        scores = vectors._everything(query)
        top = np.argpartition(-scores, TOP)[:TOP]
        exact_times.append((time.perf_counter() - began) * 1000)
        exact.append({int(i): float(scores[i]) for i in top})

    def run():
        found, times = [], []
        for query in queries:
            began = time.perf_counter()
            best = vectors.best(query, TOP, -1.0)
            times.append((time.perf_counter() - began) * 1000)
            found.append({_index(vectors, row): similarity for row, similarity in best})
        return found, times

    print(f"\n{len(queries)} queries ({asked} a reader's, the rest cut from excerpts), top {TOP},")
    print("against scoring every row whole\n")
    print("| scored whole | recall@10 | similarity lost | median ms | p95 ms |")
    print("|---|---|---|---|---|")

    def report(label, found, times) -> None:
        recall, lost = [], []
        for got, best in zip(found, exact, strict=True):
            recall.append(len(got.keys() & best.keys()) / len(best))
            lost.append(1 - sum(got.values()) / sum(best.values()))
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"| {label} | {statistics.mean(recall):.3f} | {statistics.mean(lost):.2%} | "
            f"{statistics.median(times):.1f} | {p95:.1f} |"
        )

    report("every row", exact, exact_times)
    for size in SIZES:
        nearest.SHORTLIST, nearest.SHORTLIST_SHARE = size, n + 1
        report(f"a shortlist of {size:,}", *run())


def _index(vectors, row) -> int:
    """The row's index among the kind's rows (found by its primary key)."""
    for n, (segment, first, last) in enumerate(vectors.parts):
        hits = (segment.ids[0, first:last] == row.pk).nonzero()[0]
        if len(hits):
            return int(vectors.offsets[n]) + int(hits[0])
    raise LookupError(row.pk)


if __name__ == "__main__":
    main()
