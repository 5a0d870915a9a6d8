"""python manage.py reindex [--files-only] — rebuild the search indexes (words and meaning)
from the data; `--files-only`: this host's meaning index files alone, from the stored
vectors (nothing embedded again), as a host's deploy may do before it serves."""

import time

from django.core.management.base import BaseCommand

from kb import search
from kb.importers.store.timeline import refresh_chapter_texts
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
            for video in Video.objects.all():
                refresh_chapter_texts(video)
                meaning.index_video(video)
            search.backend().reindex()
        rows = meaning.rebuild_files()
        files = "" if rows is None else f" ({rows:,} vectors in this host's meaning index files)"
        self.stdout.write(f"reindexed in {time.perf_counter() - started:.1f} s{files}")
