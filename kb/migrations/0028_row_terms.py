"""PostgreSQL only: how strongly each lesson, takeaway and quote says each word
(`kb.search.schema` TERMS), so that search ranks a common word's best rows from an
index instead of reading every matching row's vector."""

from django.db import migrations

from kb.search import schema

KINDS = (schema.LESSON_TERMS, schema.TAKEAWAY_TERMS, schema.QUOTE_TERMS)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for terms in KINDS:
            for statement in schema.postgres_term_statements(terms):
                schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for terms in KINDS:
            for statement in schema.postgres_term_drop_statements(terms):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0027_sqlite_chapter_digests")]

    operations = [migrations.RunPython(create, drop)]
