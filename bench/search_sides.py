"""/search/ served by several versions of the code at once, on SQLite and PostgreSQL, side
by side in one run: a change's before and after, timed under the same load.

    .venv/bin/python bench/search_sides.py postgres://USER@HOST:5432/DB \
        [--code NAME=DIR]... [--runs 20]

Needs the million-line databases: bench/out/search.sqlite3 (bench/search.py) and the same
data in PostgreSQL (bench/to_postgres.py, or bench/scale.py). Each version ("this", this
checkout, and each `--code NAME=DIR`, another checkout's tree, e.g. `git archive` of the
commit before) is served by its own gunicorn (2 workers, production settings, page cache
off) on each database. The 20 queries of bench/search.py, and the same narrowed to a
theme and to a video, are asked of every server in turn, who goes first changing every
time. Prints p50 / p95 ms per server, each query's median, and each server's largest
worker's peak resident memory. Results go in a dated file under bench/results/.
"""

import argparse
import contextlib
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py, beside this file

FIRST_PORT = 8770


def code_trees(specs: list[str]) -> dict[str, Path]:
    """The versions to serve: "this" checkout, and each `--code NAME=DIR[@FILE]`."""
    trees = {"this": bench.ROOT}
    for spec in specs:
        name, _, path = spec.partition("@")[0].partition("=")
        trees[name] = Path(path).resolve()
    return trees


def own_sqlite_files(specs: list[str]) -> dict[str, Path]:
    """{version: its own SQLite file}, for each `--code NAME=DIR@FILE`: a version whose
    schema differs from this one's (a migration) is served a copy of the base made for
    it; the others share bench.DB."""
    files = {}
    for spec in specs:
        spec, _, file = spec.partition("@")
        if file:
            files[spec.partition("=")[0]] = Path(file).resolve()
    return files


def database_urls(specs: list[str], servers: dict, databases: dict[str, str]) -> dict[str, str]:
    """{server label: the database URL it is served}, its own SQLite file if it has one."""
    files = own_sqlite_files(specs)
    urls = {}
    for label, (_, database, _) in servers.items():
        name = label.split(" ", 1)[1]
        own = database == "SQLite" and name in files
        urls[label] = f"sqlite:///{files[name]}" if own else databases[database]
    return urls


def servers_for(trees: dict[str, Path], databases: dict[str, str]) -> dict[str, tuple]:
    """{"<database> <version>": (tree, database name, port)}: one server each, on ports
    from FIRST_PORT."""
    servers, port = {}, FIRST_PORT
    for name, code in trees.items():
        for database in databases:
            servers[f"{database} {name}"] = (code, database, port)
            port += 1
    return servers


def serve(code: Path, database_url: str, port: int, workers: int = 2):
    """The tree at `code` served as bench.serve_ours serves this one (`workers` gunicorn
    workers)."""
    settings = bench.env(database_url)
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=code, env=settings, check=True)
    subprocess.run([*run, "collectstatic", "--noinput", "-v0"], cwd=code, env=settings, check=True)
    gunicorn = str(bench.ROOT / ".venv" / "bin" / "gunicorn")
    # gunicorn puts its working directory first on the path: `kb` is the tree's own; so
    # are its production settings (config/gunicorn.py), which the options given here
    # override.
    return bench.serving(
        [gunicorn, "-c", "config/gunicorn.py", "config.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--timeout", "120", "--pid", str(bench.OUT / f"sides-{port}.pid")],
        f"http://127.0.0.1:{port}/healthz",
        cwd=code,
        env=bench.env(database_url, DJANGO_PAGE_CACHE_SECONDS="0", DJANGO_API_REQUESTS_PER_MINUTE="0"),
    )  # fmt: skip


def peak_memory_mb(port: int) -> float:
    """The largest peak resident memory among the server's workers (VmHWM), MB."""
    master = int((bench.OUT / f"sides-{port}.pid").read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="postgres://... holding bench/out/search.sqlite3's data")
    parser.add_argument("--code", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres-only", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    trees = code_trees(args.code)
    servers = {}
    port = FIRST_PORT
    for name, code in trees.items():
        for database, url in (("SQLite", f"sqlite:///{bench.DB}"), ("PostgreSQL", args.url)):
            if database == "SQLite" and name in args.postgres_only:
                continue
            servers[f"{database} {name}"] = (code, url, port)
            port += 1
    narrowings = {"": {}, **bench.filters()}
    with contextlib.ExitStack() as running:
        for code, url, at in servers.values():
            running.enter_context(serve(code, url, at))
        sides = {
            label: {
                f"{query} {narrowed}".strip(): url
                for narrowed, filters in narrowings.items()
                for query, url in bench.ours_urls(at, **filters).items()
            }
            for label, (_, _, at) in servers.items()
        }
        times = bench.measure(sides, args.runs)
        memory = {label: peak_memory_mb(at) for label, (_, _, at) in servers.items()}
    print(f"\n/search/, {len(bench.QUERIES)} queries x {args.runs} runs, interleaved\n")
    print("| server | narrowed | p50 ms | p95 ms | slowest (median ms) | peak worker MB |")
    print("|---|---|---|---|---|---|")
    for label in servers:
        for narrowed in narrowings:
            picked = {q: times[label][f"{q} {narrowed}".strip()] for q in bench.QUERIES}
            p50, p95, worst, worst_ms = bench.summary(picked)
            print(
                f"| {label} | {narrowed or 'no'} | {p50:.1f} | {p95:.1f} |"
                f" `{worst}` ({worst_ms:.1f}) | {memory[label]:.0f} |"
            )
    print("\nper query, median ms (" + " / ".join(servers) + "):")
    for q in bench.QUERIES:
        medians = [statistics.median(times[label][q]) for label in servers]
        print(f"  {q!r}: " + " / ".join(f"{m:.1f}" for m in medians))


if __name__ == "__main__":
    main()
