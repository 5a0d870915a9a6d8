"""python manage.py reindex [--files-only] [--queue] — rebuild the search indexes (words and
meaning) from the data; `--files-only`: this host's meaning index files alone, from the
stored vectors (nothing embedded again), as a host's deploy may do before it serves;
`--queue`: the whole rebuild queued for a task worker (kb.importers.tasks.reindex)."""

import time

from django.core.management.base import BaseCommand, CommandError

from kb.importers import derived, tasks


class Command(BaseCommand):
    help = "Rebuild the search index (FTS5 tables on SQLite, GIN indexes on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="only rebuild this host's meaning index files from the stored vectors",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the rebuild for a task worker (manage.py db_worker) and return",
        )

    def handle(self, *args, **options):
        if options["queue"]:
            if options["files_only"]:
                raise CommandError("--files-only is this host's own work: it is not queued")
            result = tasks.reindex.enqueue()
            self.stdout.write(f"queued: task {result.id}")
            return
        started = time.perf_counter()
        rows = derived.reindex(files_only=options["files_only"])
        files = "" if rows is None else f" ({rows:,} vectors in this host's meaning index files)"
        self.stdout.write(f"reindexed in {time.perf_counter() - started:.1f} s{files}")
