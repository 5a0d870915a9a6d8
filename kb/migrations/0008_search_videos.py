"""Search ranks whole videos first, then chapters inside the best videos, then lines:
the video transcript gets its own full-text index, kept in step like the others
(see 0006_search_index)."""

import importlib

from django.db import migrations

search_index = importlib.import_module("kb.migrations.0006_search_index")

VIDEO = (
    "kb_video",
    ["title", "transcript"],
    "setweight(to_tsvector('english', coalesce(title, '')), 'C') || "
    "setweight(to_tsvector('english', coalesce(transcript, '')), 'D')",
)


def create(apps, schema_editor):
    table, columns, expression = VIDEO
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = search_index.sqlite_statements(table, columns)
    elif vendor == "postgresql":
        statements = search_index.postgres_statements(table, expression)
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS kb_video_fts_{suffix}")
        schema_editor.execute("DROP TABLE IF EXISTS kb_video_fts")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE kb_video DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_video_transcript")]

    operations = [migrations.RunPython(create, drop)]
