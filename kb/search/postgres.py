"""PostgreSQL backend: the stored, weighted `search_vector` columns from migration 0006,
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

CONFIG = "english"
HEADLINE = {"start_sel": "\x02", "stop_sel": "\x03", "max_words": 30, "min_words": 12}


def to_query(parsed: ParsedQuery) -> SearchQuery:
    # Tokens are runs of letters and digits only (see query.py): safe in a raw tsquery.
    parts = [
        SearchQuery(f"{word}:*" if len(word) >= 3 else word, search_type="raw", config=CONFIG)
        for word in parsed.words
    ]
    parts += [SearchQuery(" ".join(p), search_type="phrase", config=CONFIG) for p in parsed.phrases]
    query = reduce(lambda a, b: a & b, parts)
    for excluded in parsed.excluded:
        query &= ~SearchQuery(" ".join(excluded), search_type="phrase", config=CONFIG)
    return query


def _ranked(queryset, parsed: ParsedQuery, headline_field: str, limit: int):
    table = queryset.model._meta.db_table
    vector = RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())
    query = to_query(parsed)
    return (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(
            search_rank=SearchRank(vector, query),
            search_snippet=SearchHeadline(headline_field, query, config=CONFIG, **HEADLINE),
        )
        .order_by("-search_rank", "pk")[:limit]
    )


def lessons(parsed, queryset, limit):
    rows = _ranked(queryset, parsed, "body", limit)
    return list(rows.values_list("pk", "search_rank", "search_snippet"))


def takeaways(parsed, lessons_queryset, limit):
    from kb.models import Takeaway

    rows = _ranked(Takeaway.objects.filter(lesson__in=lessons_queryset), parsed, "text", limit)
    return list(rows.values_list("lesson_id", "search_rank", "search_snippet"))


def quotes(parsed, queryset, limit):
    return [(quote, quote.search_snippet) for quote in _ranked(queryset, parsed, "text", limit)]


def chapters(parsed, queryset, limit):
    ranked = _ranked(queryset.select_related("video"), parsed, "text", limit)
    return [(chapter, chapter.search_snippet) for chapter in ranked]


def lines(parsed, chapter_ids, per_chapter):
    from kb.models import TranscriptSegment

    if not chapter_ids:
        return []
    vector = RawSQL('"kb_transcriptsegment"."search_vector"', [], output_field=SearchVectorField())
    query = to_query(parsed)
    ranked = (
        TranscriptSegment.objects.filter(chapter_id__in=chapter_ids)
        .alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(vector, query))
        .values_list("pk", "chapter_id", "search_rank")
    )
    best: dict[int, list[tuple[float, int]]] = {}
    for segment_id, chapter_id, rank in ranked:
        best.setdefault(chapter_id, []).append((-rank, segment_id))
    chosen = {
        segment_id: chapter_id
        for chapter_id, found in best.items()
        for _, segment_id in sorted(found)[:per_chapter]
    }
    snippets = dict(
        TranscriptSegment.objects.filter(pk__in=chosen)
        .annotate(s=SearchHeadline(F("text"), query, config=CONFIG, **HEADLINE))
        .values_list("pk", "s")
    )
    return [(pk, chapter_id, snippets.get(pk, "")) for pk, chapter_id in chosen.items()]


def reindex() -> None:
    """Generated columns are always current; rebuilding their indexes repairs corruption."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("kb_lesson", "kb_takeaway", "kb_quote", "kb_chapter", "kb_transcriptsegment"):
            cursor.execute(f"REINDEX INDEX {table}_search_gin")
