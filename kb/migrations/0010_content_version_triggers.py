"""Every write to the knowledge base bumps the content version, by database triggers, so
no write path (ORM, bulk update, raw SQL, another process) can leave a stale page cached."""

from django.db import migrations

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
BUMP = "UPDATE kb_contentversion SET version = version + 1 WHERE id = 1"


def create(apps, schema_editor):
    apps.get_model("kb", "ContentVersion").objects.update_or_create(pk=1, defaults={"version": 1})
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION kb_bump_content_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_version_{op.lower()} AFTER {op} ON {table} "
                    f"BEGIN {BUMP}; END"
                )
        elif vendor == "postgresql":
            # Once per statement: a bulk insert of a transcript bumps it once.
            schema_editor.execute(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kb_bump_content_version()"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{op}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kb_bump_content_version()")


class Migration(migrations.Migration):
    dependencies = [("kb", "0009_content_version")]

    operations = [migrations.RunPython(create, drop)]
