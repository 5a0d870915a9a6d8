"""Every write to the knowledge base bumps the content version, by database triggers
(`kb.triggers`), so no write path can leave a stale page cached."""

from django.db import migrations

from kb import triggers


def create(apps, schema_editor):
    apps.get_model("kb", "ContentVersion").objects.update_or_create(pk=1, defaults={"version": 1})
    triggers.create_function(schema_editor)
    for table in triggers.TABLES:
        triggers.create(schema_editor, table)


def drop(apps, schema_editor):
    for table in triggers.TABLES:
        triggers.drop(schema_editor, table)
    triggers.drop_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0009_content_version")]

    operations = [migrations.RunPython(create, drop)]
