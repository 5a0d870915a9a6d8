"""python manage.py import_video PATH... — see docs/importing.md."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kb.importers import batch, ytdlp
from kb.importers.documents import DocumentError
from kb.importers.pipeline import FORMATS, after_import
from kb.importers.store.themer import one_vocabulary
from kb.importers.summary import reading_report
from kb.importers.youtube import parse_youtube_id
from kb.text import counted


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
        self.unpacked: dict[str, bytes] = {}
        self.zip_failed = False
        planned, skipped = self.gather(options["paths"])
        failed, written = int(self.zip_failed), []
        with one_vocabulary():
            failed += self.import_all(planned, written, youtube_id, options)
        if skipped and self.verbosity >= 1:
            self.stdout.write(
                f"skipped {len(skipped)} "
                + (
                    "file that is not a document"
                    if len(skipped) == 1
                    else "files that are not documents"
                )
                + ": "
                + ", ".join(sorted({Path(n).suffix or Path(n).name for n in skipped}))
            )
        if written:
            # Once for the whole batch, around the videos it wrote.
            proposed = after_import(written)
            if proposed.made:
                made = len(proposed.made)
                self.stdout.write(
                    f"insights: {counted(made, 'new proposal')} for editors "
                    "(admin → Insight proposals)"
                )
        if failed:
            # Each failure has had its one `error:` line; the status says some file failed.
            sys.exit(1)

    def import_all(self, planned, written: list, youtube_id, options) -> int:
        """Import each planned file in turn; the number that failed."""
        progress = self.progress if options["verbosity"] >= 1 else None
        failed = 0
        for number, item in enumerate(planned, 1):
            if len(planned) > 1:
                self.stdout.write(f"{_bar(number, len(planned))} {item.name}")
            result, document = batch.import_planned(
                item,
                self.read,
                fmt=options["format"],
                progress=progress,
                video_slug=options["video"],
                youtube_id=youtube_id,
                publish=options["publish"],
                update=options["update"],
                dry_run=options["dry_run"],
            )
            if not result.ok:
                self.stderr.write(result.line)
                failed += 1
                continue
            self.stdout.write(result.line)
            if document.page is not None and result.changed:
                self.report(item.name, document.page.page)
            if document.spoken is not None and result.changed:
                self.warn(item.name, document.spoken.warnings)
            self.warn(item.name, [(None, message) for message in result.warnings])
            if result.changed and not options["dry_run"]:
                written.append(result.video_id)
        return failed

    def read(self, name: str) -> bytes:
        if name in self.unpacked:
            return self.unpacked[name]
        return Path(name).read_bytes()

    def gather(self, paths: list[str]) -> tuple[list[batch.Planned], list[str]]:
        """The files to import, in order: a folder stands for the files in it, a zip (the
        generator's channel export, a zipped yt-dlp folder) for the files in it, and an
        info.json named on its own brings the captions beside it."""
        names = []
        for path in paths:
            folder = Path(path)
            if path.lower().endswith(".zip") and folder.is_file():
                names += self.unzip(path)
            elif folder.is_dir():
                names += sorted(
                    str(p) for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                )
            else:
                names.append(path)
                if ytdlp.is_info_name(path) and folder.parent.is_dir():
                    beside = (str(p) for p in folder.parent.iterdir())
                    names += [name for name in beside if ytdlp.written_with(path, name)]
        planned, skipped = batch.plan(list(dict.fromkeys(names)))
        # A file named on its own is imported whatever its name (its kind from its text).
        named = [p for p in paths if p in skipped]
        planned += [batch.Planned(p) for p in named]
        return planned, [s for s in skipped if s not in named]

    def unzip(self, path: str) -> list[str]:
        """The names of a zip's files (`archive.zip/name`), read into memory within the
        same limits as the admin's upload; a zip that cannot be read is one error line."""
        try:
            if Path(path).stat().st_size > batch.ZIP_LIMIT_BYTES:
                raise DocumentError(
                    f"the zip is larger than {batch.ZIP_LIMIT_BYTES // (1024 * 1024)} MB: "
                    "unzip it and import its folder"
                )
            files = batch.read_zip(
                Path(path).read_bytes(),
                max_bytes=batch.ZIP_LIMIT_BYTES,
                max_files=settings.IMPORT_MAX_FILES,
            )
        except (DocumentError, OSError) as exc:
            message = exc.located(path) if isinstance(exc, DocumentError) else f"{path}: {exc}"
            self.stderr.write(f"error: {message}")
            self.zip_failed = True
            return []
        for name, data in files.items():
            self.unpacked[f"{path}/{name}"] = data
        return sorted(f"{path}/{name}" for name in files)

    def report(self, path: str, page) -> None:
        """What was read (with -v 1, the default), and every doubt, as a warning line."""
        if self.verbosity >= 1:
            for line in reading_report(page):
                self.stdout.write(f"  {line}")
        for line, message in page.warnings:
            where = f"{path}:{line}" if line else path
            self.stderr.write(f"warning: {where}: {message}")

    def warn(self, path: str, warnings) -> None:
        for line, message in warnings:
            where = f"{path}:{line}" if line else path
            self.stderr.write(f"warning: {where}: {message}")

    def progress(self, message: str) -> None:
        self.stdout.write(f"  {message}…")
        self.stdout.flush()


def _bar(number: int, total: int, width: int = 20) -> str:
    """`[7/12 ############........]`: where a batch has got to, one file per line."""
    done = round(width * number / total)
    return f"[{number}/{total} {'#' * done}{'.' * (width - done)}]"
