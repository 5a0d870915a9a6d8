"""python manage.py reindex — rebuild the search indexes (words and meaning) from the data."""

import time

from django.core.management.base import BaseCommand

from kb import search
from kb.importers.store.timeline import refresh_chapter_texts
from kb.models import Video
from kb.search import meaning


class Command(BaseCommand):
    help = "Rebuild the search index (FTS5 tables on SQLite, GIN indexes on PostgreSQL)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        for video in Video.objects.all():
            refresh_chapter_texts(video)
            meaning.index_video(video)
        search.backend().reindex()
        self.stdout.write(f"reindexed in {time.perf_counter() - started:.1f} s")
