"""The content-version triggers: every write to a knowledge-base table bumps
`ContentVersion`, so no write path (ORM, bulk update, raw SQL, another process) can leave
a stale page cached. Migrations create them from here.

A migration that adds a table readers see adds it to TABLES and creates its triggers.
On SQLite, a migration that rebuilds a table (most column changes do) drops that table's
triggers: such a migration must end with `recreate(table)`.
"""

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
    "kb_person",
    "kb_personredirect",
    "kb_credit",
    "kb_lesson_people",
    "kb_insight",
    "kb_insight_themes",
    "kb_evidence",
]
BUMP = "UPDATE kb_contentversion SET version = version + 1 WHERE id = 1"
SQLITE_OPERATIONS = ("insert", "update", "delete")


def create_function(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION kb_bump_content_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )


def drop_function(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kb_bump_content_version()")


def create(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in SQLITE_OPERATIONS:
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_version_{op} AFTER {op.upper()} "
                f"ON {table} BEGIN {BUMP}; END"
            )
    elif vendor == "postgresql":
        # Once per statement: a bulk insert of a transcript bumps it once.
        schema_editor.execute(
            f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kb_bump_content_version()"
        )


def drop(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in SQLITE_OPERATIONS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{op}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")


def stamp_changes(schema_editor) -> None:
    """Stamp `ContentVersion.changed_at` whenever the version moves, so a bump from any
    table's trigger also says when."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS kb_contentversion_stamp AFTER UPDATE OF version "
            "ON kb_contentversion BEGIN UPDATE kb_contentversion "
            "SET changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id; END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION kb_stamp_content_version() RETURNS trigger AS $$ "
            "BEGIN NEW.changed_at = clock_timestamp(); RETURN NEW; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            "CREATE TRIGGER kb_contentversion_stamp BEFORE UPDATE OF version "
            "ON kb_contentversion FOR EACH ROW EXECUTE FUNCTION kb_stamp_content_version()"
        )


def unstamp_changes(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS kb_contentversion_stamp")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS kb_contentversion_stamp ON kb_contentversion")
        schema_editor.execute("DROP FUNCTION IF EXISTS kb_stamp_content_version()")


def recreate(table: str) -> migrations.RunPython:
    """A migration step that puts back a table's triggers after SQLite rebuilt it."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            create(schema_editor, table)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
