"""SQLite: each chapter's digest (its most-said words) with its FTS5 index, so a common
word's best chapters were ranked among a fraction of them. Every chapter is marked for
digesting. Migration 0037 replaced the digests with chapter terms (kb.search.schema
SQLITE_CHAPTER_TERMS), written there; this keeps its own statements, as first made."""

from django.db import migrations

from kb.search.schema import TOKENIZE

SOURCE, TABLE, PENDING = "kb_chaptertranscript", "kb_chapterdigest", "kb_chapterdigest_pending"
FTS = f"{TABLE}_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    mark = f"INSERT OR IGNORE INTO {PENDING} (chapter_id) VALUES (new.chapter_id)"
    for statement in (
        f"CREATE TABLE {TABLE} (chapter_id integer PRIMARY KEY, words text NOT NULL)",
        f"CREATE TABLE {PENDING} (chapter_id integer PRIMARY KEY)",
        f"CREATE TRIGGER {TABLE}_mark_ai AFTER INSERT ON {SOURCE} BEGIN {mark}; END",
        f"CREATE TRIGGER {TABLE}_mark_au AFTER UPDATE OF title, text ON {SOURCE} BEGIN {mark}; END",
        f"CREATE TRIGGER {TABLE}_mark_ad AFTER DELETE ON {SOURCE} BEGIN"
        f" DELETE FROM {TABLE} WHERE chapter_id = old.chapter_id;"
        f" DELETE FROM {PENDING} WHERE chapter_id = old.chapter_id; END",
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(words, content='{TABLE}',"
        f" content_rowid='chapter_id', tokenize='{TOKENIZE}')",
        f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {TABLE} BEGIN"
        f" INSERT INTO {FTS}(rowid, words) VALUES (new.chapter_id, new.words); END",
        f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {TABLE} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, words) VALUES ('delete', old.chapter_id, old.words);"
        " END",
        f"CREATE TRIGGER {FTS}_au AFTER UPDATE OF words ON {TABLE} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, words) VALUES ('delete', old.chapter_id, old.words);"
        f" INSERT INTO {FTS}(rowid, words) VALUES (new.chapter_id, new.words); END",
        f"INSERT INTO {PENDING} (chapter_id) SELECT chapter_id FROM {SOURCE}",
    ):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (
        *(f"DROP TRIGGER IF EXISTS {TABLE}_mark_{op}" for op in ("ai", "au", "ad")),
        *(f"DROP TRIGGER IF EXISTS {FTS}_{op}" for op in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {FTS}",
        f"DROP TABLE IF EXISTS {PENDING}",
        f"DROP TABLE IF EXISTS {TABLE}",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0026_lesson_created_index")]

    operations = [migrations.RunPython(create, drop)]
