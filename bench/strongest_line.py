"""The strongest line of a common word, at scale (issue 41): is it found, and at what cost?

    .venv/bin/python bench/strongest_line.py [--videos 300] [--runs 15] [--postgres URL]

1. Builds bench/search.py's knowledge base (300 videos: a million lines; `--videos 3000`:
   ten million), or reuses it.
2. Says "postmortem" as a real corpus would: once, in one line of every 150 of every talk
   (thousands of lines, more than search ranks one by one), and four times in five words
   in one line near the end of the 490th talk (of the middle one, with fewer talks); each
   changed talk goes through `refresh_chapter_texts`, as an import would.
3. In one process, interleaved run by run: `kb.search.search("postmortem")` as it is and
   with the lines' repeated words ignored (today's code before them), then the common
   queries of bench/search.py both ways; p50 / p95 of each, and where the planted line
   is among the moments.
4. With `--postgres URL` (an empty database), copies the base there (bench/to_postgres.py)
   and measures again.

Results go in a dated file under bench/results/. Nothing here runs in CI.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import search as bench  # noqa: E402 - bench/search.py: the base, its env()

WORD = "postmortem"
EVERY = 150
PLANTED = f"{WORD} {WORD} the {WORD} {WORD}"
COMMON = ["team", "manager", "really good", "promotion"]
WITH, WITHOUT = "lines' repeated words", "without them"

MEASURE = r"""
import json, statistics, sys, time
import kb.search.moments as moments
import kb.search as search
from kb.models import TranscriptSegment
runs, planted_id = int(sys.argv[1]), int(sys.argv[2])
planted = TranscriptSegment.objects.get(pk=planted_id)
real = moments.emphasised_lines
ways = {"lines' repeated words": real, "without them": lambda parsed: []}
times = {(q, w): [] for q in [sys.argv[3], *json.loads(sys.argv[4])] for w in ways}
where = {}
for n in range(runs + 1):
    for query, way in list(times):
        moments.emphasised_lines = ways[way]
        started = time.perf_counter()
        shown = search.search(query).moments
        took = (time.perf_counter() - started) * 1000
        if n:  # the first round warms each way up
            times[(query, way)].append(took)
        if query == sys.argv[3]:
            at = [(m.video.pk, m.start_seconds) for m in shown]
            key = (planted.video_id, planted.start_seconds)
            where[way] = at.index(key) + 1 if key in at else None
moments.emphasised_lines = real
print(json.dumps({
    "times": {f"{q}|{w}": [statistics.median(t), sorted(t)[int(len(t) * 0.95) - 1]]
              for (q, w), t in times.items()},
    "where": where,
}))
"""


def plant(env: dict) -> int:
    """Says the word across every talk and plants the strong line; returns its id."""
    code = rf"""
from kb.importers.derived import refresh_chapter_texts
from kb.models import TranscriptSegment, Video
videos = list(Video.objects.order_by("pk"))
target = videos[min(489, len(videos) // 2)]
planted = None
for video in videos:
    lines = list(video.segments.order_by("start_seconds", "pk"))
    changed = lines[7::{EVERY}]
    for line in changed:
        line.text = line.text.rsplit(" ", 1)[0] + " {WORD}"
    if video == target:
        planted = lines[-40]
        planted.text = "{PLANTED}"
        changed.append(planted)
    TranscriptSegment.objects.bulk_update(changed, ["text"], batch_size=2000)
    refresh_chapter_texts(video)
from kb import search
search.tidy_index()
print(planted.pk)
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.split()[-1])


def measure(env: dict, runs: int, planted: int) -> dict:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c",
         "import sys; sys.argv = ['m', *__import__('os').environ['BENCH_ARGS'].split('\x1f')]\n"
         + MEASURE],
        cwd=ROOT, check=True, capture_output=True, text=True,
        env={**env, "BENCH_ARGS": "\x1f".join([str(runs), str(planted), WORD, json.dumps(COMMON)])},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(name: str, result: dict, said: int) -> None:
    print(f"\n### {name}: {said:,} lines say '{WORD}'\n")
    shown = {way: at or "not shown" for way, at in result["where"].items()}
    print(
        f"The planted line among the moments: {shown[WITH]}"
        f" (without the lines' repeated words: {shown[WITHOUT]})\n"
    )
    print("| query | with the lines' repeated words: p50 / p95 ms | without: p50 / p95 ms |")
    print("|---|---|---|")
    for query in [WORD, *COMMON]:
        a = result["times"][f"{query}|{WITH}"]
        b = result["times"][f"{query}|{WITHOUT}"]
        print(f"| {query} | {a[0]:.1f} / {a[1]:.1f} | {b[0]:.1f} / {b[1]:.1f} |")


def lines_saying(env: dict) -> int:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c",
         f"from kb.models import TranscriptSegment;"
         f" print(TranscriptSegment.objects.filter(text__contains='{WORD}').count())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", help="an empty PostgreSQL database to copy the base to")
    args = parser.parse_args()
    db = bench.db_for(args.videos)
    planted_db = db.with_name(db.stem + "-planted.sqlite3")
    if not planted_db.exists():
        if not db.exists():
            bench.DB = db
            bench.generate(args.videos, args.videos * bench.LINES_PER_VIDEO)
        started = time.perf_counter()
        with sqlite3.connect(db) as source, sqlite3.connect(planted_db) as copy:
            source.backup(copy)
        env = bench.env(f"sqlite:///{planted_db}")
        planted = plant(env)
        (planted_db.with_suffix(".planted")).write_text(str(planted))
        print(f"planted in {time.perf_counter() - started:.0f} s")
    env = bench.env(f"sqlite:///{planted_db}")
    planted = int(planted_db.with_suffix(".planted").read_text())
    said = lines_saying(env)
    report("SQLite", measure(env, args.runs, planted), said)
    if args.postgres:
        subprocess.run(
            [sys.executable, "bench/to_postgres.py", str(planted_db), args.postgres],
            cwd=ROOT, check=True, env={**os.environ},
        )  # fmt: skip
        report("PostgreSQL", measure(bench.env(args.postgres), args.runs, planted), said)
    print(f"\n{args.runs} runs of each query each way, interleaved, after one to warm up.")


if __name__ == "__main__":
    main()
