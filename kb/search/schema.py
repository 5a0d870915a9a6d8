"""What is searched, declared once: each table, its columns and their weights. The
migration that builds the index (0006) and both backends read it from here.

SQLite: an FTS5 table `<table>_fts` per table (porter stemming, diacritics folded), with
external content, kept current by triggers. PostgreSQL: a stored generated, weighted
`search_vector` column per table with a GIN index. Changing a declaration here changes
nothing in an existing database: it needs a migration that drops and rebuilds that
table's index with `sqlite_statements` / `postgres_statements`.
"""

from dataclasses import dataclass

TOKENIZE = "porter unicode61 remove_diacritics 2"
CONFIG = "english"


@dataclass(frozen=True)
class Column:
    name: str
    weight: str  # PostgreSQL's A (most) to D
    bm25: float = 1.0  # FTS5's weight for this column in bm25()


@dataclass(frozen=True)
class Indexed:
    table: str
    columns: tuple[Column, ...]
    pk: str = "id"
    # The table's bm25 against the other tables' (FTS5 only: ts_rank needs none).
    scale: float = 1.0

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def column(self, name: str) -> int:
        """A column's number in the FTS5 table (for snippet())."""
        return [c.name for c in self.columns].index(name)

    @property
    def bm25(self) -> str:
        weights = "".join(f", {c.bm25}" for c in self.columns)
        rank = f"bm25({self.fts}{weights})"
        return rank if self.scale == 1.0 else f"{rank} * {self.scale}"

    @property
    def tsvector(self) -> str:
        return " || ".join(
            f"setweight(to_tsvector('{CONFIG}', coalesce({c.name}, '')), '{c.weight}')"
            for c in self.columns
        )


LESSONS = Indexed("kb_lesson", (Column("title", "A", 10.0), Column("body", "B", 3.0)))
# A takeaway's few words rank against a whole lesson's: scaled up to compare.
TAKEAWAYS = Indexed("kb_takeaway", (Column("text", "B"),), scale=3.0)
QUOTES = Indexed("kb_quote", (Column("text", "C"),))
CHAPTERS = Indexed(
    "kb_chaptertranscript", (Column("title", "C", 2.0), Column("text", "D")), pk="chapter_id"
)
LINES = Indexed("kb_transcriptsegment", (Column("text", "D"),))
INDEXED = (LESSONS, TAKEAWAYS, QUOTES, CHAPTERS, LINES)


def sqlite_statements(indexed: Indexed) -> list[str]:
    fts, pk = indexed.fts, indexed.pk
    cols = ", ".join(c.name for c in indexed.columns)
    new = ", ".join(f"new.{c.name}" for c in indexed.columns)
    old = ", ".join(f"old.{c.name}" for c in indexed.columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{indexed.table}', "
        f"content_rowid='{pk}', tokenize='{TOKENIZE}')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {indexed.table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {indexed.table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {indexed.table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{pk}, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{pk}, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def sqlite_drop_statements(indexed: Indexed) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {indexed.fts}_{suffix}" for suffix in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {indexed.fts}",
    ]


def postgres_statements(indexed: Indexed) -> list[str]:
    return [
        f"ALTER TABLE {indexed.table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({indexed.tsvector}) STORED",
        f"CREATE INDEX {indexed.table}_search_gin ON {indexed.table} USING gin (search_vector)",
    ]


def postgres_drop_statements(indexed: Indexed) -> list[str]:
    return [f"ALTER TABLE {indexed.table} DROP COLUMN IF EXISTS search_vector"]


# PostgreSQL: what FTS5's index gives SQLite's bm25 for free, how strongly each chapter
# says each word, precomputed so that ranking chapters never reads their whole vectors.
# One row per chapter and stemmed word it says at least TERM_MIN_HITS times (a word said
# once in a chapter never makes it one of the best for that word), scored as bm25's term
# frequency part (k1 1.2, b 0.75, against a typical chapter's length), kept by a trigger.
CHAPTER_TERMS = "kb_chapterterm"
TERM_MIN_HITS = 2
TYPICAL_CHAPTER_WORDS = 1000
_TERM_SCORE = f"hits * 2.2 / (hits + 1.2 * (0.25 + 0.75 * words / {TYPICAL_CHAPTER_WORDS}.0))"
_TERMS_OF = (
    "SELECT lexeme, {chapter}, ({score})::real FROM ("
    " SELECT lexeme, coalesce(array_length(positions, 1), 1) AS hits,"
    " sum(coalesce(array_length(positions, 1), 1)) OVER () AS words"
    " FROM unnest({vector})) AS said WHERE hits >= {min_hits}"
)


def terms_of(chapter: str, vector: str) -> str:
    """SELECT (lexeme, chapter id, score) rows of one chapter's vector."""
    return _TERMS_OF.format(
        chapter=chapter, vector=vector, score=_TERM_SCORE, min_hits=TERM_MIN_HITS
    )


def postgres_term_statements() -> list[str]:
    table, source = CHAPTER_TERMS, CHAPTERS.table
    return [
        f"CREATE TABLE {table} (lexeme text NOT NULL, chapter_id integer NOT NULL,"
        " score real NOT NULL)",
        f"CREATE INDEX {table}_best ON {table} (lexeme, score DESC) INCLUDE (chapter_id)",
        f"CREATE INDEX {table}_chapter ON {table} (chapter_id)",
        f"CREATE FUNCTION {table}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF TG_OP <> 'INSERT' THEN DELETE FROM {table} WHERE chapter_id = OLD.chapter_id;"
        " END IF;"
        f" IF TG_OP <> 'DELETE' THEN INSERT INTO {table}"
        f" {terms_of('NEW.chapter_id', 'NEW.search_vector')}; END IF;"
        " RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_keep AFTER INSERT OR DELETE OR UPDATE OF title, text"
        f" ON {source} FOR EACH ROW EXECUTE FUNCTION {table}_keep()",
        f"CREATE FUNCTION {table}_empty() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" TRUNCATE {table}; RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_empty AFTER TRUNCATE ON {source}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_empty()",
        *postgres_refill_terms(),
    ]


def postgres_refill_terms() -> list[str]:
    """Rebuild the chapter terms from the chapters' vectors (migration, `reindex`)."""
    source = CHAPTERS.table
    return [
        f"TRUNCATE {CHAPTER_TERMS}",
        f"INSERT INTO {CHAPTER_TERMS} SELECT said.* FROM {source},"
        f" LATERAL ({terms_of(f'{source}.chapter_id', f'{source}.search_vector')}) AS said",
    ]


def postgres_term_drop_statements() -> list[str]:
    table, source = CHAPTER_TERMS, CHAPTERS.table
    return [
        f"DROP TRIGGER IF EXISTS {table}_keep ON {source}",
        f"DROP TRIGGER IF EXISTS {table}_empty ON {source}",
        f"DROP FUNCTION IF EXISTS {table}_keep()",
        f"DROP FUNCTION IF EXISTS {table}_empty()",
        f"DROP TABLE IF EXISTS {table}",
    ]


# SQLite: what FTS5 offers in place of PostgreSQL's chapter terms, a compact per-chapter
# document: each chapter's DIGEST_WORDS most-said words, each repeated as often as it is
# said up to DIGEST_REPEATS (bm25 saturates well before). A word said in tens of
# thousands of chapters is in the digests of those that say it most: ranking those
# reads a fraction of the chapters. Kept by `SQLiteSearch.tidy` from the chapters a
# trigger marks as changed (a digest needs words counted, which no trigger can do).
DIGESTS = Indexed("kb_chapterdigest", (Column("words", "D"),), pk="chapter_id")
DIGEST_PENDING = "kb_chapterdigest_pending"
DIGEST_WORDS = 48
DIGEST_REPEATS = 8


def sqlite_digest_statements() -> list[str]:
    source, table = CHAPTERS.table, DIGESTS.table
    mark = f"INSERT OR IGNORE INTO {DIGEST_PENDING} (chapter_id) VALUES (new.chapter_id)"
    return [
        f"CREATE TABLE {table} (chapter_id integer PRIMARY KEY, words text NOT NULL)",
        f"CREATE TABLE {DIGEST_PENDING} (chapter_id integer PRIMARY KEY)",
        f"CREATE TRIGGER {table}_mark_ai AFTER INSERT ON {source} BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_au AFTER UPDATE OF title, text ON {source} BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_ad AFTER DELETE ON {source} BEGIN"
        f" DELETE FROM {table} WHERE chapter_id = old.chapter_id;"
        f" DELETE FROM {DIGEST_PENDING} WHERE chapter_id = old.chapter_id; END",
        *sqlite_statements(DIGESTS),
        f"INSERT INTO {DIGEST_PENDING} (chapter_id) SELECT chapter_id FROM {source}",
    ]


def sqlite_digest_drop_statements() -> list[str]:
    table = DIGESTS.table
    return [
        *(f"DROP TRIGGER IF EXISTS {table}_mark_{op}" for op in ("ai", "au", "ad")),
        *sqlite_drop_statements(DIGESTS),
        f"DROP TABLE IF EXISTS {DIGEST_PENDING}",
        f"DROP TABLE IF EXISTS {table}",
    ]
