"""SQLite: each chapter's digest (its most-said words) with its FTS5 index, so a common
word's best chapters are ranked among a fraction of them (kb.search.schema.DIGESTS).
Every chapter is marked for digesting; the digests are written here, as every import's
end writes those of the chapters it changed. PostgreSQL has its chapter terms."""

from django.db import migrations

from kb.search import schema


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in schema.sqlite_digest_statements():
        schema_editor.execute(statement)
    from kb.search.sqlite import write_digests

    write_digests(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in schema.sqlite_digest_drop_statements():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0026_lesson_created_index")]

    operations = [migrations.RunPython(create, drop)]
