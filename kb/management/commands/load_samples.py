"""Load the sample documents in samples/ into an empty knowledge base (for `make run`).

With --curated (what `make run` does), the samples arrive as a site an editor has
worked on looks: each lesson's best suggested quote accepted, and the strongest insight
proposals accepted, all published. Without it, every suggestion stays open (the tests'
starting point)."""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

from kb.curation import accept_proposal, accept_suggestion
from kb.models import (
    Insight,
    InsightProposal,
    Lesson,
    Quote,
    QuoteSuggestion,
    Status,
    Suggestion,
    Video,
)

SAMPLES = Path(settings.BASE_DIR) / "samples"
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".json")
# Proposals come strongest first (InsightProposal's ordering): the ones an editor accepts.
CURATED_INSIGHTS = 4


class Command(BaseCommand):
    help = "Import and publish samples/*.txt (and samples/<video-slug>.vtt|srt|json) once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--curated",
            action="store_true",
            help="accept and publish each lesson's best suggested quote and the strongest "
            "insight proposals, as an editor would have",
        )

    def handle(self, *args, curated=False, **options):
        if Video.objects.exists():
            self.stdout.write("samples: the knowledge base already has videos, nothing loaded")
            return
        pages = sorted(SAMPLES.glob("*.txt"))
        if not pages:
            self.stdout.write("samples: no sample pages in samples/")
            return
        call_command("import_video", *map(str, pages), publish=True, stdout=self.stdout)
        for path in sorted(p for p in SAMPLES.iterdir() if p.suffix in TRANSCRIPT_SUFFIXES):
            call_command("import_video", str(path), video=path.stem, stdout=self.stdout)
        if curated:
            self.curate()

    def curate(self):
        """An editor's first pass: a quote for each lesson (its best suggestion) and the
        insights the strongest proposals make, published."""
        quotes = 0
        for lesson in Lesson.objects.published().order_by("pk"):
            best = (
                QuoteSuggestion.objects.filter(lesson=lesson, status=Suggestion.OPEN)
                .order_by("-score", "pk")
                .first()
            )
            if best is not None:
                accept_suggestion(best)
                quotes += 1
        insights = 0
        for proposal in InsightProposal.objects.filter(status=Suggestion.OPEN)[:CURATED_INSIGHTS]:
            insights += accept_proposal(proposal) is not None
        Quote.objects.filter(status=Status.DRAFT).update(status=Status.PUBLISHED)
        Insight.objects.filter(status=Status.DRAFT).update(status=Status.PUBLISHED)
        self.stdout.write(
            f"samples: {quotes} quotes and {insights} insights accepted and published"
        )
