"""PostgreSQL only: how strongly each chapter says each word (`kb.search.schema`
CHAPTER_TERMS), so that search ranks chapters without reading their whole vectors."""

from django.db import migrations

from kb.search import schema


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_term_statements():
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.postgres_term_drop_statements():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0023_video_description")]

    operations = [migrations.RunPython(create, drop)]
