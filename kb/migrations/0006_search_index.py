"""Full-text search kept in step by the database itself, as `kb.search.schema` declares
it: FTS5 tables with triggers (SQLite), stored generated tsvector columns with GIN
indexes (PostgreSQL). An edit in the admin or an import is searchable as soon as it
commits; `manage.py reindex` rebuilds from scratch."""

from django.db import migrations

from kb.search import schema


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    build = {"sqlite": schema.sqlite_statements, "postgresql": schema.postgres_statements}
    if vendor not in build:
        return
    for indexed in schema.INDEXED:
        for statement in build[vendor](indexed):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    remove = {
        "sqlite": schema.sqlite_drop_statements,
        "postgresql": schema.postgres_drop_statements,
    }
    if vendor not in remove:
        return
    for indexed in schema.INDEXED:
        for statement in remove[vendor](indexed):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_search_documents")]

    operations = [migrations.RunPython(create, drop)]
