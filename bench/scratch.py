"""Django on a scratch SQLite database, for benchmarks that import into an empty one."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(prefix: str = "kb-bench-", migrate: bool = True) -> Path:
    """Point Django at a new SQLite file (development settings), set it up, and migrate
    it unless told not to; returns the file's path."""
    sys.path.insert(0, str(ROOT))
    database = Path(tempfile.mkdtemp(prefix=prefix)) / "bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
    )
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return database
