"""SQLite FTS5 backend. The FTS tables and their triggers come from migration 0006.

Rank is FTS5's bm25 (lower is better there; negated here so higher is better everywhere).
Visibility always comes from the `published()` querysets passed in.
"""

from django.db import connection

from kb.search import START
from kb.search.query import ParsedQuery

SEARCHED_TABLES = (
    "kb_lesson",
    "kb_takeaway",
    "kb_quote",
    "kb_chaptertranscript",
    "kb_transcriptsegment",
)
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
    expression = (" OR " if parsed.any_word else " AND ").join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_phrase(e) for e in parsed.excluded)})"
    return expression


def _ranked(
    queryset,
    table: str,
    parsed: ParsedQuery,
    rank: str,
    snippet: str | None,
    limit: int,
    prefix: bool = True,
):
    source = queryset.model._meta.db_table
    fts = f"{table}_fts"
    select = {"search_rank": f"-{rank}"}
    if snippet:
        select["search_snippet"] = snippet
    return queryset.extra(
        tables=[fts],
        where=[f"{fts}.rowid = {source}.id", f"{fts} MATCH %s"],
        params=[match_expression(parsed, prefix)],
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


def takeaways(parsed, queryset, limit):
    rows = _ranked(queryset, "kb_takeaway", parsed, "bm25(kb_takeaway_fts) * 3.0", None, limit)
    return list(rows.values_list("lesson_id", "search_rank", "pk"))


def page_snippets(parsed, lesson_ids, takeaway_ids):
    """Snippets for the lessons on one page: from the lesson's best column (title or body),
    or from the takeaway that found it. One query for both."""
    one = (
        "SELECT {kind}, rowid, snippet({table}_fts, {column}, char(2), char(3), '…', 24)"
        " FROM {table}_fts WHERE {table}_fts MATCH %s AND rowid IN ({marks})"
    )
    parts, params = [], []
    for kind, table, column, ids in (
        (0, "kb_lesson", -1, lesson_ids),
        (1, "kb_takeaway", 0, takeaway_ids),
    ):
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            parts.append(one.format(kind=kind, table=table, marks=marks, column=column))
            params += [match_expression(parsed), *ids]
    found = ({}, {})
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, pk, snippet in cursor:
                found[kind][pk] = snippet
    return found


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


CHAPTER_RANK = "bm25(kb_chaptertranscript_fts, 2.0, 1.0)"
# Over-fetch so that a few draft chapters among the best cannot leave the page short.
CHAPTER_OVERFETCH = 2


def best_chapters(parsed, queryset, limit, narrowed=False):
    """The chapters that best match, each with the range of its lines' row ids (lo, hi).

    Ranked by bm25 over every chapter: about 0.8 µs a matching chapter, so 4–6 ms when
    a word is in all 5,700 chapters of a million lines. (`ORDER BY bm25(…) LIMIT n` keeps
    only the best n as it goes; FTS5's own `ORDER BY rank` sorts every match first and
    costs a third more.) A search narrowed to a video or theme has few chapters: those
    drive the query instead.
    """
    if narrowed:
        rows = _ranked(
            queryset, "kb_chaptertranscript", parsed, CHAPTER_RANK, None, limit, prefix=False
        )
        ranked = list(rows.values_list("pk", flat=True))
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM kb_chaptertranscript_fts WHERE kb_chaptertranscript_fts"
                f" MATCH %s ORDER BY {CHAPTER_RANK} LIMIT %s",
                [match_expression(parsed, prefix=False), limit * CHAPTER_OVERFETCH],
            )
            ranked = [pk for (pk,) in cursor.fetchall()]
    return _with_line_ranges(queryset, ranked)[:limit]


def _with_line_ranges(queryset, ranked: list[int]) -> list:
    """The visible chapters among `ranked`, in order, each with the row-id range of its
    lines (lo, hi)."""
    found = queryset.with_video().in_bulk(ranked)
    if not found:
        return []
    marks = ", ".join(["%s"] * len(found))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT chapter_id, min(id), max(id) FROM kb_transcriptsegment"
            f" WHERE chapter_id IN ({marks}) GROUP BY chapter_id",
            list(found),
        )
        for chapter_id, lo, hi in cursor:
            found[chapter_id].lo, found[chapter_id].hi = lo, hi
    return [found[pk] for pk in ranked if pk in found and hasattr(found[pk], "lo")]


def chapter_snippets(parsed, ids):
    return _snippets("kb_chaptertranscript", 1, parsed, ids, prefix=False)


# Matching lines looked at in one chapter; past that, the earliest are enough.
LINES_PER_CHAPTER_SCANNED = 300
# Lines matching the query. CROSS JOIN keeps FTS5 the outer loop: else, inside a
# chapter, SQLite walks every line of it and asks FTS5 about each one.
MATCHING_LINES = (
    " FROM kb_transcriptsegment_fts"
    " CROSS JOIN kb_transcriptsegment line ON line.id = kb_transcriptsegment_fts.rowid"
    " WHERE kb_transcriptsegment_fts MATCH %s"
)
# ... within one chapter: its range of row ids, which FTS5 seeks straight to.
IN_CHAPTER = (
    MATCHING_LINES
    + " AND kb_transcriptsegment_fts.rowid BETWEEN %s AND %s AND line.chapter_id = %s"
)
# What `lines` returns for each: (chapter id, start, snippet).
LINE = "line.chapter_id, line.start_seconds, " + SNIPPET.format(
    table="kb_transcriptsegment_fts", column=0, words=24
)


def lines(parsed, chapters, per_chapter):
    """The best lines inside the given (visible) chapters: (chapter id, start, snippet).

    A chapter's lines are stored together, a range of row ids FTS5 seeks straight to, so
    a word said in half a million lines costs a look at a few of them per chapter. Inside
    a chapter the lines that say the most of the query come first, then the earliest.
    Not bm25: it would count every match of each word in the whole table again for each
    chapter (0.6 ms a common word, each time) only to order a chapter's few lines.
    """
    if not chapters:
        return []
    if parsed.any_word:
        return _lines_saying_most(parsed, chapters, per_chapter)
    in_range = f"SELECT * FROM (SELECT {LINE}{IN_CHAPTER} LIMIT %s)"
    match = match_expression(parsed, prefix=False)
    found: dict[int, list[tuple[int, float, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([in_range] * len(chapters)),
            [v for c in chapters for v in (match, c.lo, c.hi, c.pk, LINES_PER_CHAPTER_SCANNED)],
        )
        for line in cursor:
            found.setdefault(line[0], []).append(line)
    return [
        line
        for candidates in found.values()
        for line in sorted(candidates, key=lambda line: (-line[2].count(START), line[1]))[
            :per_chapter
        ]
    ]


def _lines_saying_most(parsed, chapters, per_chapter):
    """Lines saying the most of the words, each word looked up alone (row ids only, no
    snippets): common words are in many lines, and only the chosen few need a snippet."""
    words = [ParsedQuery(words=[w], excluded=parsed.excluded) for w in parsed.words]
    one = f"SELECT * FROM (SELECT %s, %s, line.id{IN_CHAPTER} LIMIT %s)"
    said: dict[int, dict[int, set[int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([one] * (len(chapters) * len(words))),
            [
                v
                for c in chapters
                for n, word in enumerate(words)
                for v in (c.pk, n, match_expression(word, prefix=False), c.lo, c.hi, c.pk)
                + (LINES_PER_CHAPTER_SCANNED,)
            ],
        )
        for chapter_id, n, line_id in cursor:
            said.setdefault(chapter_id, {}).setdefault(line_id, set()).add(n)
        chosen = [
            line_id
            for lines_said in said.values()
            for line_id in sorted(lines_said, key=lambda i: (-len(lines_said[i]), i))[:per_chapter]
        ]
        if not chosen:
            return []
        marks = ", ".join(["%s"] * len(chosen))
        cursor.execute(
            f"SELECT {LINE}{MATCHING_LINES} AND kb_transcriptsegment_fts.rowid IN ({marks})",
            [match_expression(parsed, prefix=False), *chosen],
        )
        return cursor.fetchall()


def reindex() -> None:
    with connection.cursor() as cursor:
        for table in SEARCHED_TABLES:
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    tidy()


def tidy() -> None:
    """Merge each full-text index into one b-tree segment where writes have left several.

    FTS5 adds a segment per write transaction and merges them only now and then; a
    word's lookup inside a chapter's row range then seeks once per segment, and some
    common words cost 0.4 ms a chapter across eleven segments, 0.01 ms in one. Merging a
    million lines' index takes about 0.7 s; it runs after imports, not on every edit.
    """
    with connection.cursor() as cursor:
        for table in SEARCHED_TABLES:
            cursor.execute(f"SELECT count(DISTINCT segid) > 1 FROM {table}_fts_idx")
            if cursor.fetchone()[0]:
                cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')")
