"""SQLite: lessons', takeaways' and quotes' terms (kb.search.schema SQLITE_ROW_TERMS), so
that a common word's best rows are read best first from an index, where FTS5's bm25
scored every row saying it; as PostgreSQL's row terms (0028) do there. Every row's
terms are written here, as every import's end writes those it changed."""

from django.db import migrations

from kb.search import schema


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for terms in schema.SQLITE_ROW_TERMS.values():
        for statement in schema.sqlite_row_term_statements(terms):
            schema_editor.execute(statement)
    from kb.search.sqlite.rows import write_terms

    write_terms(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for terms in schema.SQLITE_ROW_TERMS.values():
        for statement in schema.sqlite_row_term_drop_statements(terms):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0037_sqlite_chapter_terms")]

    operations = [migrations.RunPython(create, drop)]
