"""When the content last changed: the API's Last-Modified, stamped by the database
whenever any table's trigger bumps the version (kb.triggers.stamp_changes)."""

import django.utils.timezone
from django.db import migrations, models

from kb import triggers


def stamp(apps, schema_editor):
    triggers.stamp_changes(schema_editor)
    apps.get_model("kb", "ContentVersion").objects.filter(changed_at=None).update(
        changed_at=django.utils.timezone.now()
    )


def unstamp(apps, schema_editor):
    triggers.unstamp_changes(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0024_chapter_terms")]

    operations = [
        migrations.AddField(
            model_name="contentversion",
            name="changed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(stamp, unstamp),
    ]
