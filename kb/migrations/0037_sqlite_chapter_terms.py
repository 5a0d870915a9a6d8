"""SQLite: chapter terms (kb.search.schema SQLITE_CHAPTER_TERMS) in place of the chapter
digests of migration 0027, so that a common word's best chapters are read best first
from an index, where bm25 over the digests scored every digest saying it. Every
chapter's terms are written here, as every import's end writes those it changed."""

from django.db import migrations

from kb.search import schema

DIGESTS = "kb_chapterdigest"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (
        *(f"DROP TRIGGER IF EXISTS {DIGESTS}_mark_{op}" for op in ("ai", "au", "ad")),
        *(f"DROP TRIGGER IF EXISTS {DIGESTS}_fts_{op}" for op in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {DIGESTS}_fts",
        f"DROP TABLE IF EXISTS {DIGESTS}_pending",
        f"DROP TABLE IF EXISTS {DIGESTS}",
        *schema.sqlite_term_statements(),
    ):
        schema_editor.execute(statement)
    from kb.search.sqlite.chapters import write_terms

    write_terms(schema_editor.connection)


def drop(apps, schema_editor):
    """Back to the digests of 0027, every chapter marked for digesting."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in schema.sqlite_term_drop_statements():
        schema_editor.execute(statement)
    from importlib import import_module

    import_module("kb.migrations.0027_sqlite_chapter_digests").create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0036_line_emphasis_in_reading_order")]

    operations = [migrations.RunPython(create, drop)]
