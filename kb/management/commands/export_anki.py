"""python manage.py export_anki [--theme SLUG] [--output DIR] — Anki decks, one per theme.

The same decks as /themes/<slug>.apkg, links made absolute with DJANGO_SITE_URL.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb import anki
from kb.kept import themes_in_use
from kb.models import Lesson, Theme


class Command(BaseCommand):
    help = "Write an Anki deck (.apkg) of published takeaways for every theme, or for one."

    def add_arguments(self, parser):
        parser.add_argument("--theme", help="only this theme's deck (its slug)")
        parser.add_argument("--output", default=".", help="folder to write into (default: .)")

    def handle(self, *args, theme=None, output=".", **options):
        themes = themes_in_use().order_by("slug")
        if theme:
            themes = Theme.objects.filter(slug=theme)
            if not themes:
                raise CommandError(f"No theme {theme!r}; `manage.py export_anki` writes them all.")
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for one in themes:
            lessons = Lesson.objects.published().under(one)
            data = anki.deck_bytes("theme", one.slug, one.name, lessons, settings.SITE_URL)
            path = folder / f"career-lessons-theme-{one.slug}.apkg"
            path.write_bytes(data)
            self.stdout.write(f"{path} ({lessons.count()} lessons)")
