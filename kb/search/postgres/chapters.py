"""The transcript's moments on PostgreSQL: the lines that say a rare query, the chapters
that say a common one best, and the best lines inside those.

`ts_rank` reads each matching row's vector: over every chapter that says a common word
that is thousands of large vectors, stored out of line. Chapters are ranked instead
among a bounded set of candidates read from the chapter terms (`schema.CHAPTER_TERMS`:
how strongly each chapter says each word it says at least twice, in an index that gives
a word's best chapters first).
"""

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from kb.search.candidates import OVERFETCH
from kb.search.interface import FoundLine, SaidLine
from kb.search.postgres.sql import (
    HEADLINE_OPTIONS,
    RANK,
    TSQUERY,
    explain,
    plan_rows,
    rank_tsquery,
    ranked,
    to_query,
    together,
    tsquery,
    vector,
)
from kb.search.query import STOP_WORDS, ParsedQuery
from kb.search.schema import CHAPTER_TERMS, CHAPTERS, CONFIG, LINES

# Chapters looked at per word: those that say it most. Enough that narrowing to a theme
# still leaves the best few; few enough that ranking them reads little.
CANDIDATES_PER_WORD = 200
# When the candidates leave too few, chapters that say the query are ranked directly
# if the planner expects at most this many.
DIRECT_CHAPTERS = 1000
# The query's stemmed words, each with the chapters that say it most (`best`: chapter
# id and score), and those chapters once each.
EACH_WORDS_BEST = f"""
    FROM unnest(tsvector_to_array(to_tsvector('{CONFIG}', %s))) AS word(lexeme),
    LATERAL (SELECT chapter_id, score FROM {CHAPTER_TERMS.table} WHERE lexeme = word.lexeme
             ORDER BY score DESC LIMIT %s) AS best
"""
# The transcripts among the candidates. `= ANY(ARRAY(…))`, not `IN (…)`: the planner then
# fetches the candidates by key; with `IN` it may read every chapter that says the words
# (it cannot know what each vector costs to read).
AMONG_CANDIDATES = (
    f'"{CHAPTERS.table}"."{CHAPTERS.pk}"'
    f" = ANY(ARRAY(SELECT DISTINCT best.chapter_id {EACH_WORDS_BEST}))"
)

# Every chapter saying a query: for the planner's estimate, and ranked.
CHAPTERS_SAYING = f"SELECT chapter_id FROM {CHAPTERS.table} WHERE search_vector @@ {TSQUERY}"
RANKED_CHAPTERS = f"""
    SELECT chapter_id, {RANK} FROM {CHAPTERS.table}
    WHERE search_vector @@ {TSQUERY} ORDER BY 2 DESC, 1 LIMIT %s
"""


def chapters_directly(parsed: ParsedQuery, transcripts, limit: int, narrowed: bool):
    """{chapter id: rank} of the best chapters saying the query, ranked directly (not
    among candidates), when the planner expects few to say it; else none. Unnarrowed,
    in raw SQL over all chapters (a few more than `limit`: drafts are left out after),
    since every rare or unknown word asks it; narrowed, among `transcripts`."""
    query, rank = tsquery(parsed, prefix=False), rank_tsquery(parsed, prefix=False)
    if narrowed:
        saying = transcripts.alias(search_vector=vector(transcripts)).filter(
            search_vector=to_query(parsed, prefix=False)
        )
        planning = saying.values("pk").query.sql_with_params()
    else:
        planning = (CHAPTERS_SAYING, [query])
    with connection.cursor() as cursor:
        (plan,) = together(cursor, [explain(*planning)])
        if plan_rows(plan) > DIRECT_CHAPTERS:
            return {}
        if narrowed:
            direct = ranked(transcripts, parsed, None, limit, prefix=False)
            return dict(direct.values_list("pk", "search_rank"))
        cursor.execute(RANKED_CHAPTERS, [rank, query, limit * OVERFETCH])
        return dict(cursor.fetchall())


# The candidates best first by how often they say the words (the chapter terms' scores),
# each one's own vector tested against the query in that order until twice `count` say
# it, and those ranked by `ts_rank`, which also weighs how close together the words are
# said. Only those few vectors are read, where ranking every candidate read (twice: the
# test and the rank) all of them. `OFFSET 0` keeps the test from being pushed below the
# sort, onto every candidate.
BEST_CANDIDATES = f"""
    SELECT chapter_id, {RANK} FROM {CHAPTERS.table}
    WHERE chapter_id = ANY(ARRAY(
        SELECT chapter_id FROM (
            SELECT best.chapter_id, sum(best.score) AS score {EACH_WORDS_BEST}
            GROUP BY best.chapter_id
            ORDER BY 2 DESC, 1 OFFSET 0
        ) AS candidate
        WHERE (SELECT search_vector @@ {TSQUERY} FROM {CHAPTERS.table} AS said
               WHERE said.chapter_id = candidate.chapter_id)
        LIMIT %s))
    ORDER BY 2 DESC, 1 LIMIT %s
"""


def best_candidates(parsed: ParsedQuery, count: int) -> dict[int, float]:
    """{chapter id: rank} of the `count` best candidates, visible or not."""
    with connection.cursor() as cursor:
        cursor.execute(
            BEST_CANDIDATES,
            [rank_tsquery(parsed, prefix=False), " ".join(parsed.all_tokens),
             CANDIDATES_PER_WORD, tsquery(parsed, prefix=False), count * 2, count],
        )  # fmt: skip
        return dict(cursor.fetchall())


def among_candidates(transcripts, parsed: ParsedQuery):
    """The transcripts among the candidates (a narrowed search's, ranked after)."""
    params = [" ".join(parsed.all_tokens), CANDIDATES_PER_WORD]
    return transcripts.filter(RawSQL(AMONG_CANDIDATES, params, output_field=BooleanField()))


# One word's best chapters by their terms' scores alone (bm25's term frequency part). Its
# stem as one value, not `= ANY(…)`: the index then gives its rows best first, where
# with a list PostgreSQL sorts every chapter saying it (20 ms at ten million lines).
CHAPTERS_BY_TERMS = f"""
    SELECT chapter_id, score FROM {CHAPTER_TERMS.table}
    WHERE lexeme = (tsvector_to_array(to_tsvector('{CONFIG}', %s)))[1]
    ORDER BY score DESC, chapter_id LIMIT %s
"""


def by_chapter_terms(parsed: ParsedQuery) -> bool:
    """Whether a query's chapters are ranked by their terms alone: one word and nothing
    else. Several words need every one said, which a word's best few rarely all are;
    an excluded common word would leave too few of them: those go by
    `best_candidates`."""
    return len(parsed.all_tokens) == 1 and not parsed.excluded


def chapter_terms_statement(parsed: ParsedQuery, count: int) -> tuple[str, list]:
    """The query whose rows are {chapter id: score} of the `count` chapters that say a
    one-word query most, from the chapter terms alone: no chapter's whole vector is read
    to rank it (`ts_rank` over a common word's 200 candidates reads megabytes of them)."""
    return CHAPTERS_BY_TERMS, [parsed.all_tokens[0], count]


def chapters_by_terms(parsed: ParsedQuery, count: int) -> dict[int, float]:
    with connection.cursor() as cursor:
        (rows,) = together(cursor, [chapter_terms_statement(parsed, count)])
        return dict(rows)


# The lines saying a query (the GIN index finds them).
LINES_SAYING = f"SELECT id FROM {LINES.table} WHERE search_vector @@ {TSQUERY}"
WORD_LINES = (
    f"SELECT id FROM {LINES.table} WHERE numnode({TSQUERY}) > 0 AND search_vector @@ {TSQUERY}"
)
STRONGEST_LINES = (
    f"SELECT id, chapter_id, start_seconds, {RANK} FROM {LINES.table}"
    f" WHERE search_vector @@ {TSQUERY} LIMIT %s"
)
# The planner's estimate of the lines saying a query (from ANALYZE's statistics of the
# commonest words) this many times over the most to rank: too common to try.
PLANNED_OVER = 2


def line_plans(parsed: ParsedQuery) -> list[tuple[str, list]]:
    """The statements whose plans `planned_lines` reads: one for a query of any of its
    words, one per word of a query of every word."""
    if parsed.any_word:
        return [explain(LINES_SAYING, [tsquery(parsed, False)])]
    words = [word for word in parsed.all_tokens if word not in STOP_WORDS]
    return [explain(WORD_LINES, [word, word]) for word in words]


# Taking words as independent, the planner underestimates words said together, as a
# phrase's are: 612 against 31,752 lines for `"big tech"` at ten million lines, all of
# whose first 2,001 were then read for nothing.
def planned_lines(plans: list[list[tuple]]) -> float:
    """How many lines the planner expects to say the query, from the rows of its
    `line_plans`. Every word of it: as many as its rarest word does (the planner's
    estimate of words said together is far too low). Any of them: the query's own
    estimate."""
    estimates = [plan_rows(rows) for rows in plans]
    # A word PostgreSQL stops (its stop words are not quite ours) is planned as no rows.
    return min([rows for rows in estimates if rows > 0], default=0.0)


def strongest_lines(parsed: ParsedQuery, most: int, planned: float | None) -> list[SaidLine] | None:
    """The lines that say the query, unordered, until one too many (the GIN index finds
    them; each line's vector is small), unless the planner expects far more. `ts_rank`
    (not normalised by length) grows with how often a line says the words: it serves as
    both measures."""
    query = tsquery(parsed, prefix=False)
    with connection.cursor() as cursor:
        if planned is None:
            planned = planned_lines(together(cursor, line_plans(parsed)))
        if planned > most * PLANNED_OVER:
            return None
        cursor.execute(STRONGEST_LINES, [rank_tsquery(parsed, prefix=False), query, most + 1])
        lines = cursor.fetchall()
    if len(lines) > most:
        return None
    return [SaidLine(pk, chapter, start, rank, rank) for pk, chapter, start, rank in lines]


# The best lines of some chapters saying a query, at most `per_chapter` of each, with
# their snippets (only theirs are made). Matched by the function behind `@@`, which no
# index serves: the few chapters' lines are read by chapter and tested one by one. With
# `@@` the planner may AND in the GIN index's every line saying the words (tens of
# thousands for a common phrase; see docs/search.md#on-postgresql).
BEST_LINES_IN_CHAPTERS = f"""
    SELECT chapter_id, start_seconds,
        ts_headline('{CONFIG}', text, to_tsquery('{CONFIG}', %(query)s), %(options)s)
    FROM (
        SELECT chapter_id, start_seconds, text, row_number() OVER (
            PARTITION BY chapter_id
            ORDER BY ts_rank(search_vector, to_tsquery('{CONFIG}', %(rank)s)) DESC,
                start_seconds, id) AS place
        FROM {LINES.table}
        WHERE chapter_id = ANY(%(chapters)s)
            AND ts_match_vq(search_vector, to_tsquery('{CONFIG}', %(query)s))
    ) AS said
    WHERE place <= %(most)s
"""


def best_lines(parsed: ParsedQuery, chapters: list[int], per_chapter: int) -> list[FoundLine]:
    with connection.cursor() as cursor:
        cursor.execute(
            BEST_LINES_IN_CHAPTERS,
            {
                "query": tsquery(parsed, prefix=False),
                "rank": rank_tsquery(parsed, prefix=False),
                "options": HEADLINE_OPTIONS,
                "chapters": chapters,
                "most": per_chapter,
            },
        )
        return list(map(FoundLine._make, cursor.fetchall()))
