"""python manage.py export_markdown DIR — the published knowledge base as Markdown notes."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb import obsidian


class Command(BaseCommand):
    help = (
        "Write every published lesson, person, theme and video as a Markdown note with "
        "front matter and wiki-links (an Obsidian vault) into DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR")

    def handle(self, *args, folder, **options):
        notes = obsidian.vault(settings.SITE_URL)
        try:
            obsidian.write(Path(folder), notes)
        except obsidian.NotOurs as exc:
            raise CommandError(str(exc)) from exc
        lessons = sum(path.startswith("Lessons/") for path in notes)
        self.stdout.write(f"{len(notes)} notes ({lessons} lessons) written to {folder}")
