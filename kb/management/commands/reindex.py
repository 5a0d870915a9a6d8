"""python manage.py reindex [--files-only] — rebuild the search indexes (words and meaning)
from the data; `--files-only`: this host's meaning index files alone, from the stored
vectors (nothing embedded again), as a host's deploy may do before it serves."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from kb import search
from kb.importers import derived
from kb.models import Video
from kb.search import meaning


class Command(BaseCommand):
    help = "Rebuild the search index (FTS5 tables on SQLite, GIN indexes on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="only rebuild this host's meaning index files from the stored vectors",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if not options["files_only"]:
            # Everything derived from each video's words, as an import leaves it: one
            # video at a time, each in its own transaction.
            for pk in Video.objects.values_list("pk", flat=True):
                with transaction.atomic(), derived.deferred():
                    derived.stale(derived.TRANSCRIPT, pk)
            search.backend().reindex()
        rows = meaning.rebuild_files()
        files = "" if rows is None else f" ({rows:,} vectors in this host's meaning index files)"
        self.stdout.write(f"reindexed in {time.perf_counter() - started:.1f} s{files}")
