"""python manage.py backup_db [PATH] — a consistent copy of the SQLite database, online.

Uses SQLite's online backup API: readers and the writer carry on while it copies, and
the copy is a single point in time. On PostgreSQL use pg_dump (see docs/backup.md).
"""

import sqlite3
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the SQLite database to backups/kb-YYYYmmdd-HHMMSS.sqlite3 (or PATH)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")

    def handle(self, *args, path=None, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                "backup_db copies SQLite; for PostgreSQL use pg_dump (docs/backup.md)"
            )
        target = Path(
            path or Path(settings.BASE_DIR) / "backups" / time.strftime("kb-%Y%m%d-%H%M%S.sqlite3")
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy, pages=1024, sleep=0.005)
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
            source.close()
        if check != "ok":
            raise CommandError(f"the backup failed its integrity check: {check}")
        self.stdout.write(f"backed up to {target} ({target.stat().st_size / 1e6:.1f} MB)")
