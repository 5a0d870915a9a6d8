"""SQLite: the lessons, takeaways and quotes that say a common word most, read best first
from their terms tables (`schema.SQLITE_ROW_TERMS`: how strongly each row says each
stem, as bm25 scores it), as PostgreSQL reads its own. FTS5's bm25 over a word said in
thousands of lessons scores every one of them; the terms give the best few hundred from
an index (bench/results/2026-12-07-sqlite-row-terms.md).

Only one plain word (and exclusions) is read from the terms: several words, phrases and
rare words are ranked by bm25 as before. Rows changed since their terms were last
written (marked by a trigger; written once an edit or an import commits) are scored
from their words at the search and take their place among the others: a search never
shows an edited row's old words.
"""

import json
import math

from django.db import connection

from kb.search.schema import SQLITE_ROW_TERMS, Indexed, RowTerms, every_row_marked
from kb.search.sqlite.stems import stem, stemmed

# A word said in more rows than this is ranked by the terms.
COMMON_ROWS = 2000
# More rows marked as changed than this (a long run of edits with no import since): the
# word is ranked by bm25, as if rare. The marked rows are stemmed at each search.
MOST_PENDING = 200
# Rows read from the terms, at most, as many times the rows wanted, when excluded words
# leave too few of those read first.
MOST_WANTED = 8
# A prefix standing for more stems than this ("co…") is ranked by bm25.
MOST_STEMS = 40
# Rows whose terms are written in one go.
BATCH = 1000
# The upper bound of a prefix's range of stems: the highest character.
LAST = "\U0010ffff"
# bm25's constants, as FTS5's.
K1, B = 1.2, 0.75


def score(freq: float, words: int, typical: int) -> float:
    """bm25 of one word before its idf: `freq` (its sayings, weighted by column) in a
    row of `words` tokens."""
    return freq * (K1 + 1) / (freq + K1 * (1 - B + B * words / typical))


SOURCES = list(SQLITE_ROW_TERMS.values())
# The most columns a source has: every source's texts are read in this many.
WIDEST = max(len(terms.source.columns) for terms in SOURCES)


def write_terms(db=connection) -> int:
    """Write the terms of the rows the triggers marked as changed, every source's at once
    (an edit changes a lesson and its takeaways: one read, one stemming); returns how many
    rows."""
    reads = [
        f"SELECT * FROM (SELECT {kind}, p.{terms.key}, {_texts(terms, 's')}"
        f" FROM {terms.pending} p LEFT JOIN {terms.source.table} s"
        f" ON s.{terms.source.pk} = p.{terms.key} LIMIT {BATCH})"
        for kind, terms in enumerate(SOURCES)
    ]
    done = 0
    with db.cursor() as cursor:
        while True:
            cursor.execute(" UNION ALL ".join(reads))
            marked = cursor.fetchall()
            if not marked:
                return done
            scores = _terms_of(cursor, marked)
            for kind, terms in enumerate(SOURCES):
                ids = [(pk,) for k, pk, *_ in marked if k == kind]
                if not ids:
                    continue
                table, key = terms.table, terms.key
                cursor.executemany(f"DELETE FROM {table} WHERE {key} = %s", ids)
                cursor.executemany(
                    f"INSERT INTO {table} (lexeme, score, {key}) VALUES (%s, %s, %s)",
                    [
                        (lexeme, scored, pk)
                        for (pk,) in ids
                        for lexeme, scored in scores[kind, pk].items()
                    ],
                )
                cursor.executemany(f"DELETE FROM {terms.pending} WHERE {key} = %s", ids)
            done += len(marked)
            if all(sum(row[0] == kind for row in marked) < BATCH for kind in range(len(SOURCES))):
                return done


def _texts(terms: RowTerms, alias: str) -> str:
    """The source's columns' texts, padded to WIDEST."""
    texts = [f"coalesce({alias}.{c.name}, '')" for c in terms.source.columns]
    return ", ".join(texts + ["''"] * (WIDEST - len(texts)))


def _terms_of(cursor, marked: list[tuple]) -> dict[tuple[int, int], dict[str, float]]:
    """{(source's number, row id): {stem: score}} of each (source's number, row id,
    *its columns' texts), every text stemmed in one go."""
    kinds = len(SOURCES)

    def key(kind: int, pk: int, n: int) -> int:
        return (pk * WIDEST + n) * kinds + kind

    # Each column stemmed apart: bm25 weighs a word by the column saying it.
    said = stemmed(
        cursor,
        [
            (key(kind, pk, n), text)
            for kind, pk, *texts in marked
            for n, text in enumerate(texts[: len(SOURCES[kind].source.columns)])
        ],
    )
    found = {}
    for kind, pk, *_ in marked:
        source = SOURCES[kind].source
        each = [said[key(kind, pk, n)] for n in range(len(source.columns))]
        words = sum(sum(counts.values()) for counts in each)
        weights = [c.bm25 for c in source.columns]
        found[kind, pk] = {
            lexeme: score(
                sum(w * n[lexeme] for w, n in zip(weights, each, strict=True)),
                words,
                SOURCES[kind].typical_words,
            )
            * source.scale
            for lexeme in set().union(*each)
        }
    return found


def mark_every_row() -> None:
    """Mark every row's terms to be written again (reindex)."""
    with connection.cursor() as cursor:
        for terms in SQLITE_ROW_TERMS.values():
            cursor.execute(every_row_marked(terms))


def common_in(match: str) -> set[Indexed]:
    """Which of lessons, takeaways and quotes say the FTS5 expression `match` in more than
    COMMON_ROWS rows: one statement, each counted in FTS5's order up to one too many."""
    counted = [
        f"(SELECT count(*) FROM (SELECT 1 FROM {indexed.fts} WHERE {indexed.fts} MATCH %s"
        " LIMIT %s))"
        for indexed in SQLITE_ROW_TERMS
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(counted),
            [v for _ in counted for v in (match, COMMON_ROWS + 1)],
        )
        said = cursor.fetchone()
    return {indexed for indexed, n in zip(SQLITE_ROW_TERMS, said, strict=True) if n > COMMON_ROWS}


def best(
    indexed: Indexed,
    word: str,
    prefix: bool,
    excluded: list[list[str]],
    match: str,
    unsaid: str | None,
    count: int,
) -> dict[int, float] | None:
    """{row id: rank} of the `count` rows of `indexed` that say `word` most (as a prefix
    when `prefix`), none of them saying an `excluded` word or phrase, ranked as bm25
    ranks them (for a word `common_in` them). `match` and `unsaid`: FTS5 expressions of
    the word and of the excluded, for the rows whose terms are not written yet. None
    when the terms cannot rank it (no one stem, a prefix of too many, too many rows
    unwritten): bm25 then ranks it."""
    terms = SQLITE_ROW_TERMS.get(indexed)
    lexeme = stem(word) if terms is not None else None
    if lexeme is None:
        return None
    table, key = terms.table, terms.key
    upto = lexeme + LAST if prefix else lexeme
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {table} WHERE lexeme BETWEEN %s AND %s", [lexeme, upto]
        )
        said_in = cursor.fetchone()[0]
        cursor.execute(f"SELECT {key} FROM {terms.pending} LIMIT %s", [MOST_PENDING + 1])
        pending = [pk for (pk,) in cursor.fetchall()]
        if len(pending) > MOST_PENDING:
            return None
        lexemes = _stems_between(cursor, table, lexeme, upto)
        if lexemes is None:
            return None
        cursor.execute(f"SELECT count(*) FROM {terms.source.table}")
        idf = _idf(cursor.fetchone()[0], said_in)
        found = _pending_ranked(cursor, terms, pending, match, unsaid, lexeme, upto, idf)
        wanted = count + len(pending)
        while True:
            best = _best_of(cursor, terms, lexemes, wanted, idf, set(pending))
            if excluded and best:
                for pk in _saying(cursor, indexed, terms, excluded, list(best)):
                    del best[pk]
            if len(best) + len(found) >= count or wanted >= said_in:
                break
            if wanted >= count * MOST_WANTED:
                return None  # the excluded words take most: bm25 ranks them all
            wanted *= 2
    found.update(best)
    best_first = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return dict(best_first[:count])


def _best_of(cursor, terms: RowTerms, lexemes: list[str], wanted: int, idf: float, left_out):
    """{row id: rank} of the `wanted` rows that say the stems most (by the sum of their
    scores, each stem's best read in order), less the rows `left_out`."""
    key = terms.key
    one = (
        f"SELECT * FROM (SELECT {key}, score FROM {terms.table} WHERE lexeme = %s"
        " ORDER BY score DESC LIMIT %s)"
    )
    cursor.execute(
        f"SELECT {key}, sum(score) FROM ({' UNION ALL '.join([one] * len(lexemes))})"
        f" GROUP BY {key} ORDER BY 2 DESC, 1 LIMIT %s",
        [v for lexeme in lexemes for v in (lexeme, wanted)] + [wanted],
    )
    return {pk: rank * idf for pk, rank in cursor.fetchall() if pk not in left_out}


def _pending_ranked(
    cursor, terms: RowTerms, pending, match: str, unsaid, lexeme: str, upto: str, idf: float
) -> dict[int, float]:
    """{row id: rank} of the rows whose terms are not written yet that match, scored as
    their terms will be (their texts stemmed here: bm25 in FTS5 would count the word's
    idf again for each of them)."""
    if not pending:
        return {}
    source, kind = terms.source, SOURCES.index(terms)
    fts, marks = source.fts, ", ".join(["%s"] * len(pending))
    cursor.execute(
        f"SELECT {kind}, s.{source.pk}, {_texts(terms, 's')} FROM {source.table} s"
        f" WHERE s.{source.pk} IN"
        f" (SELECT rowid FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({marks}))",
        [f"({match}) NOT ({unsaid})" if unsaid else match, *pending],
    )
    return {
        pk: idf * sum(scored for said, scored in scores.items() if lexeme <= said <= upto)
        for (_, pk), scores in _terms_of(cursor, cursor.fetchall()).items()
    }


def _stems_between(cursor, table: str, lexeme: str, upto: str) -> list[str] | None:
    """The stems the terms hold from `lexeme` to `upto` (a prefix's, or the one), one
    index seek each; None when more than MOST_STEMS."""
    cursor.execute(
        f"""WITH RECURSIVE said(lexeme) AS (
            SELECT min(lexeme) FROM {table} WHERE lexeme BETWEEN %s AND %s
            UNION ALL
            SELECT (SELECT min(lexeme) FROM {table} WHERE lexeme > said.lexeme
                    AND lexeme <= %s)
            FROM said WHERE said.lexeme IS NOT NULL LIMIT %s
        ) SELECT lexeme FROM said WHERE lexeme IS NOT NULL""",
        [lexeme, upto, upto, MOST_STEMS + 2],
    )
    found = [said for (said,) in cursor.fetchall()]
    return found if len(found) <= MOST_STEMS else None


def _idf(rows: int, said_in: int) -> float:
    """FTS5's idf of a word `said_in` of `rows` rows (never below its floor)."""
    return max(math.log((rows - said_in + 0.5) / (said_in + 0.5)), 1e-6)


def _saying(cursor, indexed: Indexed, terms: RowTerms, excluded: list[list[str]], ids) -> set:
    """Which of the rows `ids` say one of the `excluded` words or phrases: a word by
    their terms (one index seek a row), a phrase by FTS5."""
    saying, words, phrases = set(), [], []
    for tokens in excluded:
        lexeme = stem(tokens[0]) if len(tokens) == 1 else None
        (words.append(lexeme) if lexeme is not None else phrases.append(tokens))
    listed = json.dumps(ids)
    if words:
        marks = ", ".join(["%s"] * len(words))
        cursor.execute(
            f"SELECT {terms.key} FROM {terms.table} WHERE {terms.key} IN"
            f" (SELECT value FROM json_each(%s)) AND lexeme IN ({marks})",
            [listed, *words],
        )
        saying.update(pk for (pk,) in cursor.fetchall())
    if phrases:
        fts = indexed.fts
        expression = " OR ".join('"' + " ".join(tokens) + '"' for tokens in phrases)
        cursor.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
            " AND rowid IN (SELECT value FROM json_each(%s))",
            [expression, listed],
        )
        saying.update(pk for (pk,) in cursor.fetchall())
    return saying
