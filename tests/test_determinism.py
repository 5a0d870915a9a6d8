"""The same page gives the same moments, links and suggestions in any process (issue 14):
`--dry-run` and the real import never disagree."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each page given reads in one process per hash seed (a process's start costs more than
# reading a page).
SCRIPT = """
import json, sys
from kb.importers.analysis import parse_page
found = {}
for path in sys.argv[1:]:
    parsed = parse_page(open(path, encoding="utf-8").read())
    found[path] = {
        "links": [(l.chapter, l.start_seconds, l.score) if l else None for l in parsed.links],
        "takeaways": [[(t.chapter, t.start_seconds, t.score) if t else None
                       for t in e.takeaways] for e in parsed.evidence],
        "passages": [[(p.start_seconds, p.end_seconds, p.score) for p in e.passages]
                     for e in parsed.evidence],
    }
print(json.dumps(found))
"""


def analyse(paths: tuple[Path, ...], seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


PAGES = tuple(sorted((ROOT / "samples").glob("*.txt")))


@functools.cache
def samples_read(seed: str) -> dict:
    """Every sample page read under one hash seed, once for the file."""
    return analyse(PAGES, seed)


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_a_page_reads_the_same_under_any_hash_seed(path):
    once = [samples_read(seed)[str(path)] for seed in ("1", "2", "12345")]
    assert once[0]["links"] and once[0] == once[1] == once[2]


def test_the_seed_reads_the_same_under_any_hash_seed(seed_path):
    assert analyse((seed_path,), "1") == analyse((seed_path,), "2")
