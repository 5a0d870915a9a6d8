"""python manage.py import_kb kb.json — restore an export into an empty database."""

import json

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from kb.exchange import ExchangeError, import_data


class Command(BaseCommand):
    help = "Restore a JSON export (schema career-kb/1) into an empty knowledge base."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as source:
                data = json.load(source)
            counts = import_data(data)
        except (OSError, json.JSONDecodeError, ExchangeError, KeyError, TypeError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        # Restored content may reuse old content versions: drop any page cached before.
        cache.clear()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"restored {summary}")
