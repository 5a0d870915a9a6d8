"""SQLite: the chapters that say a common query most, read best first from the chapter
terms (`schema.SQLITE_CHAPTER_TERMS`: how strongly each chapter says each of its most-said
words, stemmed as FTS5 stems them), as PostgreSQL reads its own chapter terms. bm25 over
every chapter saying a word said in tens of thousands of them scores every one.

The words are stemmed as FTS5 stems them (kb.search.sqlite.stems).
"""

from collections import Counter

from django.db import connection

from kb.search.query import TOKEN
from kb.search.schema import (
    CHAPTERS,
    DIGEST_REPEATS,
    DIGEST_WORDS,
    MARK_EVERY_CHAPTER,
    SQLITE_CHAPTER_TERMS,
    TERMS_PENDING,
    TYPICAL_DIGEST_WORDS,
)
from kb.search.sqlite.rows import score
from kb.search.sqlite.stems import stem, stemmed

# A query said in more chapters than this is ranked by the chapter terms.
COMMON_CHAPTERS = 2000
# Chapters looked at per word of a query of several: those that say it most.
CANDIDATES_PER_WORD = 200
# Of those, the ones that say the query's words most, tested against the whole query.
CANDIDATES = 100
# Chapters whose terms are written in one go.
BATCH = 500


def digest(title: str, text: str) -> str:
    """A chapter's most-said words, each as often as it is said (up to DIGEST_REPEATS)."""
    counts = Counter(TOKEN.findall(f"{title} {text}".casefold()))
    return " ".join(
        " ".join([word] * min(n, DIGEST_REPEATS)) for word, n in counts.most_common(DIGEST_WORDS)
    )


def write_terms(db=connection) -> int:
    """Write the terms of the chapters the triggers marked as changed; returns how many.
    BATCH at a time: a million-line knowledge base is 5,700 chapters."""
    done = 0
    with db.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT t.chapter_id, t.title, t.text FROM {TERMS_PENDING} p"
                f" JOIN {CHAPTERS.table} t ON t.chapter_id = p.chapter_id LIMIT {BATCH}"
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            said = stemmed(cursor, [(pk, digest(title, text)) for pk, title, text in rows])
            ids = [(pk,) for pk, *_ in rows]
            cursor.executemany(f"DELETE FROM {SQLITE_CHAPTER_TERMS} WHERE chapter_id = %s", ids)
            cursor.executemany(
                f"INSERT INTO {SQLITE_CHAPTER_TERMS} (lexeme, score, chapter_id)"
                " VALUES (%s, %s, %s)",
                [
                    (term, score(hits, words, TYPICAL_DIGEST_WORDS), pk)
                    for pk, stems in said.items()
                    for words in [sum(stems.values())]
                    for term, hits in stems.items()
                ],
            )
            cursor.executemany(f"DELETE FROM {TERMS_PENDING} WHERE chapter_id = %s", ids)
            done += len(rows)


def mark_every_chapter() -> None:
    """Mark every chapter's terms to be written again (reindex)."""
    with connection.cursor() as cursor:
        cursor.execute(MARK_EVERY_CHAPTER)


def _lexemes(words: list[str]) -> list[str] | None:
    """The words' stems, once each; None when FTS5 makes no one stem of one of them."""
    lexemes = [stem(word) for word in words]
    return None if None in lexemes else sorted(set(lexemes))


def _best_of_each(lexemes: list[str]) -> tuple[str, list]:
    """The query whose rows are (chapter id, score) of each stem's CANDIDATES_PER_WORD
    best chapters."""
    one = (
        f"SELECT * FROM (SELECT chapter_id, score FROM {SQLITE_CHAPTER_TERMS}"
        " WHERE lexeme = %s ORDER BY score DESC LIMIT %s)"
    )
    return (
        " UNION ALL ".join([one] * len(lexemes)),
        [v for lexeme in lexemes for v in (lexeme, CANDIDATES_PER_WORD)],
    )


def best_for_words(words: list[str], count: int) -> list[int] | None:
    """The `count` chapters whose most-said words hold every one of `words`, by the sum
    of their scores, best first, visible or not: one word's read in order from the
    index, several words' among each one's CANDIDATES_PER_WORD best. None when FTS5
    makes no one stem of a word."""
    lexemes = _lexemes(words)
    if not lexemes:
        return None
    with connection.cursor() as cursor:
        if len(lexemes) == 1:
            cursor.execute(
                f"SELECT chapter_id FROM {SQLITE_CHAPTER_TERMS} WHERE lexeme = %s"
                " ORDER BY score DESC, chapter_id LIMIT %s",
                [lexemes[0], count],
            )
        else:
            each, params = _best_of_each(lexemes)
            marks = ", ".join(["%s"] * len(lexemes))
            cursor.execute(
                f"SELECT chapter_id FROM {SQLITE_CHAPTER_TERMS}"
                f" WHERE chapter_id IN (SELECT chapter_id FROM ({each})) AND lexeme IN ({marks})"
                " GROUP BY chapter_id HAVING count(*) = %s"
                " ORDER BY sum(score) DESC, chapter_id LIMIT %s",
                [*params, *lexemes, len(lexemes), count],
            )
        return [pk for (pk,) in cursor.fetchall()]


def candidates(words: list[str]) -> list[int]:
    """The CANDIDATES chapters that say these words most, any of them: each word's
    CANDIDATES_PER_WORD best chapters, by the sum of their scores."""
    lexemes = sorted({lexeme for word in words if (lexeme := stem(word)) is not None})
    if not lexemes:
        return []
    each, params = _best_of_each(lexemes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT chapter_id FROM ({each})"
            " GROUP BY chapter_id ORDER BY sum(score) DESC, chapter_id LIMIT %s",
            [*params, CANDIDATES],
        )
        return [pk for (pk,) in cursor.fetchall()]
