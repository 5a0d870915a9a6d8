"""Videos get an import identity (issue 13): re-imports find a video by it, not by slug."""

import datetime

from django.db import migrations, models

from kb import triggers
from kb.importers.documents import header_identity


def set_identities(apps, schema_editor):
    """From the header each video was imported with (its `imported` snapshot), so an
    editor's later change of title does not change it. Where earlier imports made copies
    of one page, the oldest keeps the identity: re-imports update it, not the copies."""
    Video = apps.get_model("kb", "Video")
    seen = set()
    for video in Video.objects.order_by("pk"):
        snap = video.imported or {}
        if "title" not in snap:
            continue  # made by hand in the admin: nothing to find it by
        day = snap.get("published_on")
        key = header_identity(
            snap["title"],
            snap.get("channel", ""),
            datetime.date.fromisoformat(day) if day else None,
            snap.get("duration_seconds", video.duration_seconds),
        )
        if (key, video.youtube_id) in seen:
            continue
        seen.add((key, video.youtube_id))
        Video.objects.filter(pk=video.pk).update(import_key=key)


class Migration(migrations.Migration):
    dependencies = [("kb", "0010_content_version_triggers")]

    operations = [
        migrations.AddField(
            model_name="video",
            name="import_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The import identity: a hash of the page header's title, channel, "
                "date and length. Re-imports find their video by it (or by YouTube id), never "
                "by slug.",
                max_length=64,
            ),
        ),
        migrations.RunPython(set_identities, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="video",
            constraint=models.UniqueConstraint(
                condition=models.Q(("import_key", ""), _negated=True),
                fields=("import_key", "youtube_id"),
                name="kb_video_import_identity_unique",
            ),
        ),
        triggers.recreate("kb_video"),
    ]
