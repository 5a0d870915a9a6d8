"""A batch import at scale: `import_video DIR` of a few hundred summary pages, timed,
with the importer's memory sampled as it goes.

    .venv/bin/python bench/batch_import.py [--files 300] [--into DATABASE]

Writes FILES summary pages into bench/out/batch-pages/, each one of our samples under a
title and date of its own (so each is a new video). Imports them into DATABASE (a
`sqlite:///` or `postgres://` URL; default: a new, empty SQLite file), with `--publish`,
as an editor would, and prints files a minute and the importer's resident memory after
each quarter of the files: memory that grew with every file would show there. Changes
DATABASE: give it a copy. Nothing here runs in CI.
"""

import argparse
import collections
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py: env()

PAGES = bench.OUT / "batch-pages"
EMPTY = bench.OUT / "batch-empty.sqlite3"
PUBLISHED = re.compile(r"Published (\d{4})-(\d{2})-(\d{2})")


def write_pages(count: int, tag: str = "batch") -> None:
    shutil.rmtree(PAGES, ignore_errors=True)
    PAGES.mkdir(parents=True)
    samples = sorted((bench.ROOT / "samples").glob("*.txt"))
    for n in range(count):
        sample = samples[n % len(samples)]
        lines = sample.read_text(encoding="utf-8").split("\n")
        # The title is the first line after the thumbnail; the date is in the next one.
        at = lines.index("Video thumbnail") + 2
        lines[at] = f"{lines[at]} ({tag} talk {n})"
        lines[at + 2] = PUBLISHED.sub(
            f"Published {2000 + n // 300}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}", lines[at + 2]
        )
        (PAGES / f"talk-{n:04d}.txt").write_text("\n".join(lines), encoding="utf-8")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def migrated(into: str | None, empty: Path) -> dict:
    """The environment of a migrated database to import into: `into` (a URL), or `empty`,
    an SQLite file made anew."""
    url = into
    if not url:
        for path in (empty, Path(f"{empty}-wal"), Path(f"{empty}-shm")):
            path.unlink(missing_ok=True)
        url = f"sqlite:///{empty}"
    env = bench.env(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=bench.ROOT, env=env, check=True
    )
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--into", help="database URL (default: a new, empty SQLite file)")
    parser.add_argument(
        "--tag",
        default="batch",
        help="in every title: a second batch into "
        "the same database needs another, or its pages are the same videos",
    )
    args = parser.parse_args()
    write_pages(args.files, args.tag)
    env = migrated(args.into, EMPTY)
    started = time.perf_counter()
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_video", str(PAGES), "--publish"],
        cwd=bench.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    done, memory, last, finished = [0], {}, collections.deque(maxlen=20), [None]
    quarters = {args.files * q // 4 for q in range(1, 5)}

    def follow() -> None:
        for line in importer.stdout:
            last.append(line.rstrip())
            if match := re.match(r"\[(\d+)/(\d+)", line):
                done[0] = int(match.group(1))
                if done[0] in quarters:
                    memory[done[0]] = rss_mb(importer.pid)
                if done[0] == args.files:
                    finished[0] = time.perf_counter()
            elif line.startswith(("error", "warning")):
                print("  " + line.rstrip()[-200:])

    reader = threading.Thread(target=follow)
    reader.start()
    importer.wait()
    reader.join()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if importer.returncode:
        print("the importer's last lines:\n  " + "\n  ".join(last))
    print(
        f"\n{args.files} pages into {env['DATABASE_URL'].split('/')[-1]}: {seconds:.0f} s,"
        f" {args.files / seconds * 60:.0f} files a minute, exit {importer.returncode}"
    )
    print(
        "importer's memory after "
        + ", ".join(f"{n} files {mb:.0f} MB" for n, mb in sorted(memory.items()))
        + f"; peak {peak:.0f} MB"
    )
    if finished[0] is not None:
        print(
            f"from the last file's start to the end (its import, then the batch's insight proposals): {time.perf_counter() - finished[0]:.1f} s"
        )


if __name__ == "__main__":
    main()
