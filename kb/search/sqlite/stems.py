"""Words stemmed as SQLite's FTS5 stems them (`schema.TOKENIZE`), for the terms tables
(chapters.py, rows.py), whose rows must hold the stems FTS5 itself would look up.

FTS5's porter tokenizer cannot be called from Python: the texts are put in a temporary
FTS5 table of this connection with the same tokenizer, and its `fts5vocab` instances
are read back (each stem, in which text, how often).
"""

import functools
from collections import Counter

from django.db import connection

from kb.search.schema import TOKENIZE

STEMS = "kb_stems"
STEMS_SAID = "kb_stems_said"


def stemmed(cursor, texts: list[tuple[int, str]]) -> dict[int, Counter]:
    """{key: Counter of stems} of each (key, text), as FTS5 tokenizes and stems them."""
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{STEMS} USING fts5(words, tokenize='{TOKENIZE}')"
    )
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{STEMS_SAID}"
        f" USING fts5vocab(temp, {STEMS}, instance)"
    )
    cursor.execute(f"DELETE FROM temp.{STEMS}")  # what a failed call may have left
    cursor.executemany(f"INSERT INTO temp.{STEMS} (rowid, words) VALUES (%s, %s)", texts)
    cursor.execute(f"SELECT doc, term, count(*) FROM temp.{STEMS_SAID} GROUP BY doc, term")
    said: dict[int, Counter] = {key: Counter() for key, _ in texts}
    for key, term, hits in cursor.fetchall():
        said[key][term] = hits
    cursor.execute(f"DELETE FROM temp.{STEMS}")
    return said


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str | None:
    """The one stem FTS5 makes of a query's word; None when it makes none or several."""
    with connection.cursor() as cursor:
        stems = list(stemmed(cursor, [(1, word)])[1])
    return stems[0] if len(stems) == 1 else None
