"""Full-text search kept in step by the database itself.

SQLite: FTS5 tables (porter stemming, diacritics folded) with external content, kept
current by triggers on the source tables. PostgreSQL: a stored generated tsvector
column per table, weighted, with a GIN index. Either way an edit in the admin or an
import is searchable as soon as it commits; `manage.py reindex` rebuilds from scratch.
"""

from django.db import migrations

# table, FTS columns (SQLite), weighted tsvector expression (PostgreSQL)
INDEXED = [
    ("kb_lesson", ["title", "body"],
     "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
     "setweight(to_tsvector('english', coalesce(body, '')), 'B')"),
    ("kb_takeaway", ["text"], "setweight(to_tsvector('english', coalesce(text, '')), 'B')"),
    ("kb_quote", ["text"], "setweight(to_tsvector('english', coalesce(text, '')), 'C')"),
    ("kb_chaptertranscript", ["title", "text"],
     "setweight(to_tsvector('english', coalesce(title, '')), 'C') || "
     "setweight(to_tsvector('english', coalesce(text, '')), 'D')"),
    ("kb_transcriptsegment", ["text"], "setweight(to_tsvector('english', coalesce(text, '')), 'D')"),
]
TOKENIZE = "porter unicode61 remove_diacritics 2"


PRIMARY_KEYS = {"kb_chaptertranscript": "chapter_id"}


def sqlite_statements(table, columns):
    fts = f"{table}_fts"
    pk = PRIMARY_KEYS.get(table, "id")
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='{pk}', "
        f"tokenize='{TOKENIZE}')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def postgres_statements(table, expression):
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, columns, expression in INDEXED:
        if vendor == "sqlite":
            statements = sqlite_statements(table, columns)
        elif vendor == "postgresql":
            statements = postgres_statements(table, expression)
        else:
            return
        for statement in statements:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _, _ in INDEXED:
        if vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
        elif vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_search_documents")]

    operations = [migrations.RunPython(create, drop)]
