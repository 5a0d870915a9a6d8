"""PostgreSQL backend: the stored, weighted `search_vector` columns `kb.search.schema`
declares (migration 0006 builds them),
`websearch`-like queries built from clean tokens, `ts_rank` and `ts_headline`.

Visibility always comes from the `published()` querysets passed in.
"""

from functools import reduce

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db.models import F
from django.db.models.expressions import RawSQL

from kb.search.query import ParsedQuery
from kb.search.schema import CONFIG, INDEXED

HEADLINE = {"start_sel": "\x02", "stop_sel": "\x03", "max_words": 30, "min_words": 12}


def to_query(parsed: ParsedQuery) -> SearchQuery:
    # Tokens are runs of letters and digits only (see query.py): safe in a raw tsquery.
    parts = [
        SearchQuery(f"{word}:*" if len(word) >= 3 else word, search_type="raw", config=CONFIG)
        for word in parsed.words
    ]
    parts += [SearchQuery(" ".join(p), search_type="phrase", config=CONFIG) for p in parsed.phrases]
    query = reduce((lambda a, b: a | b) if parsed.any_word else (lambda a, b: a & b), parts)
    for excluded in parsed.excluded:
        query &= ~SearchQuery(" ".join(excluded), search_type="phrase", config=CONFIG)
    return query


def _vector(queryset):
    table = queryset.model._meta.db_table
    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())


def _ranked(queryset, parsed: ParsedQuery, headline_field: str | None, limit: int):
    vector, query = _vector(queryset), to_query(parsed)
    ranked = (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(vector, query))
    )
    if headline_field:
        ranked = ranked.annotate(
            search_snippet=SearchHeadline(headline_field, query, config=CONFIG, **HEADLINE)
        )
    return ranked.order_by("-search_rank", "pk")[:limit]


def _snippets(model, field: str, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
    headline = SearchHeadline(field, to_query(parsed), config=CONFIG, **HEADLINE)
    return dict(model.objects.filter(pk__in=ids).annotate(s=headline).values_list("pk", "s"))


class PostgresSearch:
    """The search backend on PostgreSQL's full-text search (see `kb.search.Backend`)."""

    def lessons(self, parsed, queryset, limit):
        return list(_ranked(queryset, parsed, None, limit).values_list("pk", "search_rank"))

    def takeaways(self, parsed, queryset, limit):
        return list(
            _ranked(queryset, parsed, None, limit).values_list("lesson_id", "search_rank", "pk")
        )

    def page_snippets(self, parsed, lesson_ids, takeaway_ids):
        from kb.models import Lesson, Takeaway

        return (
            _snippets(Lesson, "body", parsed, lesson_ids) if lesson_ids else {},
            _snippets(Takeaway, "text", parsed, takeaway_ids) if takeaway_ids else {},
        )

    def quotes(self, parsed, queryset, limit):
        return [(quote, quote.search_snippet) for quote in _ranked(queryset, parsed, "text", limit)]

    def best_chapters(self, parsed, queryset, limit, narrowed=False):
        from kb.models import ChapterTranscript

        transcripts = ChapterTranscript.objects.filter(chapter__in=queryset)
        ranked = list(_ranked(transcripts, parsed, None, limit).values_list("pk", flat=True))
        found = queryset.with_video().in_bulk(ranked)
        return [found[pk] for pk in ranked if pk in found]

    def chapter_snippets(self, parsed, ids):
        from kb.models import ChapterTranscript

        return _snippets(ChapterTranscript, "text", parsed, ids)

    def lines(self, parsed, chapters, per_chapter):
        from kb.models import TranscriptSegment

        if not chapters:
            return []
        segments = TranscriptSegment.objects.filter(
            chapter__in=[chapter.pk for chapter in chapters]
        )
        vector, query = _vector(segments), to_query(parsed)
        ranked = (
            segments.alias(search_vector=vector)
            .filter(search_vector=query)
            .annotate(search_rank=SearchRank(vector, query))
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

    def reindex(self) -> None:
        """Generated columns are always current; rebuilding their indexes repairs corruption."""
        from django.db import connection

        with connection.cursor() as cursor:
            for indexed in INDEXED:
                cursor.execute(f"REINDEX INDEX {indexed.table}_search_gin")

    def tidy(self) -> None:
        """Nothing to do: PostgreSQL keeps its GIN indexes in shape itself (autovacuum)."""
