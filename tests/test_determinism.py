"""The same page gives the same moments, links and suggestions in any process (issue 14):
`--dry-run` and the real import never disagree."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys
from kb.importers.analysis import parse_page
parsed = parse_page(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({
    "links": [(l.chapter, l.start_seconds, l.score) if l else None for l in parsed.links],
    "takeaways": [[(t.chapter, t.start_seconds, t.score) if t else None for t in e.takeaways]
                  for e in parsed.evidence],
    "passages": [[(p.start_seconds, p.end_seconds, p.score) for p in e.passages]
                 for e in parsed.evidence],
}))
"""


def analyse(path: Path, seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


PAGES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_a_page_reads_the_same_under_any_hash_seed(path):
    assert analyse(path, "1") == analyse(path, "2") == analyse(path, "12345")


def test_the_seed_reads_the_same_under_any_hash_seed(seed_path):
    assert analyse(seed_path, "1") == analyse(seed_path, "2")
