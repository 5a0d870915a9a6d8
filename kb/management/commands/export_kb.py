"""python manage.py export_kb > kb.json — the whole knowledge base as versioned JSON."""

from django.core.management.base import BaseCommand

from kb.exchange import dumps, export_data


class Command(BaseCommand):
    help = "Write the whole knowledge base as JSON (schema career-kb/1) to standard output."

    def handle(self, *args, **options):
        self.stdout.write(dumps(export_data()), ending="")
