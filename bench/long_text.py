"""Import a summary page carrying a 100,000-letter word, against the same page without it:
wall time and peak memory of `manage.py import_video` in a fresh SQLite database.

    .venv/bin/python bench/long_text.py [--code DIR ...] [--runs N]

Each --code DIR is a checkout to run (its manage.py, this virtualenv's packages): give
the current one and an older one to compare them side by side, one after the other in
each round. The page is the seed (../shared/seeds/), read at run time and never
committed; the word goes into a section's first paragraph and a takeaway ("two fields"),
or also into the headline and the intro ("four fields").
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
WORD = "a" * 100_000


def pages(seed: str) -> dict[str, str]:
    two = seed.replace("Evan did not start", f"Evan {WORD} did not start", 1)
    two = two.replace("  • Start where you are,", f"  • Start {WORD} where you are,", 1)
    four = two.replace("How Evan King Accelerated", f"How {WORD} Evan King Accelerated", 1)
    four = four.replace("Rapid career growth", f"Rapid {WORD} career growth", 1)
    assert two.count(WORD) == 2 and four.count(WORD) == 4
    return {"normal": seed, "two fields": two, "four fields": four}


def run(code: Path, page: Path) -> tuple[float, float, int]:
    """(wall seconds, peak MB, exit code) of one import into a new database."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3")
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=code, env=env, check=True)
        timed = subprocess.run(
            ["/usr/bin/time", "-v", *manage, "import_video", str(page), "--publish"],
            cwd=code, env=env, capture_output=True, text=True,
        )  # fmt: skip
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", timed.stderr)
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timed.stderr)[1])
    return seconds, peak_kb / 1024, timed.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="append", type=Path, help="a checkout to run")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    codes = args.code or [ROOT]
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in pages(SEED.read_text()).items():
            files[name] = Path(tmp) / f"{name.replace(' ', '-')}.txt"
            files[name].write_text(text)
        results = {(code, name): [] for code in codes for name in files}
        for _ in range(args.runs):
            for name, path in files.items():
                for code in codes:
                    results[code, name].append(run(code, path))
        print("| code | page | wall s (median) | peak MB (max) | exit |")
        print("|---|---|---|---|---|")
        for (code, name), runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            codes_seen = ",".join(sorted({str(r[2]) for r in runs}))
            print(f"| {code} | {name} | {wall:.1f} | {peak:.0f} | {codes_seen} |")


if __name__ == "__main__":
    main()
