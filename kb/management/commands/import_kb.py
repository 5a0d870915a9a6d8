"""python manage.py import_kb kb.json — restore an export into an empty database."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from kb.cache import guard
from kb.exchange import ExchangeError, import_data, loads


class Command(BaseCommand):
    help = "Restore a JSON export (schema career-kb/1) into an empty knowledge base."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            # Nothing here keeps the file or the document read: once it is checked, only
            # its models (kb.exchange_schema) stay in memory.
            counts = import_data(loads(Path(path).read_bytes()))
        except OSError as exc:
            self.fail(f"{path}: cannot read it: {exc.strerror}")
        except ExchangeError as exc:
            self.fail(f"{path}{'' if exc.line is None else f':{exc.line}'}: {exc}")
        except DatabaseError as exc:
            self.fail(f"{path}: the database refused it: {exc}".splitlines()[0])
        # Restored content may reuse old content versions: drop any page cached before.
        if guard.call("clear") is None and not guard.available:
            self.stderr.write(
                f"warning: the page cache could not be cleared ({guard.last_error}); "
                "pages cached before the restore may show until they expire"
            )
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"restored {summary}")

    def fail(self, message: str):
        self.stderr.write(f"error: {message}")
        sys.exit(1)
