"""Benchmark: what search by meaning's shortlist finds of the exact closest windows, and
what it saves, on a bench database (bench/search.py builds them).

    .venv/bin/python bench/meaning_shortlist.py [--videos 300] [--queries 200]

A search scores every transcript window on its vector's first dimensions, then orders
the best few thousand on the whole vector (kb.search.meaning.Vectors). This copies the
bench database's window vectors from this host's meaning index files into memory, asks the 20 search queries of
bench/search.py and a sample of the windows' own excerpts cut to a reader's few words,
and compares each shortlist size with scoring every row whole (as the search did before): the share of the exact
ten closest that it finds (recall@10) and milliseconds a search, side by side in one run.
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
DIMENSIONS = (32, 48, 64)
TOP = 10


def windows_in_memory(meaning):
    """The live window vectors of this host's meaning index files (kb.search.vectors),
    copied into one in-memory matrix that the splits below can cut differently."""
    import numpy as np

    parts = meaning.index().vectors(meaning.WINDOW).parts
    live = [(segment, np.flatnonzero(segment.dead[a:b] == 0) + a) for segment, a, b in parts]
    ids = np.concatenate([segment.ids[:, rows] for segment, rows in live], axis=1)
    starts = np.concatenate([segment.starts[rows] for segment, rows in live])
    whole = np.concatenate([np.hstack([s.head[rows], s.tail[rows]]) for s, rows in live])
    stored = np.round(whole * meaning.SCALE).astype(np.int8)
    columns = {name: ids[i].tobytes() for i, name in enumerate(meaning.ID_COLUMNS)}
    return meaning.Matrix(columns, starts.tobytes(), bytearray(stored.tobytes()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", help="default: the bench SQLite database")
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    os.environ.update(bench.env(args.database_url))
    import django

    django.setup()
    import numpy as np

    from kb.models import MeaningVector
    from kb.search import meaning

    started = time.perf_counter()
    matrix = windows_in_memory(meaning)
    print(f"{len(matrix):,} window vectors loaded in {time.perf_counter() - started:.0f} s")
    rng = random.Random(7)
    pks = rng.sample(list(matrix.ids[0]), args.queries)
    excerpts = MeaningVector.objects.filter(pk__in=[int(pk) for pk in pks]).values_list(
        "excerpt", flat=True
    )
    texts = list(bench.QUERIES)
    for excerpt in excerpts:
        words = excerpt.split()
        start = rng.randrange(max(len(words) - 6, 1))
        texts.append(" ".join(words[start : start + rng.randint(3, 6)]))
    queries = meaning.embed(texts)
    everything = np.ones(len(matrix), dtype=bool)
    stored = np.round(np.hstack([matrix.head, matrix.tail]) * meaning.SCALE).astype(np.int8)
    ids = {name: matrix.ids[i].tobytes() for i, name in enumerate(meaning.ID_COLUMNS)}

    def split_at(dimensions: int):
        """The same vectors, their first `dimensions` scored on their own."""
        meaning.COARSE_DIMENSIONS = dimensions
        return meaning.Matrix(ids, matrix.starts.tobytes(), bytearray(stored.tobytes()))

    def run(split, size: int):
        meaning.COARSE_DIMENSIONS = split.head.shape[1]
        meaning.SHORTLIST, meaning.SHORTLIST_SHARE = size, len(matrix) + 1
        found, times = [], []
        for query in queries:
            began = time.perf_counter()
            best = split.best(query, everything, TOP, -1.0)
            times.append((time.perf_counter() - began) * 1000)
            found.append({row.pk: similarity for row, similarity in best})
        return found, times

    def every_row():
        """As search by meaning did before the shortlist: every row scored whole, the best
        400 sorted (exact for the first ten)."""
        found, times = [], []
        for query in queries:
            began = time.perf_counter()
            scores = matrix.head @ query[: matrix.head.shape[1]]
            scores += matrix.tail @ query[matrix.head.shape[1] :]
            scores[~everything] = -np.inf
            top = np.argpartition(-scores, 399)[:400]
            top = top[np.argsort(-scores[top])][:TOP]
            times.append((time.perf_counter() - began) * 1000)
            found.append({int(matrix.ids[0][i]): float(scores[i]) for i in top})
        return found, times

    exact, exact_times = every_row()
    print(f"\n{len(texts)} queries ({len(bench.QUERIES)} of bench/search.py, the rest cut from")
    print(f"windows' excerpts), top {TOP}, against scoring every row whole; 'similarity")
    print("lost': how much less similar the ten found are than the exact ten, in all\n")
    print("| first dimensions | shortlist | recall@10 | similarity lost | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")

    def report(dimensions: str, size: str, found, times) -> None:
        recall, lost = [], []
        for got, best in zip(found, exact, strict=True):
            recall.append(len(got.keys() & best.keys()) / len(best))
            lost.append(1 - sum(got.values()) / sum(best.values()))
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"| {dimensions} | {size} | {statistics.mean(recall):.3f} | "
            f"{statistics.mean(lost):.2%} | {statistics.median(times):.1f} | {p95:.1f} |"
        )

    report("all", "every row (before)", exact, exact_times)
    for dimensions in DIMENSIONS:
        split = split_at(dimensions)
        for size in SIZES:
            report(str(dimensions), f"{size:,}", *run(split, size))
        del split


if __name__ == "__main__":
    main()
