"""PostgreSQL backend: the stored, weighted `search_vector` columns `kb.search.schema`
declares (migration 0006 builds them), `websearch`-like queries built from clean tokens,
`ts_rank` and `ts_headline`.

`ts_rank` reads each matching row's vector: over every lesson, takeaway, quote or
chapter that says a common word, that is thousands of rows (a chapter's vector is
large, stored out of line). Each is ranked instead among a bounded set of candidates
read from its terms table (`schema.TERMS`: how strongly each row says each word, in an
index that gives a word's best rows first): chapters are then ranked by `ts_rank`
among those few, lessons, takeaways and quotes keep the rank the terms give them.

Visibility always comes from the `published()` querysets passed in.
"""

import dataclasses
import json

import psycopg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models.expressions import RawSQL

from kb.search.candidates import OVERFETCH, visible_among
from kb.search.moments import TOP_CHAPTERS
from kb.search.query import STOP_WORDS, ParsedQuery
from kb.search.results import START, STOP, BestRows
from kb.search.schema import (
    CHAPTER_TERMS,
    CHAPTERS,
    CONFIG,
    INDEXED,
    LESSONS,
    LINES,
    QUOTES,
    TAKEAWAYS,
    TERMS,
    Indexed,
    Terms,
    postgres_refill_terms,
)

HEADLINE = {"start_sel": START, "stop_sel": STOP, "max_words": 30, "min_words": 12}
# The same as ts_headline's options text, for raw SQL: as SearchHeadline writes them.
HEADLINE_OPTIONS = ", ".join(
    f"{option}={value}" for option, value in SearchHeadline("", "", **HEADLINE).options.items()
)


def tsquery(parsed: ParsedQuery, prefix: bool = True) -> str:
    """As SQLite's `match_expression`: stemming matches other forms of a word; `prefix`
    adds partial words, which costs a merge of every word with that prefix in the GIN
    index, so the big transcript tables go without. The text of one `to_tsquery` of the
    whole query (`<->` between a phrase's words, as `phraseto_tsquery` reads them)."""
    # Tokens are runs of letters and digits only (see query.py): safe in a raw tsquery.
    parts = [f"{word}:*" if prefix and len(word) >= 3 else word for word in parsed.words]
    parts += [f"({' <-> '.join(phrase)})" for phrase in parsed.phrases]
    text = (" | " if parsed.any_word else " & ").join(parts)
    if parsed.excluded:
        text = f"({text}) & {_unsaid(parsed)}"
    return text


def _unsaid(parsed: ParsedQuery) -> str:
    """The part of `tsquery` that a row matches when it says none of the excluded words
    (or phrases)."""
    return " & ".join(f"!({' <-> '.join(words)})" for words in parsed.excluded)


def to_query(parsed: ParsedQuery, prefix: bool = True) -> SearchQuery:
    """`tsquery` for the ORM: one raw query, where a combination of one per part costs
    Django more to compile, each time."""
    return SearchQuery(tsquery(parsed, prefix), search_type="raw", config=CONFIG)


def rank_tsquery(parsed: ParsedQuery, prefix: bool = True, summed: bool = False) -> str:
    """What `ts_rank` scores: the query without its exclusions (with them it scores
    every match alike, 1e-20, since a match never says the excluded words). `summed`:
    any of its words, which ts_rank scores as the mean of each word's score (as the
    terms tables do), not by how close together the words are said."""
    positive = dataclasses.replace(parsed, excluded=[], any_word=summed or parsed.any_word)
    return tsquery(positive, prefix)


def _rank(vector, parsed: ParsedQuery, prefix: bool = True, summed: bool = False) -> SearchRank:
    text = rank_tsquery(parsed, prefix, summed)
    return SearchRank(vector, SearchQuery(text, search_type="raw", config=CONFIG))


def _vector(queryset):
    table = queryset.model._meta.db_table
    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())


def _ranked(
    queryset,
    parsed: ParsedQuery,
    headline_field: str | None,
    limit: int,
    prefix: bool = True,
    summed: bool = False,
):
    vector, query = _vector(queryset), to_query(parsed, prefix)
    ranked = (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(search_rank=_rank(vector, parsed, prefix, summed))
    )
    if headline_field:
        ranked = ranked.annotate(
            search_snippet=SearchHeadline(headline_field, query, config=CONFIG, **HEADLINE)
        )
    return ranked.order_by("-search_rank", "pk")[:limit]


# A row's `ts_rank` for a query (the text of a `to_tsquery`).
RANK = f"ts_rank(search_vector, to_tsquery('{CONFIG}', %s))"

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
CANDIDATES = f"SELECT DISTINCT best.chapter_id {EACH_WORDS_BEST}"


# Every chapter saying a query: for the planner's estimate, and ranked.
CHAPTERS_SAYING = (
    f"SELECT chapter_id FROM {CHAPTERS.table} WHERE search_vector @@ to_tsquery('{CONFIG}', %s)"
)
RANKED_CHAPTERS = f"""
    SELECT chapter_id, {RANK} FROM {CHAPTERS.table}
    WHERE search_vector @@ to_tsquery('{CONFIG}', %s) ORDER BY 2 DESC, 1 LIMIT %s
"""


def _chapters_directly(parsed: ParsedQuery, transcripts, limit: int, narrowed: bool):
    """{chapter id: rank} of the best chapters saying the query, ranked directly (not
    among candidates), when the planner expects few to say it; else none. Unnarrowed,
    in raw SQL over all chapters (a few more than `limit`: drafts are left out after),
    since every rare or unknown word asks it; narrowed, among `transcripts`."""
    query, rank = tsquery(parsed, prefix=False), rank_tsquery(parsed, prefix=False)
    if narrowed:
        saying = transcripts.alias(search_vector=_vector(transcripts)).filter(
            search_vector=to_query(parsed, prefix=False)
        )
        planning = saying.values("pk").query.sql_with_params()
    else:
        planning = (CHAPTERS_SAYING, [query])
    with connection.cursor() as cursor:
        if _planned_rows(cursor, *planning) > DIRECT_CHAPTERS:
            return {}
        if narrowed:
            direct = _ranked(transcripts, parsed, None, limit, prefix=False)
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
        WHERE (SELECT search_vector @@ to_tsquery('{CONFIG}', %s) FROM {CHAPTERS.table} AS said
               WHERE said.chapter_id = candidate.chapter_id)
        LIMIT %s))
    ORDER BY 2 DESC, 1 LIMIT %s
"""


# One word's best chapters by their terms' scores alone (bm25's term frequency part). Its
# stem as one value, not `= ANY(…)`: the index then gives its rows best first, where
# with a list PostgreSQL sorts every chapter saying it (20 ms at ten million lines).
CHAPTERS_BY_TERMS = f"""
    SELECT chapter_id, score FROM {CHAPTER_TERMS.table}
    WHERE lexeme = (tsvector_to_array(to_tsvector('{CONFIG}', %s)))[1]
    ORDER BY score DESC, chapter_id LIMIT %s
"""


def _by_chapter_terms(parsed: ParsedQuery) -> bool:
    """Whether a query's chapters are ranked by their terms alone: one word and nothing
    else. Several words need every one said, which a word's best few rarely all are;
    an excluded common word would leave too few of them: those go by
    `_best_candidates`."""
    return len(parsed.all_tokens) == 1 and not parsed.excluded


def _chapter_terms_statement(parsed: ParsedQuery, count: int) -> tuple[str, list]:
    """The query whose rows are {chapter id: score} of the `count` chapters that say a
    one-word query most, from the chapter terms alone: no chapter's whole vector is read
    to rank it (`ts_rank` over a common word's 200 candidates reads megabytes of them)."""
    return CHAPTERS_BY_TERMS, [parsed.all_tokens[0], count]


def _chapters_by_terms(parsed: ParsedQuery, count: int) -> dict[int, float]:
    with connection.cursor() as cursor:
        (rows,) = _together(cursor, [_chapter_terms_statement(parsed, count)])
        return dict(rows)


def _best_candidates(parsed: ParsedQuery, count: int) -> dict[int, float]:
    """{chapter id: rank} of the `count` best candidates, visible or not."""
    with connection.cursor() as cursor:
        cursor.execute(
            BEST_CANDIDATES,
            [rank_tsquery(parsed, prefix=False), " ".join(parsed.all_tokens),
             CANDIDATES_PER_WORD, tsquery(parsed, prefix=False), count * 2, count],
        )  # fmt: skip
        return dict(cursor.fetchall())


def _among_candidates(transcripts, parsed: ParsedQuery):
    """The transcripts among the candidates. `= ANY(ARRAY(…))`, not `IN (…)`: the planner
    then fetches the candidates by key; with `IN` it may read every chapter that says
    the words (it cannot know what each vector costs to read)."""
    table = transcripts.model._meta.db_table
    return transcripts.extra(
        where=[f'"{table}"."chapter_id" = ANY(ARRAY({CANDIDATES}))'],
        params=[" ".join(parsed.all_tokens), CANDIDATES_PER_WORD],
    )


# The planner's estimate of the lines saying a query (from ANALYZE's statistics of the
# commonest words) this many times over the most to rank: too common to try.
PLANNED_OVER = 2


def _together(cursor, statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """Each statement's rows, all sent in one round trip: with Django's default
    client-side binding (psycopg's ClientCursor) several statements go as one text and
    their results are read in turn. Bound on the server (`server_side_binding`), a
    statement goes alone, so they go one by one."""
    if len(statements) > 1 and isinstance(cursor.cursor, psycopg.ClientCursor):
        cursor.execute(
            "; ".join(sql for sql, _ in statements),
            [value for _, params in statements for value in params],
        )
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
        return results
    results = []
    for sql, params in statements:
        cursor.execute(sql, params)
        results.append(cursor.fetchall())
    return results


def _explain(sql: str, params: list) -> tuple[str, list]:
    """A statement asking how many rows the planner expects `sql` to give (`_plan_rows`):
    a fraction of a millisecond to ask, where fetching the first few thousand lines of
    a common word takes longer."""
    return f"EXPLAIN (FORMAT JSON) {sql}", params


def _plan_rows(rows) -> float:
    plan = rows[0][0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


def _planned_rows(cursor, sql: str, params: list) -> float:
    (rows,) = _together(cursor, [_explain(sql, params)])
    return _plan_rows(rows)


def _line_plans(parsed: ParsedQuery) -> list[tuple[str, list]]:
    """The statements whose plans `_planned_lines` reads: one for a query of any of its
    words, one per word of a query of every word."""
    if parsed.any_word:
        return [_explain(LINES_SAYING.format(select="id"), [tsquery(parsed, False)])]
    words = [word for word in parsed.all_tokens if word not in STOP_WORDS]
    return [_explain(WORD_LINES, [word, word]) for word in words]


def _planned_lines(plans: list) -> float:
    """How many lines the planner expects to say the query, from the rows of its
    `_line_plans`. Every word of it: as many as its rarest word does (taking words as
    independent, the planner underestimates words said together, as a phrase's are:
    612 against 31,752 lines for `"big tech"` at ten million lines, all of whose first
    2,001 were then read for nothing). Any of them: the query's own estimate."""
    estimates = [_plan_rows(rows) for rows in plans]
    # A word PostgreSQL stops (its stop words are not quite ours) is planned as no rows.
    return min([rows for rows in estimates if rows > 0], default=0.0)


# The lines saying a query (the GIN index finds them).
LINES_SAYING = (
    f"SELECT {{select}} FROM {LINES.table} WHERE search_vector @@ to_tsquery('{CONFIG}', %s)"
)
WORD_LINES = (
    f"SELECT id FROM {LINES.table} WHERE numnode(to_tsquery('{CONFIG}', %s)) > 0"
    f" AND search_vector @@ to_tsquery('{CONFIG}', %s)"
)
STRONGEST_LINES = LINES_SAYING.format(select=f"id, chapter_id, start_seconds, {RANK}") + " LIMIT %s"
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


# The query's words stemmed as the vectors are (stop words drop out, a word given twice
# counts once), each a range of lexemes (a prefix runs up to the last word it starts),
# and the rows saying them all (or one) ranked by the mean of their words' scores, as
# `ts_rank` scores a query of any of those words: an index-only scan per word (`OFFSET
# 0` keeps the planner from joining the words to a read of the whole table instead,
# which it may prefer when its statistics are stale), then a hash of rows (which words
# each says is a bit mask: `count(DISTINCT)` would sort).
WORDS = """
    WITH word AS (
        SELECT min(q.n) AS n, stem,
            CASE WHEN q.prefix THEN stem || chr(1114111) ELSE stem END AS upto
        FROM unnest(%s::text[], %s::boolean[]) WITH ORDINALITY AS q(word, prefix, n),
        LATERAL unnest(tsvector_to_array(to_tsvector('{config}', q.word))) AS stem
        GROUP BY stem, upto
    )
"""
# One terms table's best rows: (which table, row id, rank, whether it says none of the
# excluded words: {unsaid}).
BEST_IN_TERMS = """
    (SELECT %s, best.id, best.rank, {unsaid} FROM (
        SELECT said.{key} AS id, sum(said.score) / (SELECT count(*) FROM word) AS rank
        FROM word,
        LATERAL (SELECT {key}, score FROM {table}
                 WHERE lexeme BETWEEN word.stem AND word.upto OFFSET 0) AS said
        GROUP BY said.{key}
        HAVING CASE WHEN %s THEN true
            ELSE bit_or(1 << word.n::int) = (SELECT bit_or(1 << n::int) FROM word) END
        ORDER BY 2 DESC, 1 LIMIT %s) AS best)
"""
# The best rows' own vectors tested against the excluded words (or phrases), only theirs.
UNSAID = "(SELECT search_vector @@ to_tsquery('{config}', %s) FROM {source} WHERE {pk} = best.id)"


def _best_by_terms(
    parsed: ParsedQuery, counts: dict[Terms, int]
) -> dict[Terms, tuple[dict[int, float], int]]:
    """For each terms table, ({row id: rank}, how many rows were looked at): the `count`
    rows that say the query's words most strongly, read from the terms alone, less
    those that say an excluded word (only their vectors are read). Every table in one
    query, since each search asks this of three and a round trip to the database costs
    about as much as ranking a rare word."""
    with connection.cursor() as cursor:
        (rows,) = _together(cursor, [_terms_statement(parsed, counts)])
    return _terms_read(list(counts), rows)


def _terms_statement(parsed: ParsedQuery, counts: dict[Terms, int]) -> tuple[str, list]:
    """`_best_by_terms`' query: (SQL, parameters)."""
    parts = []
    params = [parsed.words, [len(word) >= 3 for word in parsed.words]]
    for kind, terms in enumerate(counts):
        source = terms.source
        unsaid = "true"
        params.append(kind)
        if parsed.excluded:
            unsaid = UNSAID.format(config=CONFIG, source=source.table, pk=source.pk)
            params.append(_unsaid(parsed))
        parts.append(BEST_IN_TERMS.format(key=terms.key, table=terms.table, unsaid=unsaid))
        params += [parsed.any_word, counts[terms]]
    return WORDS.format(config=CONFIG) + " UNION ALL ".join(parts), params


def _terms_read(tables: list[Terms], rows) -> dict[Terms, tuple[dict[int, float], int]]:
    """`_best_by_terms`' answer from its query's rows."""
    ranks, looked_at = {terms: {} for terms in tables}, dict.fromkeys(tables, 0)
    for kind, pk, rank, unsaid in rows:
        looked_at[tables[kind]] += 1
        if unsaid:
            ranks[tables[kind]][pk] = rank
    return {terms: (ranks[terms], looked_at[terms]) for terms in tables}


def _by_terms(parsed: ParsedQuery, narrowed: bool) -> bool:
    """Whether rows are ranked in their terms tables first (see `_best_visible`)."""
    return not (narrowed or parsed.phrases)


def _best_visible(
    queryset,
    terms: Terms,
    parsed: ParsedQuery,
    limit: int,
    narrowed: bool,
    fields=None,
    headline: str | None = None,
    best: tuple[dict[int, float], int] | None = None,
    ranked: list[tuple] | None = None,
):
    """The `limit` best visible rows of `queryset`, best first: model instances with a
    `search_rank` (and a `search_snippet` of the `headline` field), or with `fields`
    tuples of them (the primary key first) and the rank last. `best`: the terms'
    best rows (`_best_by_terms`), when the caller read them already; `ranked`: the rows
    of `_ranked_statement`, for a search not ranked by its terms.

    Ranked in the terms table first, a few more than needed (those saying an excluded
    word left out), then the visible ones among those are kept. When those leave too
    few while more rows say the words, or the search is narrowed (few of the best would
    be in it), or it has exact phrases (the terms know words, not where they are said),
    every visible match is ranked instead, on the same scale (`_rank(summed=True)`)."""
    if _by_terms(parsed, narrowed):
        if best is None:
            best = _best_by_terms(parsed, {terms: limit * OVERFETCH})[terms]
        ranks, looked_at = best
        loaded = None
        if headline:
            loaded = queryset.filter(pk__in=list(ranks)).annotate(
                search_snippet=SearchHeadline(headline, to_query(parsed), config=CONFIG, **HEADLINE)
            )
        rows = visible_among(queryset, ranks, limit, fields, loaded, looked_at)
        if rows is not None:
            return rows
    elif ranked is not None:
        return ranked
    every = _ranked(queryset, parsed, headline, limit, summed=True)
    return list(every.values_list(*fields, "search_rank") if fields else every)


def _ranked_statement(queryset, parsed: ParsedQuery, limit: int, fields) -> tuple[str, list]:
    """`_best_visible`'s ranking of every visible match as a statement (SQL, parameters),
    to be sent with others: `fields` and the rank of each of the `limit` best."""
    ranked = _ranked(queryset, parsed, None, limit, summed=True)
    return ranked.values_list(*fields, "search_rank").query.sql_with_params()


# The snippets of some rows of one table, by id: (kind, id, snippet).
SNIPPETS = f"""
    SELECT %s, {{pk}}, ts_headline('{CONFIG}', {{field}}, to_tsquery('{CONFIG}', %s), %s)
    FROM {{table}} WHERE {{pk}} = ANY(%s)
"""


def _snippet_parts(indexed: Indexed, field: str, query: str, ids: list[int], kind: int = 0):
    """One table's part of a snippets query: (SQL, parameters)."""
    sql = SNIPPETS.format(pk=indexed.pk, field=field, table=indexed.table)
    return sql, [kind, query, HEADLINE_OPTIONS, ids]


def _snippets(
    indexed: Indexed, field: str, parsed: ParsedQuery, ids: list[int], prefix: bool = True
) -> dict[int, str]:
    """{id: marked snippet} of the given rows' `field`: raw SQL, as each search asks for
    several of these and compiling a queryset each time costs more than running it."""
    sql, params = _snippet_parts(indexed, field, tsquery(parsed, prefix), ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: text for _, pk, text in cursor.fetchall()}


# A lesson's snippet on a page of them: of its body when it was found by its own words
# (its id is in the first list), else of its takeaway that found it (in the second).
PAGE_SNIPPET = """
    CASE WHEN "{lesson}"."id" = ANY(%s)
        THEN ts_headline('{config}', "{lesson}"."body", to_tsquery('{config}', %s), %s)
        ELSE (SELECT ts_headline('{config}', text, to_tsquery('{config}', %s), %s)
              FROM {takeaway} WHERE id = ANY(%s) AND lesson_id = "{lesson}"."id" LIMIT 1)
    END
"""


# What `lessons()` and `takeaways()` read of each row found: the primary key first.
LESSON_FIELDS = ("pk",)
TAKEAWAY_FIELDS = ("pk", "lesson_id")


class PostgresSearch:
    """The search backend on PostgreSQL's full-text search (see `kb.search.Backend`)."""

    def lessons(self, parsed, queryset, limit, narrowed=False, best=None, ranked=None):
        return _best_visible(
            queryset, TERMS[LESSONS], parsed, limit, narrowed, LESSON_FIELDS,
            best=best, ranked=ranked,
        )  # fmt: skip

    def takeaways(self, parsed, queryset, limit, narrowed=False, best=None, ranked=None):
        found = _best_visible(
            queryset, TERMS[TAKEAWAYS], parsed, limit, narrowed, TAKEAWAY_FIELDS,
            best=best, ranked=ranked,
        )  # fmt: skip
        return [(lesson_id, rank, pk) for pk, lesson_id, rank in found]

    def best_rows(self, parsed, lessons, takeaways, quotes, limits, narrowed=False):
        """The three tables' terms are read in one query (or, for a search not ranked by
        them, every visible lesson and takeaway ranked, in two), sent with the planner's
        estimates of the lines saying the query (`strongest_lines` asks them next) and,
        for one word, its best chapters by their terms (`best_chapters`, which most
        searches ask: an index's first few entries, where a round trip costs more)."""
        tables = (TERMS[LESSONS], TERMS[TAKEAWAYS], TERMS[QUOTES])
        by_terms = _by_terms(parsed, narrowed)
        named = []
        if by_terms:
            counts = dict(zip(tables, (limit * OVERFETCH for limit in limits), strict=True))
            named.append(("terms", _terms_statement(parsed, counts)))
        else:
            named.append(("lessons", _ranked_statement(lessons, parsed, limits[0], LESSON_FIELDS)))
            named.append(
                ("takeaways", _ranked_statement(takeaways, parsed, limits[1], TAKEAWAY_FIELDS))
            )
        if not narrowed and _by_chapter_terms(parsed):
            named.append(("chapters", _chapter_terms_statement(parsed, TOP_CHAPTERS * OVERFETCH)))
        with connection.cursor() as cursor:
            results = _together(cursor, [statement for _, statement in named] + _line_plans(parsed))
        read = dict(zip([name for name, _ in named], results, strict=False))
        best = dict.fromkeys(tables)
        if by_terms:
            best = _terms_read(list(tables), read["terms"])
        lessons_ranked, takeaways_ranked = read.get("lessons"), read.get("takeaways")
        return BestRows(
            self.lessons(parsed, lessons, limits[0], narrowed, best[tables[0]], lessons_ranked),
            self.takeaways(
                parsed, takeaways, limits[1], narrowed, best[tables[1]], takeaways_ranked
            ),
            self.quotes(parsed, quotes, limits[2], narrowed, best[tables[2]]),
            _planned_lines(results[len(named) :]),
            dict(read["chapters"]) if "chapters" in read else None,
        )

    def page_lessons(self, parsed, lessons, own, takeaway_of):
        """The snippets made in the lessons' own query (one round trip fewer)."""
        query, lesson, takeaway = tsquery(parsed), LESSONS.table, TAKEAWAYS.table
        takeaways = list(takeaway_of.values())
        return lessons.annotate(
            search_snippet=RawSQL(
                PAGE_SNIPPET.format(config=CONFIG, lesson=lesson, takeaway=takeaway),
                [own, query, HEADLINE_OPTIONS, query, HEADLINE_OPTIONS, takeaways],
            )
        ).in_bulk()

    def quotes(self, parsed, queryset, limit, narrowed=False, best=None):
        found = _best_visible(
            queryset, TERMS[QUOTES], parsed, limit, narrowed, headline="text", best=best
        )
        return [(quote, quote.search_snippet) for quote in found]

    def best_chapters(self, parsed, queryset, limit, narrowed=False, ranked=None):
        """One word: the chapters that say it most, by their terms alone (as its
        lessons, takeaways and quotes are; `ranked`, when `best_rows` read them). Else ranked
        among the chapters that say each word most: the best few of them, then the
        visible ones among those (raw SQL, as every search asks it); for a narrowed
        search, the visible candidates. When those leave too few and the planner expects
        few chapters to say the query (rare words, a narrowed search), all of those are
        ranked too."""
        from kb.models import ChapterTranscript

        def visible(ranks):
            return queryset.with_video().in_bulk(ranks) if ranks else {}

        transcripts = ChapterTranscript.objects.filter(chapter__in=queryset)
        found = {}
        if narrowed:
            candidates = _ranked(
                _among_candidates(transcripts, parsed), parsed, None, limit, prefix=False
            )
            ranked = dict(candidates.values_list("pk", "search_rank"))
            found = visible(ranked)
        else:
            every_term = False
            if _by_chapter_terms(parsed):
                if ranked is None:
                    ranked = _chapters_by_terms(parsed, limit * OVERFETCH)
                found = visible(ranked)
                # Fewer than asked for: those are all its candidates too.
                every_term = len(ranked) < limit * OVERFETCH
            if len(found) < limit and not every_term:
                ranked = _best_candidates(parsed, limit * OVERFETCH)
                found = visible(ranked)
        if len(found) < limit:
            more = _chapters_directly(parsed, transcripts, limit, narrowed)
            found.update(visible([pk for pk in more if pk not in found]))
            ranked.update(more)
        best = sorted((pk for pk in ranked if pk in found), key=lambda pk: (-ranked[pk], pk))
        return [found[pk] for pk in best[:limit]]

    def chapter_snippets(self, parsed, ids):
        return _snippets(CHAPTERS, "text", parsed, ids, prefix=False)

    def lines(self, parsed, chapters, per_chapter):
        if not chapters:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                BEST_LINES_IN_CHAPTERS,
                {
                    "query": tsquery(parsed, prefix=False),
                    "rank": rank_tsquery(parsed, prefix=False),
                    "options": HEADLINE_OPTIONS,
                    "chapters": [chapter.pk for chapter in chapters],
                    "most": per_chapter,
                },
            )
            return cursor.fetchall()

    def strongest_lines(self, parsed, most, planned=None):
        """The lines that say the query, unordered, until one too many (the GIN index
        finds them; each line's vector is small), unless the planner expects far more.
        `ts_rank` (not normalised by length) grows with how often a line says the
        words: it serves as both measures."""
        query = tsquery(parsed, prefix=False)
        with connection.cursor() as cursor:
            if planned is None:
                planned = _planned_lines(_together(cursor, _line_plans(parsed)))
            if planned > most * PLANNED_OVER:
                return None
            cursor.execute(STRONGEST_LINES, [rank_tsquery(parsed, prefix=False), query, most + 1])
            lines = cursor.fetchall()
        if len(lines) > most:
            return None
        return [(pk, chapter, start, rank, rank) for pk, chapter, start, rank in lines]

    def line_snippets(self, parsed, ids):
        return _snippets(LINES, "text", parsed, ids, prefix=False) if ids else {}

    def reindex(self) -> None:
        """Generated columns are always current; rebuilding their indexes repairs
        corruption, and the terms tables are recounted from the vectors."""

        with connection.cursor() as cursor:
            for indexed in INDEXED:
                cursor.execute(f"REINDEX INDEX {indexed.table}_search_gin")
            for terms in TERMS.values():
                for statement in postgres_refill_terms(terms):
                    cursor.execute(statement)
                # Refilled, a table's index-only scans would read every row's page too
                # until autovacuum marks them all visible.
                # VACUUM cannot run in a transaction (a test's): statistics at least.
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                cursor.execute(f"{vacuum} {terms.table}")

    def tidy(self) -> None:
        """Nothing to do: PostgreSQL keeps its GIN indexes in shape itself (autovacuum)."""
