"""Load the sample documents in samples/ into an empty knowledge base (for `make run`)."""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

from kb.models import Video

SAMPLES = Path(settings.BASE_DIR) / "samples"
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".json")


class Command(BaseCommand):
    help = "Import and publish samples/*.txt (and samples/<video-slug>.vtt|srt|json) once."

    def handle(self, *args, **options):
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
