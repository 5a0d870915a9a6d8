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

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import BooleanField, F, Func
from django.db.models.expressions import RawSQL

from kb.search.candidates import OVERFETCH, visible_among
from kb.search.query import ParsedQuery
from kb.search.schema import (
    CHAPTER_TERMS,
    CONFIG,
    INDEXED,
    LESSONS,
    QUOTES,
    TAKEAWAYS,
    TERMS,
    Terms,
    postgres_refill_terms,
)

HEADLINE = {"start_sel": "\x02", "stop_sel": "\x03", "max_words": 30, "min_words": 12}


def to_query(parsed: ParsedQuery, prefix: bool = True) -> SearchQuery:
    """As SQLite's `match_expression`: stemming matches other forms of a word; `prefix`
    adds partial words, which costs a merge of every word with that prefix in the GIN
    index, so the big transcript tables go without. One `to_tsquery` of the whole query
    (`<->` between a phrase's words, as `phraseto_tsquery` reads them): a combination
    of one query per part costs Django more to compile, each time."""
    # Tokens are runs of letters and digits only (see query.py): safe in a raw tsquery.
    parts = [f"{word}:*" if prefix and len(word) >= 3 else word for word in parsed.words]
    parts += [f"({' <-> '.join(phrase)})" for phrase in parsed.phrases]
    text = (" | " if parsed.any_word else " & ").join(parts)
    if parsed.excluded:
        text = f"({text})" + "".join(f" & !({' <-> '.join(e)})" for e in parsed.excluded)
    return SearchQuery(text, search_type="raw", config=CONFIG)


def _rank(vector, parsed: ParsedQuery, prefix: bool = True, summed: bool = False) -> SearchRank:
    """`ts_rank` of what the query asks for: given its exclusions too, it scores every
    match alike (1e-20), since a match never says the excluded words. `summed`: of any
    of its words, which ts_rank scores as the mean of each word's score (as the terms
    tables do), not by how close together the words are said."""
    positive = dataclasses.replace(parsed, excluded=[], any_word=summed or parsed.any_word)
    return SearchRank(vector, to_query(positive, prefix))


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


# Chapters looked at per word: those that say it most. Enough that narrowing to a theme
# still leaves the best few; few enough that ranking them reads little.
CANDIDATES_PER_WORD = 200
# When the candidates leave too few, chapters that say the query are ranked directly
# if the planner expects at most this many.
DIRECT_CHAPTERS = 1000
# The query's stemmed words, each with the chapters that say it most.
CANDIDATES = f"""
    SELECT DISTINCT best.chapter_id
    FROM unnest(tsvector_to_array(to_tsvector('{CONFIG}', %s))) AS word(lexeme),
    LATERAL (SELECT chapter_id FROM {CHAPTER_TERMS.table} WHERE lexeme = word.lexeme
             ORDER BY score DESC LIMIT %s) AS best
"""


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


def _planned_rows(queryset) -> float:
    """How many rows the planner expects `queryset` to give: a fraction of a millisecond
    to ask, where fetching the first few thousand lines of a common word takes longer."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


# The query's words stemmed as the vectors are (stop words drop out, a word given twice
# counts once), each a range of lexemes (a prefix runs up to the last word it starts),
# and the rows saying them all (or one) ranked by the mean of their words' scores, as
# `ts_rank` scores a query of any of those words: an index-only scan per word (`OFFSET
# 0` keeps the planner from joining the words to a read of the whole table instead,
# which it may prefer when its statistics are stale), then a hash of rows (which words
# each says is a bit mask: `count(DISTINCT)` would sort).
BEST_BY_TERMS = """
    WITH word AS (
        SELECT min(q.n) AS n, stem,
            CASE WHEN q.prefix THEN stem || chr(1114111) ELSE stem END AS upto
        FROM unnest(%s::text[], %s::boolean[]) WITH ORDINALITY AS q(word, prefix, n),
        LATERAL unnest(tsvector_to_array(to_tsvector('{config}', q.word))) AS stem
        GROUP BY stem, upto
    )
    SELECT said.{key}, sum(said.score) / (SELECT count(*) FROM word) FROM word,
    LATERAL (SELECT {key}, score FROM {table}
             WHERE lexeme BETWEEN word.stem AND word.upto OFFSET 0) AS said
    GROUP BY said.{key}
    HAVING CASE WHEN %s THEN true
        ELSE bit_or(1 << word.n::int) = (SELECT bit_or(1 << n::int) FROM word) END
    ORDER BY 2 DESC, 1 LIMIT %s
"""


def _best_by_terms(terms: Terms, parsed: ParsedQuery, count: int) -> dict[int, float]:
    """{row id: rank} of the `count` rows that say the query's words most strongly,
    read from `terms` alone: no row's vector is read."""
    sql = BEST_BY_TERMS.format(config=CONFIG, key=terms.key, table=terms.table)
    prefixes = [len(word) >= 3 for word in parsed.words]
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.words, prefixes, parsed.any_word, count])
        return dict(cursor.fetchall())


def _best_visible(
    queryset,
    terms: Terms,
    parsed: ParsedQuery,
    limit: int,
    narrowed: bool,
    fields=None,
    headline: str | None = None,
):
    """The `limit` best visible rows of `queryset`, best first: model instances with a
    `search_rank` (and a `search_snippet` of the `headline` field), or with `fields`
    tuples of them (the primary key first) and the rank last.

    Ranked in the terms table first, a few more than needed, then the visible ones
    among those are loaded (the rows, not their vectors; tested against the query's
    exclusions). When those leave too few while more rows say the words, or the search
    is narrowed (few of the best would be in it), or it has exact phrases (the terms
    know words, not where they are said), every visible match is ranked instead, on
    the same scale (`_rank(summed=True)`)."""
    if not (narrowed or parsed.phrases):
        best = _best_by_terms(terms, parsed, limit * OVERFETCH)
        visible, query = queryset.filter(pk__in=list(best)), to_query(parsed)
        if parsed.excluded:
            visible = visible.alias(search_vector=_vector(visible)).filter(search_vector=query)
        if headline:
            visible = visible.annotate(
                search_snippet=SearchHeadline(headline, query, config=CONFIG, **HEADLINE)
            )
        rows = visible_among(visible, best, limit, fields)
        if rows is not None:
            return rows
    ranked = _ranked(queryset, parsed, headline, limit, summed=True)
    return list(ranked.values_list(*fields, "search_rank") if fields else ranked)


def _snippets(
    model, field: str, parsed: ParsedQuery, ids: list[int], prefix: bool = True
) -> dict[int, str]:
    headline = SearchHeadline(field, to_query(parsed, prefix), config=CONFIG, **HEADLINE)
    return dict(model.objects.filter(pk__in=ids).annotate(s=headline).values_list("pk", "s"))


class PostgresSearch:
    """The search backend on PostgreSQL's full-text search (see `kb.search.Backend`)."""

    def lessons(self, parsed, queryset, limit, narrowed=False):
        return _best_visible(queryset, TERMS[LESSONS], parsed, limit, narrowed, ("pk",))

    def takeaways(self, parsed, queryset, limit, narrowed=False):
        fields = ("pk", "lesson_id")
        found = _best_visible(queryset, TERMS[TAKEAWAYS], parsed, limit, narrowed, fields)
        return [(lesson_id, rank, pk) for pk, lesson_id, rank in found]

    def page_snippets(self, parsed, lesson_ids, takeaway_ids):
        from kb.models import Lesson, Takeaway

        return (
            _snippets(Lesson, "body", parsed, lesson_ids) if lesson_ids else {},
            _snippets(Takeaway, "text", parsed, takeaway_ids) if takeaway_ids else {},
        )

    def quotes(self, parsed, queryset, limit, narrowed=False):
        found = _best_visible(queryset, TERMS[QUOTES], parsed, limit, narrowed, headline="text")
        return [(quote, quote.search_snippet) for quote in found]

    def best_chapters(self, parsed, queryset, limit, narrowed=False):
        """Ranked among the chapters that say each word most. When those leave too few
        and the planner expects few chapters to say the query (rare words, a narrowed
        search), all of those are ranked too."""
        from kb.models import ChapterTranscript

        transcripts = ChapterTranscript.objects.filter(chapter__in=queryset)
        candidates = _among_candidates(transcripts, parsed)
        ranked = dict(
            _ranked(candidates, parsed, None, limit, prefix=False).values_list("pk", "search_rank")
        )
        if len(ranked) < limit:
            saying = transcripts.alias(search_vector=_vector(transcripts)).filter(
                search_vector=to_query(parsed, prefix=False)
            )
            if _planned_rows(saying) <= DIRECT_CHAPTERS:
                direct = _ranked(transcripts, parsed, None, limit, prefix=False)
                ranked.update(direct.values_list("pk", "search_rank"))
        best = sorted(ranked, key=lambda pk: (-ranked[pk], pk))[:limit]
        found = queryset.with_video().in_bulk(best)
        return [found[pk] for pk in best if pk in found]

    def chapter_snippets(self, parsed, ids):
        from kb.models import ChapterTranscript

        return _snippets(ChapterTranscript, "text", parsed, ids, prefix=False)

    def lines(self, parsed, chapters, per_chapter):
        from kb.models import TranscriptSegment

        if not chapters:
            return []
        segments = TranscriptSegment.objects.filter(
            chapter__in=[chapter.pk for chapter in chapters]
        )
        vector, query = _vector(segments), to_query(parsed, prefix=False)
        # Matched by the function behind `@@`, which no index serves: the few chapters'
        # lines are read by chapter and tested one by one. With `@@` the planner may
        # AND in the GIN index's every line saying the words (tens of thousands for a
        # common phrase; see README "PostgreSQL").
        said = Func(vector, query, function="ts_match_vq", output_field=BooleanField())
        ranked = (
            segments.filter(said)
            .annotate(search_rank=_rank(vector, parsed, prefix=False))
            .values_list("pk", "chapter_id", "start_seconds", "search_rank")
        )
        best: dict[int, list] = {}
        for segment_id, chapter_id, start, rank in ranked:
            best.setdefault(chapter_id, []).append((-rank, start, segment_id))
        chosen = {
            segment_id: (chapter_id, start)
            for chapter_id, found in best.items()
            for _, start, segment_id in sorted(found)[:per_chapter]
        }
        snippets = dict(
            TranscriptSegment.objects.filter(pk__in=chosen)
            .annotate(s=SearchHeadline(F("text"), query, config=CONFIG, **HEADLINE))
            .values_list("pk", "s")
        )
        return [
            (chapter_id, start, snippets.get(pk, "")) for pk, (chapter_id, start) in chosen.items()
        ]

    def strongest_lines(self, parsed, most):
        """The lines that say the query, unordered, until one too many (the GIN index
        finds them; each line's vector is small). `ts_rank` (not normalised by length)
        grows with how often a line says the words: it serves as both measures."""
        from kb.models import TranscriptSegment

        segments = TranscriptSegment.objects.all()
        vector, query = _vector(segments), to_query(parsed, prefix=False)
        saying = segments.alias(search_vector=vector).filter(search_vector=query)
        if _planned_rows(saying) > most * PLANNED_OVER:
            return None
        lines = list(
            saying.annotate(search_rank=_rank(vector, parsed, prefix=False))
            .values_list("pk", "chapter_id", "start_seconds", "search_rank")
            .order_by()[: most + 1]
        )
        if len(lines) > most:
            return None
        return [(pk, chapter, start, rank, rank) for pk, chapter, start, rank in lines]

    def line_snippets(self, parsed, ids):
        from kb.models import TranscriptSegment

        return _snippets(TranscriptSegment, "text", parsed, ids, prefix=False) if ids else {}

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
