"""python manage.py suggest_insights [--theme SLUG] [--dry-run] — propose insights:
lessons of different videos that give the same advice, or opposite advice (kb.insights)."""

from django.core.management.base import BaseCommand, CommandError

from kb import insights
from kb.models import Theme


class Command(BaseCommand):
    help = (
        "Propose insights from lessons of different videos that say the same thing (or "
        "seem to disagree), for editors to accept or dismiss in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--theme", metavar="SLUG", help="only lessons under this theme")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the new proposals, store nothing"
        )

    def handle(self, *args, theme=None, dry_run=False, **options):
        chosen = None
        if theme:
            chosen = Theme.objects.filter(slug=theme).first()
            if chosen is None:
                raise CommandError(f"no theme with the slug '{theme}'")
        result = insights.suggest(chosen, dry_run=dry_run)
        for proposal in result.made:
            self.stdout.write(insights.describe(proposal))
        verb = "would propose" if dry_run else "proposed"
        self.stdout.write(
            f"{verb} {len(result.made)} new; {result.kept} already proposed or decided, "
            f"{result.covered} already in an insight"
        )
