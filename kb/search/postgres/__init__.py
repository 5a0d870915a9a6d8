"""PostgreSQL backend: the stored, weighted `search_vector` columns `kb.search.schema`
declares (migration 0006 builds them), `websearch`-like queries built from clean tokens,
`ts_rank` and `ts_headline`.

`ts_rank` reads each matching row's vector: over every lesson, takeaway, quote or
chapter that says a common word, that is thousands of rows (a chapter's vector is
large, stored out of line). Each is ranked instead among a bounded set of candidates
read from its terms table (`schema.TERMS`): lessons, takeaways and quotes keep the
rank the terms give them (`rows`), chapters are ranked by `ts_rank` among those few
(`chapters`). What both share is in `sql`.

Visibility always comes from the `published()` querysets passed in.
"""

from typing import Literal

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from kb.models import Chapter, ChapterTranscript, Lesson
from kb.search.candidates import OVERFETCH
from kb.search.interface import (
    BestRows,
    FoundLine,
    Limits,
    RankedLesson,
    RankedQuote,
    RankedTakeaway,
    SaidLine,
    Scope,
)
from kb.search.moments import TOP_CHAPTERS
from kb.search.postgres import chapters as by_chapter
from kb.search.postgres import rows, sql
from kb.search.postgres.sql import HEADLINE_OPTIONS, TSQUERY, together, tsquery
from kb.search.query import ParsedQuery
from kb.search.schema import (
    CHAPTERS,
    CONFIG,
    INDEXED,
    LESSONS,
    LINES,
    QUOTES,
    TAKEAWAYS,
    TERMS,
    postgres_refill_terms,
)

# A lesson's snippet on a page of them: of its body when it was found by its own words
# (its id is in the first list), else of its takeaway that found it (in the second).
PAGE_SNIPPET = f"""
    CASE WHEN "{LESSONS.table}"."id" = ANY(%s)
        THEN ts_headline('{CONFIG}', "{LESSONS.table}"."body", {TSQUERY}, %s)
        ELSE (SELECT ts_headline('{CONFIG}', text, {TSQUERY}, %s)
              FROM {TAKEAWAYS.table} WHERE id = ANY(%s) AND lesson_id = "{LESSONS.table}"."id"
              LIMIT 1)
    END
"""

# What `best_rows` reads of each lesson and takeaway found: the primary key first.
LESSON_FIELDS = ("pk",)
TAKEAWAY_FIELDS = ("pk", "lesson_id")
# The terms tables `best_rows` reads, in the order of its limits.
ROW_TERMS = (TERMS[LESSONS], TERMS[TAKEAWAYS], TERMS[QUOTES])


class PostgresSearch:
    """The search backend on PostgreSQL's full-text search (`kb.search.interface.Backend`)."""

    def best_rows(self, query: ParsedQuery, scope: Scope, limits: Limits) -> BestRows:
        """The three tables' terms are read in one query (or, for a search not ranked by
        them, every visible lesson and takeaway ranked, in two), sent with the planner's
        estimates of the lines saying the query (`strongest_lines` asks them next) and,
        for one word, its best chapters by their terms (`best_chapters`, which most
        searches ask: an index's first few entries, where a round trip costs more)."""
        narrowed = scope.narrowed
        by_terms = rows.by_terms(query, narrowed)
        named = []
        if by_terms:
            counts = rows.terms_counts(ROW_TERMS, limits)
            named.append(("terms", rows.terms_statement(query, counts)))
        else:
            lessons = rows.ranked_statement(scope.lessons, query, limits.lessons, LESSON_FIELDS)
            takeaways = rows.ranked_statement(
                scope.takeaways, query, limits.takeaways, TAKEAWAY_FIELDS
            )
            named += [("lessons", lessons), ("takeaways", takeaways)]
        if not narrowed and by_chapter.by_chapter_terms(query):
            count = TOP_CHAPTERS * OVERFETCH
            named.append(("chapters", by_chapter.chapter_terms_statement(query, count)))
        statements = [statement for _, statement in named] + by_chapter.line_plans(query)
        with connection.cursor() as cursor:
            results = together(cursor, statements)
        read = dict(zip([name for name, _ in named], results, strict=False))
        best = dict.fromkeys(ROW_TERMS)
        if by_terms:
            best = rows.terms_read(list(ROW_TERMS), read["terms"])
        lessons, takeaways, quotes = ROW_TERMS
        found_lessons = rows.best_visible(
            scope.lessons, query, limits.lessons, narrowed, LESSON_FIELDS,
            best[lessons], read.get("lessons"),
        )  # fmt: skip
        found_takeaways = rows.best_visible(
            scope.takeaways, query, limits.takeaways, narrowed, TAKEAWAY_FIELDS,
            best[takeaways], read.get("takeaways"),
        )  # fmt: skip
        found_quotes = rows.best_quotes(scope.quotes, query, limits.quotes, narrowed, best[quotes])
        return BestRows(
            [RankedLesson(pk, rank) for pk, rank in found_lessons],
            [RankedTakeaway(lesson, rank, pk) for pk, lesson, rank in found_takeaways],
            [RankedQuote(quote, quote.search_snippet) for quote in found_quotes],
            by_chapter.planned_lines(results[len(named) :]),
            dict(read["chapters"]) if "chapters" in read else None,
        )

    def page_lessons(
        self,
        query: ParsedQuery,
        lessons: QuerySet[Lesson],
        own: list[int],
        takeaway_of: dict[int, int],
    ) -> dict[int, Lesson]:
        """The snippets made in the lessons' own query (one round trip fewer)."""
        text, takeaways = tsquery(query), list(takeaway_of.values())
        return lessons.annotate(
            search_snippet=RawSQL(
                PAGE_SNIPPET, [own, text, HEADLINE_OPTIONS, text, HEADLINE_OPTIONS, takeaways]
            )
        ).in_bulk()

    def best_chapters(
        self,
        query: ParsedQuery,
        chapters: QuerySet[Chapter],
        limit: int,
        narrowed: bool,
        ranked: dict[int, float] | None,
    ) -> list[Chapter]:
        """One word: the chapters that say it most, by their terms alone (as its
        lessons, takeaways and quotes are; `ranked`, when `best_rows` read them).
        Else ranked among the chapters that say each word most: the best few of them,
        then the visible ones among those (raw SQL, as every search asks it); for a
        narrowed search, the visible candidates. When those leave too few and the
        planner expects few chapters to say the query (rare words, a narrowed search),
        all of those are ranked too."""

        def visible(ranks):
            return chapters.with_video().in_bulk(ranks) if ranks else {}

        transcripts = ChapterTranscript.objects.filter(chapter__in=chapters)
        found, ranks = {}, ranked
        if narrowed:
            candidates = sql.ranked(
                by_chapter.among_candidates(transcripts, query), query, None, limit, prefix=False
            )
            ranks = dict(candidates.values_list("pk", "search_rank"))
            found = visible(ranks)
        else:
            every_term = False
            if by_chapter.by_chapter_terms(query):
                if ranks is None:
                    ranks = by_chapter.chapters_by_terms(query, limit * OVERFETCH)
                found = visible(ranks)
                # Fewer than asked for: those are all its candidates too.
                every_term = len(ranks) < limit * OVERFETCH
            if len(found) < limit and not every_term:
                ranks = by_chapter.best_candidates(query, limit * OVERFETCH)
                found = visible(ranks)
        if len(found) < limit:
            more = by_chapter.chapters_directly(query, transcripts, limit, narrowed)
            found.update(visible([pk for pk in more if pk not in found]))
            ranks.update(more)
        best = sorted((pk for pk in ranks if pk in found), key=lambda pk: (-ranks[pk], pk))
        return [found[pk] for pk in best[:limit]]

    def lines(
        self, query: ParsedQuery, chapters: list[Chapter], per_chapter: int
    ) -> list[FoundLine]:
        if not chapters:
            return []
        return by_chapter.best_lines(query, [chapter.pk for chapter in chapters], per_chapter)

    def strongest_lines(
        self, query: ParsedQuery, most: int, planned: float | None
    ) -> list[SaidLine] | None:
        return by_chapter.strongest_lines(query, most, planned)

    def snippets(
        self, query: ParsedQuery, of: Literal["chapters", "lines"], ids: list[int]
    ) -> dict[int, str]:
        indexed = CHAPTERS if of == "chapters" else LINES
        return sql.snippets(indexed, "text", query, ids, prefix=False) if ids else {}

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

    def write_terms(self) -> None:
        """Nothing to do: the terms tables' triggers write them (kb.search.schema)."""
