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
