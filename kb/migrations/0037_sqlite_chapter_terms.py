"""SQLite: chapter terms (kb.search.schema SQLITE_CHAPTER_TERMS) in place of the chapter
digests of migration 0027, so that a common word's best chapters are read best first
from an index, where bm25 over the digests scored every digest saying it. Every
chapter's terms are written here, as every import's end writes those it changed."""

from importlib import import_module

from django.db import migrations

from kb.search import schema

DIGESTS = import_module("kb.migrations.0027_sqlite_chapter_digests")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    DIGESTS.drop(apps, schema_editor)
    for statement in schema.sqlite_term_statements():
        schema_editor.execute(statement)
    from kb.search.sqlite.chapters import write_terms

    write_terms(schema_editor.connection)


def drop(apps, schema_editor):
    """Back to the digests of 0027, every chapter marked for digesting."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in schema.sqlite_term_drop_statements():
        schema_editor.execute(statement)
    DIGESTS.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0036_line_emphasis_in_reading_order")]

    operations = [migrations.RunPython(create, drop)]
