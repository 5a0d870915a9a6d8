"""python manage.py reindex — rebuild the search indexes (words and meaning) from the data."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from kb import search
from kb.importers import derived
from kb.models import Video


class Command(BaseCommand):
    help = "Rebuild the search index (FTS5 tables on SQLite, GIN indexes on PostgreSQL)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        # Everything derived from each video's words, as an import leaves it: one video
        # at a time, each in its own transaction.
        for pk in Video.objects.values_list("pk", flat=True):
            with transaction.atomic(), derived.deferred():
                derived.stale(derived.TRANSCRIPT, pk)
        search.backend().reindex()
        self.stdout.write(f"reindexed in {time.perf_counter() - started:.1f} s")
