"""Every write to the knowledge base bumps the content version, by database triggers
(`kb.triggers`), so no write path can leave a stale page cached."""

from django.db import migrations

from kb import triggers

# The tables there were then; later migrations add theirs (kb.triggers.TABLES has all).
TABLES = [
    "kb_video",
    "kb_chapter",
    "kb_transcriptsegment",
    "kb_lesson",
    "kb_takeaway",
    "kb_quote",
    "kb_quotesuggestion",
    "kb_theme",
    "kb_lessontheme",
    "kb_quotetheme",
    "kb_themeredirect",
]


def create(apps, schema_editor):
    apps.get_model("kb", "ContentVersion").objects.update_or_create(pk=1, defaults={"version": 1})
    triggers.create_function(schema_editor)
    for table in TABLES:
        triggers.create(schema_editor, table)


def drop(apps, schema_editor):
    for table in TABLES:
        triggers.drop(schema_editor, table)
    triggers.drop_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0009_content_version")]

    operations = [migrations.RunPython(create, drop)]
