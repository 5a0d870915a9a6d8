"""Benchmark: restoring a large backup (`import_kb`), its check alone and the whole restore.

    .venv/bin/python bench/restore.py [--copies 260] [--code DIR]... [--no-restore]

Makes, once, `bench/out/restore-COPIES.json`: the samples (`load_samples`) exported, then
their videos copied COPIES times under new slugs (260 copies are about 50 MB, 2,080
videos). Then, for each checkout of the code given (default: this one), each in fresh
processes:

- check: the file read and parsed (`kb.exchange.loads`) then checked as a restore checks
  it before it writes (`kb.exchange.check`): the CPU time of each (less swayed than wall
  time by other work on the machine) and the peak resident memory;
- restore: `manage.py import_kb` of the file into a fresh SQLite database, under
  `/usr/bin/time -v` (wall and CPU time, peak resident memory); `--no-restore` skips it.

To compare with older code:

    git worktree add /tmp/old cc9080f   # the hand-written check, before the models
    .venv/bin/python bench/restore.py --code /tmp/old --code .

Results go in a dated file under bench/results/, cited from docs/backup.md. Nothing here
runs in CI.
"""

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def environment(database: Path) -> dict:
    # One BLAS thread, as config/wsgi.py gives each app server: threads that spin waiting
    # for a core another process holds make CPU times say little.
    threads = dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1")
    return {
        **os.environ,
        **threads,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }


def fresh_database(code: str, name: str) -> Path:
    database = OUT / name
    for leftover in OUT.glob(f"{name}*"):
        leftover.unlink()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=code, env=environment(database), check=True,
    )  # fmt: skip
    return database


def replicate(data: dict, copies: int) -> dict:
    """`data` with its videos `copies` times over, each copy's slugs and identities new (its
    lessons, quotes and transcript as they were), so that the copies restore side by side."""
    videos = []
    for n in range(copies):
        for video in data["videos"]:
            twin = copy.deepcopy(video) if n else video
            if n:
                renamed = {lesson["slug"]: f"{lesson['slug']}-{n}" for lesson in twin["lessons"]}
                twin["slug"] = f"{twin['slug']}-{n}"
                twin["youtube_id"] = (
                    f"{n:05d}{twin['youtube_id'][-6:]}" if twin["youtube_id"] else ""
                )
                twin["import_key"] = f"copy-{n}-{twin.get('import_key', '')}"[:64]
                for lesson in twin["lessons"]:
                    lesson["slug"] = renamed[lesson["slug"]]
                    lesson["import_key"] = f"{lesson['import_key']}-{n}"[:200]
                for quote in twin["quotes"]:
                    quote["lesson"] = renamed.get(quote["lesson"])
            videos.append(twin)
    return {**data, "videos": videos}


def make_backup(copies: int) -> Path:
    path = OUT / f"restore-{copies}.json"
    if path.exists():
        return path
    database = fresh_database(str(ROOT), "restore-source.sqlite3")
    env = environment(database)
    subprocess.run([sys.executable, "manage.py", "load_samples"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    exported = subprocess.run([sys.executable, "manage.py", "export_kb"], cwd=ROOT, env=env,
                              check=True, capture_output=True, text=True).stdout  # fmt: skip
    # Copied in a process of its own: the one that measures stays small (see peak_mb).
    subprocess.run([sys.executable, __file__, "--make", str(copies)], input=exported,
                   text=True, check=True)  # fmt: skip
    return path


def write_copies(copies: int) -> None:
    data = replicate(json.loads(sys.stdin.read()), copies)
    path = OUT / f"restore-{copies}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def peak_mb() -> float:
    """This process's peak resident memory. Not getrusage's: Linux carries that over an
    exec from the process that started this one (the bench, once it has read the file)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def child(code: str, path: str) -> None:
    """In a fresh process, with `code`'s kb: the file read, parsed and checked."""
    sys.path.insert(0, code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from kb import exchange

    before = peak_mb()
    start = time.process_time()
    data = exchange.loads(Path(path).read_bytes())
    parsed, parsing_peak = time.process_time(), peak_mb()
    exchange.check(data)
    checked, peak = time.process_time(), peak_mb()
    print(
        f"check: read and parse {parsed - start:.2f} s, check {checked - parsed:.2f} s (CPU); "
        f"peak {parsing_peak:.0f} MB after parsing (+{parsing_peak - before:.0f} MB over the "
        f"loaded code), {peak:.0f} MB after the check"
    )


def restore(code: str, path: Path) -> None:
    database = fresh_database(code, "restore-target.sqlite3")
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "manage.py", "import_kb", str(path)],
        cwd=code, env=environment(database), capture_output=True, text=True,
    )  # fmt: skip
    report = done.stderr
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", report).group(1)
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): (\S+)", report).group(1))
              for kind in ("User", "System"))  # fmt: skip
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    said = (done.stdout.strip() or report.splitlines()[0])[:100]
    print(f"restore: {wall} wall, {cpu:.1f} s CPU, peak {rss / 1024:.0f} MB ({said})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=260)
    parser.add_argument("--code", action="append", default=[])
    parser.add_argument("--no-restore", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("CODE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--make", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.make:
        return write_copies(args.make)
    OUT.mkdir(parents=True, exist_ok=True)
    path = make_backup(args.copies)
    print(f"# {path.name}: {path.stat().st_size / 1e6:.1f} MB", flush=True)
    for code in args.code or [str(ROOT)]:
        code = str(Path(code).resolve())
        print(f"## {code}", flush=True)
        subprocess.run(
            [sys.executable, __file__, "--child", code, str(path)],
            check=True, cwd=code, env=environment(OUT / "restore-source.sqlite3"),
        )  # fmt: skip
        if not args.no_restore:
            restore(code, path)


if __name__ == "__main__":
    main()
