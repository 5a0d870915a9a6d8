"""Benchmark: how long the admin's preview and import of a big page take (the work its
background thread does), on an empty SQLite database.

    .venv/bin/python bench/big_page.py samples/support-desk-to-engineering-manager.txt 1950 > big.txt
    .venv/bin/python bench/admin_import.py big.txt

Results go in a dated file under bench/results/, cited from
docs/editing.md#importing-from-the-browser.
"""

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import scratch  # noqa: E402 - bench/scratch.py, beside this script


def main() -> None:
    path = Path(sys.argv[1])
    scratch.setup()
    from django.contrib.auth.models import User

    from kb.admin.importing import run_import, run_preview
    from kb.models import PendingImport

    data = path.read_bytes()
    job = PendingImport.objects.create(
        user=User.objects.create(username="bench"),
        name=path.name,
        digest="",
        data=data,
        options={"fmt": "auto", "video_slug": "", "youtube_id": "", "publish": False,
                 "update": False},
    )  # fmt: skip
    print(f"{path.name}: {len(data) / 1e6:.1f} MB")
    for label, work in (("preview", run_preview), ("import", run_import)):
        start = time.perf_counter()
        work(job.pk)
        job.refresh_from_db()
        print(f"{label}: {time.perf_counter() - start:.1f} s ({job.state})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
