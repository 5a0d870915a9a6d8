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


# PostgreSQL: what FTS5's index gives SQLite's bm25 for free, how strongly each row says
# each stemmed word, precomputed in a table kept by a trigger, so that ranking a common
# word reads a few index entries instead of every matching row's vector (Terms).
#
# Chapters: one row per chapter and word it says at least TERM_MIN_HITS times (a word said
# once in a chapter never makes it one of the best for that word), scored as bm25's term
# frequency part (k1 1.2, b 0.75, against a typical chapter's length).
TERM_MIN_HITS = 2
TYPICAL_CHAPTER_WORDS = 1000
_TERM_SCORE = f"hits * 2.2 / (hits + 1.2 * (0.25 + 0.75 * words / {TYPICAL_CHAPTER_WORDS}.0))"
_CHAPTER_TERMS_OF = (
    "SELECT lexeme, {row}, (" + _TERM_SCORE + ")::real FROM ("
    " SELECT lexeme, coalesce(array_length(positions, 1), 1) AS hits,"
    " sum(coalesce(array_length(positions, 1), 1)) OVER () AS words"
    f" FROM unnest({{vector}})) AS said WHERE hits >= {TERM_MIN_HITS}"
)
# Lessons, takeaways and quotes: one row per row and word it says, scored as `ts_rank`
# scores a one-word query (its default weights D 0.1 to A 1.0, each further saying
# counting 1/n² as much), so that a word's best rows come first in the index.
_WEIGHT = "CASE w WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1 END"
_RANK_OF_WORD = (
    f"(SELECT sum(v / (n * n)) / 1.64493406685 FROM unnest(ARRAY(SELECT {_WEIGHT}"
    " FROM unnest(weights) AS w ORDER BY 1 DESC)) WITH ORDINALITY AS said(v, n))"
)
_ROW_TERMS_OF = f"SELECT lexeme, {{row}}, {_RANK_OF_WORD}::real FROM unnest({{vector}})"


@dataclass(frozen=True)
class Terms:
    """A PostgreSQL table (lexeme, `key`, score) of how strongly each row of `source`
    says each stemmed word, with an index that gives a word's best rows first."""

    table: str
    source: Indexed
    key: str  # the column naming the source row (its primary key's value)
    # SELECT (lexeme, {row} id, score) rows of one row's {vector}.
    rows_of: str = _ROW_TERMS_OF
    # How lexemes sort: bytes ("C") make a prefix a range of the index; chapters
    # look words up whole (their table predates prefixes).
    collation: str = "C"

    def terms_of(self, row: str, vector: str) -> str:
        return self.rows_of.format(row=row, vector=vector)


CHAPTER_TERMS = Terms("kb_chapterterm", CHAPTERS, "chapter_id", _CHAPTER_TERMS_OF, collation="")
LESSON_TERMS = Terms("kb_lessonterm", LESSONS, "lesson_id")
TAKEAWAY_TERMS = Terms("kb_takeawayterm", TAKEAWAYS, "takeaway_id")
QUOTE_TERMS = Terms("kb_quoteterm", QUOTES, "quote_id")
TERMS = {
    terms.source: terms for terms in (CHAPTER_TERMS, LESSON_TERMS, TAKEAWAY_TERMS, QUOTE_TERMS)
}


def postgres_term_statements(terms: Terms = CHAPTER_TERMS) -> list[str]:
    """Create `terms`' table, index and triggers, and fill it (migrations 0024, 0028)."""
    table, key, source = terms.table, terms.key, terms.source
    new, old = f"NEW.{source.pk}", f"OLD.{source.pk}"
    collate = f' COLLATE "{terms.collation}"' if terms.collation else ""
    return [
        f"CREATE TABLE {table} (lexeme text{collate} NOT NULL, {key} integer NOT NULL,"
        " score real NOT NULL)",
        f"CREATE INDEX {table}_best ON {table} (lexeme, score DESC) INCLUDE ({key})",
        f"CREATE INDEX {table}_{key.removesuffix('_id')} ON {table} ({key})",
        f"CREATE FUNCTION {table}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF TG_OP <> 'INSERT' THEN DELETE FROM {table} WHERE {key} = {old};"
        " END IF;"
        f" IF TG_OP <> 'DELETE' THEN INSERT INTO {table}"
        f" {terms.terms_of(new, 'NEW.search_vector')}; END IF;"
        " RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_keep AFTER INSERT OR DELETE OR UPDATE OF"
        f" {', '.join(c.name for c in source.columns)}"
        f" ON {source.table} FOR EACH ROW EXECUTE FUNCTION {table}_keep()",
        f"CREATE FUNCTION {table}_empty() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" TRUNCATE {table}; RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_empty AFTER TRUNCATE ON {source.table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_empty()",
        *postgres_refill_terms(terms),
    ]


def postgres_refill_terms(terms: Terms = CHAPTER_TERMS) -> list[str]:
    """Rebuild `terms` from their rows' vectors (migration, `reindex`)."""
    source = terms.source
    row, vector = f"{source.table}.{source.pk}", f"{source.table}.search_vector"
    return [
        f"TRUNCATE {terms.table}",
        f"INSERT INTO {terms.table} SELECT said.* FROM {source.table},"
        f" LATERAL ({terms.terms_of(row, vector)}) AS said",
    ]


def postgres_term_drop_statements(terms: Terms = CHAPTER_TERMS) -> list[str]:
    table, source = terms.table, terms.source.table
    return [
        f"DROP TRIGGER IF EXISTS {table}_keep ON {source}",
        f"DROP TRIGGER IF EXISTS {table}_empty ON {source}",
        f"DROP FUNCTION IF EXISTS {table}_keep()",
        f"DROP FUNCTION IF EXISTS {table}_empty()",
        f"DROP TABLE IF EXISTS {table}",
    ]


# SQLite: what PostgreSQL's chapter terms give it, from FTS5's own stems. Ranking a word
# said in tens of thousands of chapters by bm25 scores every one of them; this table gives
# its best chapters first. Its rows are each chapter's DIGEST_WORDS most-said words (a
# chapter's other words never make it one of the best for them), each counted up to
# DIGEST_REPEATS times (bm25 saturates well before), stemmed as FTS5 stems them, scored
# as bm25's term frequency part (k1 1.2, b 0.75) against TYPICAL_DIGEST_WORDS. Written
# by `kb.search.sqlite.chapters.write_terms` for the chapters a trigger marks as changed
# (counting words is more than a trigger can do), after every edit and import.
SQLITE_CHAPTER_TERMS = CHAPTER_TERMS.table  # the same name as on PostgreSQL
TERMS_PENDING = "kb_chapterterm_pending"
DIGEST_WORDS = 48
DIGEST_REPEATS = 8
TYPICAL_DIGEST_WORDS = 200
# Every chapter marked for its terms to be written (migration 0037, `reindex`).
MARK_EVERY_CHAPTER = (
    f"INSERT OR IGNORE INTO {TERMS_PENDING} (chapter_id) SELECT chapter_id FROM {CHAPTERS.table}"
)


def sqlite_term_statements() -> list[str]:
    """Create the chapter terms' table, the marks of what is to write, and the triggers
    that mark them; mark every chapter (migration 0037)."""
    source, table = CHAPTERS.table, SQLITE_CHAPTER_TERMS
    mark = f"INSERT OR IGNORE INTO {TERMS_PENDING} (chapter_id) VALUES (new.chapter_id)"
    return [
        f"CREATE TABLE {table} (lexeme text NOT NULL, score real NOT NULL,"
        " chapter_id integer NOT NULL, PRIMARY KEY (lexeme, score DESC, chapter_id))"
        " WITHOUT ROWID",
        f"CREATE INDEX {table}_chapter ON {table} (chapter_id, lexeme)",
        f"CREATE TABLE {TERMS_PENDING} (chapter_id integer PRIMARY KEY)",
        f"CREATE TRIGGER {table}_mark_ai AFTER INSERT ON {source} BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_au AFTER UPDATE OF title, text ON {source} BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_ad AFTER DELETE ON {source} BEGIN"
        f" DELETE FROM {table} WHERE chapter_id = old.chapter_id;"
        f" DELETE FROM {TERMS_PENDING} WHERE chapter_id = old.chapter_id; END",
        MARK_EVERY_CHAPTER,
    ]


def sqlite_term_drop_statements() -> list[str]:
    table = SQLITE_CHAPTER_TERMS
    return [
        *(f"DROP TRIGGER IF EXISTS {table}_mark_{op}" for op in ("ai", "au", "ad")),
        f"DROP TABLE IF EXISTS {TERMS_PENDING}",
        f"DROP TABLE IF EXISTS {table}",
    ]


# SQLite: what PostgreSQL's row terms (TERMS) give it, from FTS5's own stems. bm25 over a
# word said in thousands of lessons scores every one of them; these tables give a word's
# best rows first. One row per row of the source and stem it says, scored as FTS5's bm25
# scores a query of that one word before its idf (the columns' weights, k1 1.2, b 0.75,
# against `typical_words`), times the table's scale, so a search multiplies by the
# word's idf and gets bm25's own figure. Written by `kb.search.sqlite.rows.write_terms`
# for the rows a trigger marks as changed (stemming is more than a trigger can do), once
# an edit or an import commits; a search scores the marked rows, still unwritten, from
# their words.
@dataclass(frozen=True)
class RowTerms:
    source: Indexed
    key: str  # the column naming the source row
    typical_words: int  # bm25's average row length, in tokens

    @property
    def table(self) -> str:
        return TERMS[self.source].table  # the same names as on PostgreSQL

    @property
    def pending(self) -> str:
        return f"{self.table}_pending"


SQLITE_ROW_TERMS = {
    terms.source: terms
    for terms in (
        RowTerms(LESSONS, "lesson_id", 120),
        RowTerms(TAKEAWAYS, "takeaway_id", 20),
        RowTerms(QUOTES, "quote_id", 45),
    )
}


def sqlite_row_term_statements(terms: RowTerms) -> list[str]:
    """Create one source's terms table, the marks of rows to write and the triggers that
    mark them; mark every row (migration 0038)."""
    source, table, key, pending = terms.source, terms.table, terms.key, terms.pending
    mark = f"INSERT OR IGNORE INTO {pending} ({key}) VALUES (new.{source.pk})"
    columns = ", ".join(c.name for c in source.columns)
    return [
        f"CREATE TABLE {table} (lexeme text NOT NULL, score real NOT NULL,"
        f" {key} integer NOT NULL, PRIMARY KEY (lexeme, score DESC, {key})) WITHOUT ROWID",
        f"CREATE INDEX {table}_row ON {table} ({key}, lexeme)",
        f"CREATE TABLE {pending} ({key} integer PRIMARY KEY)",
        f"CREATE TRIGGER {table}_mark_ai AFTER INSERT ON {source.table} BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_au AFTER UPDATE OF {columns} ON {source.table}"
        f" BEGIN {mark}; END",
        f"CREATE TRIGGER {table}_mark_ad AFTER DELETE ON {source.table} BEGIN"
        f" DELETE FROM {table} WHERE {key} = old.{source.pk};"
        f" DELETE FROM {pending} WHERE {key} = old.{source.pk}; END",
        every_row_marked(terms),
    ]


def every_row_marked(terms: RowTerms) -> str:
    """Every row of the source marked for its terms to be written (migration, reindex)."""
    return (
        f"INSERT OR IGNORE INTO {terms.pending} ({terms.key})"
        f" SELECT {terms.source.pk} FROM {terms.source.table}"
    )


def sqlite_row_term_drop_statements(terms: RowTerms) -> list[str]:
    table = terms.table
    return [
        *(f"DROP TRIGGER IF EXISTS {table}_mark_{op}" for op in ("ai", "au", "ad")),
        f"DROP TABLE IF EXISTS {terms.pending}",
        f"DROP TABLE IF EXISTS {table}",
    ]
