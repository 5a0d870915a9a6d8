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


def match_expression(parsed: ParsedQuery) -> str:
    parts = [_phrase([w]) + ("*" if len(w) >= 3 else "") for w in parsed.words]
    parts += [_phrase(p) for p in parsed.phrases]
    expression = " AND ".join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_phrase(e) for e in parsed.excluded)})"
    return expression


def _ranked(queryset, table: str, parsed: ParsedQuery, rank: str, snippet: str, limit: int):
    source = queryset.model._meta.db_table
    fts = f"{table}_fts"
    return queryset.extra(
        tables=[fts],
        where=[f"{fts}.rowid = {source}.id", f"{fts} MATCH %s"],
        params=[match_expression(parsed)],
        select={"search_rank": f"-{rank}", "search_snippet": snippet},
        order_by=["-search_rank"],
    )[:limit]


def lessons(parsed, queryset, limit):
    rows = _ranked(
        queryset,
        "kb_lesson",
        parsed,
        "bm25(kb_lesson_fts, 10.0, 3.0)",
        # -1: from whichever column matched best, the title or the body.
        SNIPPET.format(table="kb_lesson_fts", column=-1, words=24),
        limit,
    )
    return [
        (pk, rank, snip)
        for pk, rank, snip in rows.values_list("pk", "search_rank", "search_snippet")
    ]


def takeaways(parsed, lessons_queryset, limit):
    from kb.models import Takeaway

    queryset = Takeaway.objects.filter(lesson__in=lessons_queryset)
    rows = _ranked(
        queryset,
        "kb_takeaway",
        parsed,
        "bm25(kb_takeaway_fts) * 3.0",
        SNIPPET.format(table="kb_takeaway_fts", column=0, words=24),
        limit,
    )
    return list(rows.values_list("lesson_id", "search_rank", "search_snippet"))


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


def chapters(parsed, queryset, limit):
    rows = _ranked(
        queryset,
        "kb_chapter",
        parsed,
        "bm25(kb_chapter_fts, 2.0, 1.0)",
        SNIPPET.format(table="kb_chapter_fts", column=1, words=20),
        limit,
    )
    return [(chapter, chapter.search_snippet) for chapter in rows.select_related("video")]


def lines(parsed, chapter_ids, per_chapter):
    """The best-matching lines inside the given chapters: (segment id, chapter id, snippet).

    A chapter's lines are stored together, so each chapter is a range of row ids, and
    FTS5 seeks straight to that range: a word said in half a million lines costs a
    lookup in a few hundred of them per chapter, not a pass over all its matches.
    """
    if not chapter_ids:
        return []
    marks = ", ".join(["%s"] * len(chapter_ids))
    match = match_expression(parsed)
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
