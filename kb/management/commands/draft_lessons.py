"""python manage.py draft_lessons VIDEO_SLUG [--dry-run] — draft lessons from a video's
transcript alone (kb.importers.drafts), for editors to accept, edit or dismiss."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kb.importers.store import store_drafts
from kb.models import Video
from kb.timecodes import format_timecode


class Command(BaseCommand):
    help = (
        "Propose draft lessons for a video from its transcript alone. Open machine drafts are "
        "proposed afresh; drafts editors accepted, dismissed or edited stay as they are, and "
        "their passages are not proposed again."
    )

    def add_arguments(self, parser):
        parser.add_argument("video", metavar="VIDEO_SLUG")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be drafted, store nothing"
        )

    def handle(self, *args, video, dry_run=False, **options):
        found = Video.objects.filter(slug=video).first()
        if found is None:
            raise CommandError(f"no video with the slug '{video}'")
        if not found.segments.exists():
            raise CommandError(f"video '{video}' has no transcript to draft from")
        with transaction.atomic():
            drafted = store_drafts(found)
            for lesson in drafted.proposed:
                passage = lesson.draft_passage
                self.stdout.write(
                    f"draft: {format_timecode(passage.start_seconds)}–"
                    f"{format_timecode(passage.end_seconds)} {lesson.title} "
                    f"({lesson.takeaways.count()} takeaways)"
                )
            if dry_run:
                transaction.set_rollback(True)
        verb = "would draft" if dry_run else "drafted"
        made = len(drafted.proposed)
        self.stdout.write(
            f"{verb} {made} lesson{'s' if made != 1 else ''} for {found.slug}; "
            f"{drafted.replaced} open drafts replaced, {drafted.kept} passages kept as "
            "editors left them (accepted, dismissed or edited)"
        )
