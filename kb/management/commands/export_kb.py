"""python manage.py export_kb > kb.json — the whole knowledge base as versioned JSON."""

import sys

from django.core.management.base import BaseCommand

from kb.exchange import ExchangeError, dumps, export_data


class Command(BaseCommand):
    help = "Write the whole knowledge base as JSON (schema career-kb/1) to standard output."

    def handle(self, *args, **options):
        try:
            data = export_data()
        except ExchangeError as exc:  # a value the format cannot carry: nothing is written
            self.stderr.write(f"error: {exc}")
            sys.exit(1)
        self.stdout.write(dumps(data), ending="")
