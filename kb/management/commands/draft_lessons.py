"""python manage.py draft_lessons VIDEO_SLUG [--dry-run] [--model ID | --offline] — draft
lessons from a video's transcript alone (kb.importers.drafts), rewritten by a language model
when one is configured (kb.importers.drafting_llm), for editors to accept, edit or dismiss."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kb.importers.store import propose_drafts, store_drafts
from kb.models import Video
from kb.text import counted
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
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--model",
            metavar="ID",
            help="an llm model id to rewrite the drafts as advice (default: DJANGO_DRAFT_MODEL)",
        )
        which.add_argument(
            "--offline", action="store_true", help="no language model, whatever the settings say"
        )

    def handle(self, *args, video, dry_run=False, model=None, offline=False, **options):
        found = Video.objects.filter(slug=video).first()
        if found is None:
            raise CommandError(f"no video with the slug '{video}'")
        if not found.segments.exists():
            raise CommandError(f"video '{video}' has no transcript to draft from")
        # Proposed outside the transaction: a language model may take minutes, and the
        # transaction would hold SQLite's write lock (every editor's save) all that time.
        proposal = propose_drafts(found, model="" if offline else model)
        with transaction.atomic():
            drafted = store_drafts(found, proposal=proposal)
            for lesson in drafted.proposed:
                passage = lesson.draft_passage
                self.stdout.write(
                    f"draft: {format_timecode(passage.start_seconds)}–"
                    f"{format_timecode(passage.end_seconds)} {lesson.title} "
                    f"({lesson.takeaways.count()} takeaways)"
                )
            if dry_run:
                transaction.set_rollback(True)
        if drafted.rewritten is not None:
            # No draft rewritten at all is a problem to fix (a plugin, a key): on stderr.
            out = self.stderr if drafted.rewritten.error else self.stdout
            for line in drafted.rewritten.lines():
                out.write(line)
        verb = "would draft" if dry_run else "drafted"
        made = len(drafted.proposed)
        self.stdout.write(
            f"{verb} {counted(made, 'lesson')} for {found.slug}; "
            f"{drafted.replaced} open drafts replaced, {drafted.kept} passages kept as "
            "editors left them (accepted, dismissed or edited)"
        )
