"""What an editor's save costs readers, and what each worker holds: several versions of the
code served at once on both databases, side by side in one run, at a million lines.

    .venv/bin/python bench/edits.py postgres://USER@HOST:5432/DB \
        [--code NAME=DIR[@SQLITE_FILE]]... [--runs 10] [--edits 8]

Needs the databases bench/search_sides.py needs (bench/out/search.sqlite3 and the same
data in PostgreSQL; the edits change one lesson each, so use copies you may change; a
version whose SQLite schema differs from this one's is given its own copy after `@`). Each
version ("this" and each `--code NAME=DIR`) is served by its own gunicorn (2 workers,
production settings, page cache off) on each database. For every server:

1. each worker's memory once the server answers (start), after every query of
   bench/search.py has been asked of both workers a few times (warm), and at the end:
   resident (VmRSS), anonymous (RssAnon: the heap, with the pages it still shares with
   the master since the fork), written (Private_Dirty: dirty pages this process alone
   maps, its own writes and the master's pages it copied on writing to them among them),
   and proportional (Pss: shared pages divided among the processes mapping them);
2. warm `/search/` p50 / p95 over the 20 queries, asked of every server in turn;
3. `--edits` times, an editor saves one published lesson (its body changed and its
   meaning stored again, in one transaction, as the admin does), then each server is
   asked two searches at once (one for each worker), twice: the first pair is the
   first search after the edit in each worker, the second the same searches once
   nothing has changed (two searches at once on a 2-core machine take longer than one,
   so the first pair is compared with the second as well as with the warm median).

This code's vector files (kb/search/vectors.py) are removed first, so that its warm-up
includes building them once. Prints Markdown tables; results go in a dated file under
bench/results/.
"""

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py, beside this file
import search_sides as sides  # noqa: E402

EDIT = r"""
import sys
import django
django.setup()
from django.db import transaction
from kb.models import Lesson
from kb.search import meaning
n = int(sys.argv[1])
published = Lesson.objects.published().order_by("pk")
with transaction.atomic():
    lesson = published[(n * 7919) % published.count()]
    lesson.body = lesson.body.split(" (edit ")[0] + f" (edit {n})"
    lesson.save()
    meaning.index_lesson(lesson)
"""


def workers(port: int) -> list[int]:
    master = int((bench.OUT / f"sides-{port}.pid").read_text())
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def memory(pid: int) -> dict[str, float]:
    """MB: resident, anonymous, written, proportional; and of the resident, what the
    meaning index's files (var/meaning) and the sentence model's weights account for."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "RssAnon"):
            values[name] = int(rest.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Pss", "Private_Dirty"):
            values[name] = int(rest.split()[0]) / 1024
    values["written"] = values.pop("Private_Dirty")
    values["index"] = values["model"] = 0.0
    mapping = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's first line
            mapping = fields[5] if len(fields) > 5 else ""
        elif fields[0] == "Rss:":
            if "/meaning/" in mapping:
                values["index"] += int(fields[1]) / 1024
            elif mapping.endswith(".onnx"):
                values["model"] += int(fields[1]) / 1024
    return values


def at_once(urls: list[str]) -> list[float]:
    """The URLs asked together, one thread each: two sync workers take one each."""
    times = [0.0] * len(urls)

    def ask(i):
        times[i] = bench.timed_get(urls[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def edit(code: Path, url: str, n: int) -> None:
    subprocess.run(
        [sys.executable, "-c", EDIT, str(n)], cwd=code, env=bench.env(url), check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="postgres://... holding bench/out/search.sqlite3's data")
    parser.add_argument("--code", action="append", default=[], metavar="NAME=DIR[@SQLITE_FILE]")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--videos", type=int, default=300, help="3000: ten million lines")
    args = parser.parse_args()
    bench.DB = bench.db_for(args.videos)
    shutil.rmtree(bench.ROOT / "var" / "meaning", ignore_errors=True)
    databases = {"SQLite": f"sqlite:///{bench.DB}", "PostgreSQL": args.url}
    servers = sides.servers_for(sides.code_trees(args.code), databases)
    served = sides.database_urls(args.code, servers, databases)
    urls = {label: bench.ours_urls(at) for label, (_, _, at) in servers.items()}
    queries = list(bench.QUERIES)
    with contextlib.ExitStack() as running:
        for label, (code, _, at) in servers.items():
            running.enter_context(sides.serve(code, served[label], at))
        mem = {label: {"start": {}, "warm": {}, "end": {}} for label in servers}
        for label, (_, _, at) in servers.items():
            mem[label]["start"] = {pid: memory(pid) for pid in workers(at)}
        for _ in range(3):
            for q in range(0, len(queries), 2):
                for label in servers:
                    at_once([urls[label][queries[q]], urls[label][queries[q + 1]]])
        for label, (_, _, at) in servers.items():
            mem[label]["warm"] = {pid: memory(pid) for pid in workers(at)}
        times = bench.measure(urls, args.runs)
        first = {label: [] for label in servers}
        second = {label: [] for label in servers}
        names = list(servers)
        for n in range(args.edits):
            for url in sorted(set(served.values())):
                edit(bench.ROOT, url, n)
            turn = n % len(names)
            for label in names[turn:] + names[:turn]:
                pair = [urls[label][queries[(2 * n) % 20]], urls[label][queries[(2 * n + 1) % 20]]]
                first[label] += at_once(pair)
                second[label] += at_once(pair)
        for label, (_, _, at) in servers.items():
            mem[label]["end"] = {pid: memory(pid) for pid in workers(at)}

    print(f"\n/search/, {len(queries)} queries x {args.runs} runs warm; {args.edits} edits\n")
    print(
        "| server | warm p50 ms | warm p95 ms | first pair after an edit, median / max ms "
        "| second pair, median ms | first ÷ second, median (max) | first ÷ warm p50, median |"
    )
    print("|---|---|---|---|---|---|---|")
    for label in servers:
        p50, p95, _, _ = bench.summary(times[label])
        one, two = statistics.median(first[label]), statistics.median(second[label])
        print(
            f"| {label} | {p50:.1f} | {p95:.1f} | {one:.1f} / {max(first[label]):.1f} | "
            f"{two:.1f} | {one / two:.1f} ({max(first[label]) / two:.1f}) | {one / p50:.1f} |"
        )
    print(
        "\nEach worker's memory, MB: resident (anonymous / written / proportional),"
        " start → warm → end\n"
    )
    print(
        "| server | worker | start | warm | end | growth start → warm, resident (anonymous,"
        " written) | warm: of it, index files / model weights |"
    )
    print("|---|---|---|---|---|---|---|")
    for label in servers:
        for pid in mem[label]["start"]:
            cells = []
            for when in ("start", "warm", "end"):
                m = mem[label][when].get(pid)
                cells.append(
                    f"{m['VmRSS']:.0f} ({m['RssAnon']:.0f} / {m['written']:.0f} / {m['Pss']:.0f})"
                    if m
                    else "gone"
                )
            s, w = mem[label]["start"][pid], mem[label]["warm"].get(pid)
            grow = (
                f"+{w['VmRSS'] - s['VmRSS']:.0f} (+{w['RssAnon'] - s['RssAnon']:.0f},"
                f" +{w['written'] - s['written']:.0f})"
                if w
                else "—"
            )
            held = f"{w['index']:.0f} / {w['model']:.0f}" if w else "—"
            print(f"| {label} | {pid} | {' | '.join(cells)} | {grow} | {held} |")
    print("\nfirst searches after each edit, ms (pairs):")
    for label in servers:
        print(f"  {label}: " + ", ".join(f"{t:.0f}" for t in first[label]))


if __name__ == "__main__":
    main()
