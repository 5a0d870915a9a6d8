"""SQLite FTS5 backend. The FTS tables and their triggers come from migration 0006.

Rank is FTS5's bm25 (lower is better there; negated here so higher is better everywhere).
Visibility always comes from the `published()` querysets passed in.
"""

from django.db import connection

from kb.search.query import ParsedQuery

SNIPPET = "snippet({table}, {column}, char(2), char(3), '…', {words})"


def _phrase(tokens: list[str]) -> str:
    # Tokens are runs of letters and digits only (see query.py): nothing to escape.
    return '"' + " ".join(tokens) + '"'


def match_expression(parsed: ParsedQuery, prefix: bool = True) -> str:
    """FTS5 syntax for the query. Porter stemming already matches other forms of a word
    ("promoted" → "promotion"); `prefix` adds partial words ("promo"), which costs a merge
    of every term with that prefix, so the big transcript tables go without."""
    parts = [_phrase([w]) + ("*" if prefix and len(w) >= 3 else "") for w in parsed.words]
    parts += [_phrase(p) for p in parsed.phrases]
    expression = " AND ".join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_phrase(e) for e in parsed.excluded)})"
    return expression


def _ranked(queryset, table: str, parsed: ParsedQuery, rank: str, snippet: str | None, limit: int):
    source = queryset.model._meta.db_table
    fts = f"{table}_fts"
    select = {"search_rank": f"-{rank}"}
    if snippet:
        select["search_snippet"] = snippet
    return queryset.extra(
        tables=[fts],
        where=[f"{fts}.rowid = {source}.id", f"{fts} MATCH %s"],
        params=[match_expression(parsed)],
        select=select,
        order_by=["-search_rank"],
    )[:limit]


def _snippets(
    table: str, column: int, parsed: ParsedQuery, ids: list[int], prefix: bool = True
) -> dict[int, str]:
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, {SNIPPET.format(table=f'{table}_fts', column=column, words=24)} "
            f"FROM {table}_fts WHERE {table}_fts MATCH %s AND rowid IN ({marks})",
            [match_expression(parsed, prefix), *ids],
        )
        return dict(cursor.fetchall())


def lessons(parsed, queryset, limit):
    rows = _ranked(queryset, "kb_lesson", parsed, "bm25(kb_lesson_fts, 10.0, 3.0)", None, limit)
    return list(rows.values_list("pk", "search_rank"))


def lesson_snippets(parsed, ids):
    # -1: from whichever column matched best, the title or the body.
    return _snippets("kb_lesson", -1, parsed, ids)


def takeaways(parsed, lessons_queryset, limit):
    from kb.models import Takeaway

    queryset = Takeaway.objects.filter(lesson__in=lessons_queryset)
    rows = _ranked(queryset, "kb_takeaway", parsed, "bm25(kb_takeaway_fts) * 3.0", None, limit)
    return list(rows.values_list("lesson_id", "search_rank", "pk"))


def takeaway_snippets(parsed, ids):
    return _snippets("kb_takeaway", 0, parsed, ids)


def quotes(parsed, queryset, limit):
    rows = _ranked(
        queryset,
        "kb_quote",
        parsed,
        "bm25(kb_quote_fts)",
        SNIPPET.format(table="kb_quote_fts", column=0, words=30),
        limit,
    )
    return [(quote, quote.search_snippet) for quote in rows]


# Chapters are ranked by FTS5 alone, then the visible ones kept: over-fetch so that a
# few draft chapters among the best cannot leave the page short.
CHAPTER_OVERFETCH = 5
CHAPTER_RANK = "bm25(kb_chapter_fts, 2.0, 1.0)"


def chapters(parsed, queryset, limit, narrowed=False):
    """The best chapters: ranked by the full-text index first (so the engine walks the
    matches, never every chapter), then filtered through `published()`. A search
    narrowed to a video or theme has few chapters: those drive the query instead."""
    if narrowed:
        rows = _ranked(
            queryset.select_related("video"), "kb_chapter", parsed, CHAPTER_RANK, None, limit
        )
        return list(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM kb_chapter_fts WHERE kb_chapter_fts MATCH %s"
            # `rank MATCH` sets the weights (title, text) and lets FTS5 sort internally.
            " AND rank MATCH 'bm25(2.0, 1.0)' ORDER BY rank LIMIT %s",
            [match_expression(parsed, prefix=False), limit * CHAPTER_OVERFETCH],
        )
        ranked = [pk for (pk,) in cursor.fetchall()]
    visible = queryset.select_related("video").in_bulk(ranked)
    return [visible[pk] for pk in ranked if pk in visible][:limit]


def chapter_snippets(parsed, ids):
    return _snippets("kb_chapter", 1, parsed, ids, prefix=False)


def lines(parsed, chapter_ids, per_chapter):
    """The best-matching lines inside the given chapters: (segment id, chapter id, snippet).

    A chapter's lines are stored together, so each chapter is a range of row ids, and
    FTS5 seeks straight to that range: a word said in half a million lines costs a
    lookup in a few hundred of them per chapter, not a pass over all its matches.
    """
    if not chapter_ids:
        return []
    marks = ", ".join(["%s"] * len(chapter_ids))
    match = match_expression(parsed, prefix=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT chapter_id, min(id), max(id) FROM kb_transcriptsegment "
            f"WHERE chapter_id IN ({marks}) GROUP BY chapter_id",
            chapter_ids,
        )
        ranges = cursor.fetchall()
        if not ranges:
            return []
        best_in_range = (
            "SELECT * FROM (SELECT rowid, %s, "
            + SNIPPET.format(table="kb_transcriptsegment_fts", column=0, words=24)
            + " FROM kb_transcriptsegment_fts WHERE kb_transcriptsegment_fts MATCH %s"
            " AND rowid BETWEEN %s AND %s ORDER BY rank LIMIT %s)"
        )
        cursor.execute(
            " UNION ALL ".join([best_in_range] * len(ranges)),
            [v for chapter, lo, hi in ranges for v in (chapter, match, lo, hi, per_chapter)],
        )
        return [(segment_id, chapter_id, snippet) for segment_id, chapter_id, snippet in cursor]


def reindex() -> None:
    with connection.cursor() as cursor:
        for table in ("kb_lesson", "kb_takeaway", "kb_quote", "kb_chapter", "kb_transcriptsegment"):
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
