"""python manage.py import_video PATH... — see README, "Importing"."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from kb.importers.documents import DocumentError
from kb.importers.pipeline import FORMATS, after_import, read_document, store_document
from kb.importers.summary import reading_report
from kb.importers.youtube import parse_youtube_id


class Command(BaseCommand):
    help = "Import summary pages (new videos) or timed transcripts (--video SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--publish", action="store_true", help="publish what is imported")
        parser.add_argument(
            "--update", action="store_true", help="refresh a changed file, keeping editors' work"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report, store nothing"
        )
        parser.add_argument("--video", metavar="SLUG", default="", help="attach a transcript to it")
        parser.add_argument("--youtube", metavar="URL_OR_ID", default="")
        parser.add_argument("--format", choices=FORMATS, default="auto")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        youtube_id = ""
        if options["youtube"]:
            try:
                youtube_id = parse_youtube_id(options["youtube"])
            except DocumentError as exc:
                self.stderr.write(f"error: {exc.message}")
                sys.exit(1)
        paths = options["paths"]
        progress = self.progress if options["verbosity"] >= 1 else None
        failed = wrote = 0
        for number, path in enumerate(paths, 1):
            if len(paths) > 1:
                self.stdout.write(f"[{number}/{len(paths)}] {path}")
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                self.stderr.write(f"error: {path}: cannot read it: {exc.strerror}")
                failed += 1
                continue
            try:
                document = read_document(path, data, options["format"], progress)
                outcome = store_document(
                    document,
                    video_slug=options["video"],
                    youtube_id=youtube_id,
                    publish=options["publish"],
                    update=options["update"],
                    dry_run=options["dry_run"],
                    tidy=False,
                    progress=progress,
                )
            except DocumentError as exc:
                self.stderr.write(f"error: {exc.located(path)}")
                failed += 1
            except DatabaseError as exc:
                self.stderr.write(f"error: {path}: the database refused it: {exc}")
                failed += 1
            else:
                self.stdout.write(outcome.summary_line())
                if document.page is not None and outcome.action != "unchanged":
                    self.report(path, document.page.page)
                wrote += outcome.wrote
        if wrote:
            # Once for the whole batch: it can take seconds on a big knowledge base.
            proposed = after_import()
            if proposed.made:
                self.stdout.write(
                    f"insights: {len(proposed.made)} new proposals for editors "
                    "(admin → Insight proposals)"
                )
        if failed:
            # Each failure has had its one `error:` line; the status says some file failed.
            sys.exit(1)

    def report(self, path: str, page) -> None:
        """What was read (with -v 1, the default), and every doubt, as a warning line."""
        if self.verbosity >= 1:
            for line in reading_report(page):
                self.stdout.write(f"  {line}")
        for line, message in page.warnings:
            where = f"{path}:{line}" if line else path
            self.stderr.write(f"warning: {where}: {message}")

    def progress(self, message: str) -> None:
        self.stdout.write(f"  {message}…")
        self.stdout.flush()
