"""SQLite FTS5 backend, over the tables `kb.search.schema` declares (migration 0006
builds them, with their triggers).

Rank is FTS5's bm25 (lower is better there; negated here so higher is better everywhere).
Visibility always comes from the `published()` querysets passed in.
"""

from typing import Literal

from django.db import connection
from django.db.models import F, QuerySet

from kb.models import Chapter, Lesson
from kb.search.candidates import OVERFETCH, visible_among
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
from kb.search.query import ParsedQuery
from kb.search.results import START
from kb.search.schema import (
    CHAPTERS,
    INDEXED,
    LESSONS,
    LINES,
    QUOTES,
    TAKEAWAYS,
    Indexed,
)
from kb.search.sqlite import rows as row_terms
from kb.search.sqlite.chapters import (
    COMMON_CHAPTERS,
    best_for_words,
    candidates,
    mark_every_chapter,
    write_terms,
)

# After an import ANALYZE reads tables of up to WHOLE_TABLE rows whole (lessons, quotes,
# videos: a tenth of a second at ten million lines), and samples ANALYSIS_LIMIT rows an
# index of bigger ones (the transcript), as SQLite advises: a sample of a small table
# misjudges how many rows "status = published" keeps, and the plan with it.
WHOLE_TABLE = 200_000
ANALYSIS_LIMIT = 1000


def snippet(indexed: Indexed, column: str | int, words: int = 24) -> str:
    """FTS5's snippet() of a column (by name, or -1 for the best one), marked START/STOP."""
    number = column if isinstance(column, int) else indexed.column(column)
    return f"snippet({indexed.fts}, {number}, char(2), char(3), '…', {words})"


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
        expression = f"({expression}) NOT ({_unsaid(parsed)})"
    return expression


def _unsaid(parsed: ParsedQuery) -> str:
    """FTS5 syntax for the words and phrases the query excludes, any of them."""
    return " OR ".join(_phrase(e) for e in parsed.excluded)


def _ranked_statement(
    queryset,
    indexed: Indexed,
    parsed: ParsedQuery,
    limit: int,
    fields: tuple[str, ...] = ("pk",),
    prefix: bool = True,
) -> tuple[str, list]:
    """The query whose rows are `fields` (the primary key first) and the rank of the
    `limit` best matches among `queryset`'s rows, ranked by bm25 over them alone: the
    queryset's own query joined to the index (SQLite flattens it into one join, FTS5 its
    outer loop)."""
    columns = {f"v{n}": F(field) for n, field in enumerate(fields)}
    visible, params = queryset.order_by().values(**columns).query.sql_with_params()
    fts, bm25 = indexed.fts, indexed.bm25
    picked = ", ".join(f"visible.v{n} AS v{n}" for n in range(len(fields)))
    sql = (
        f"SELECT {picked}, -{bm25} AS rank FROM {fts} JOIN ({visible}) AS visible"
        f" ON visible.v0 = {fts}.rowid WHERE {fts} MATCH %s ORDER BY {bm25} LIMIT %s"
    )
    return sql, [*params, match_expression(parsed, prefix), limit]


def _ranked(queryset, indexed: Indexed, parsed: ParsedQuery, limit: int, **options) -> list:
    with connection.cursor() as cursor:
        cursor.execute(*_ranked_statement(queryset, indexed, parsed, limit, **options))
        return cursor.fetchall()


def _snippets(
    indexed: Indexed,
    column: str,
    parsed: ParsedQuery,
    ids: list[int],
    prefix: bool = True,
    words: int = 24,
) -> dict[int, str]:
    marks, fts = ", ".join(["%s"] * len(ids)), indexed.fts
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, {snippet(indexed, column, words)} "
            f"FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({marks})",
            [match_expression(parsed, prefix), *ids],
        )
        return dict(cursor.fetchall())


def _common(parsed: ParsedQuery, narrowed: bool) -> set[Indexed]:
    """Which of lessons, takeaways and quotes rank the query from their terms: one plain
    word (exclusions aside) said in many of them (kb.search.sqlite.rows)."""
    if narrowed or len(parsed.words) != 1 or parsed.phrases or parsed.any_word:
        return set()
    return row_terms.common_in(match_expression(ParsedQuery(words=parsed.words)))


def _best_ranked(
    indexed: Indexed, parsed: ParsedQuery, count: int, common: set[Indexed]
) -> dict[int, float]:
    """{row id: rank} of the `count` best matches of a lesson, takeaway or quote: a
    common word's read from its terms, else ranked by bm25."""
    if indexed in common:
        word = parsed.words[0]
        unsaid = _unsaid(parsed) or None
        match = match_expression(ParsedQuery(words=[word]))
        found = row_terms.best(indexed, word, len(word) >= 3, parsed.excluded, match, unsaid, count)
        if found is not None:
            return found
    return _best_in_index(indexed, parsed, count)


def _best_in_index(indexed: Indexed, parsed: ParsedQuery, count: int, prefix: bool = True):
    """{row id: rank} of the `count` best matches, ranked in the index alone."""
    fts = indexed.fts
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -{indexed.bm25} FROM {fts} WHERE {fts} MATCH %s"
            f" ORDER BY {indexed.bm25} LIMIT %s",
            [match_expression(parsed, prefix), count],
        )
        return dict(cursor.fetchall())


def _best_visible(
    queryset,
    indexed: Indexed,
    parsed: ParsedQuery,
    limit: int,
    narrowed: bool,
    fields,
    common: set[Indexed],
) -> list[tuple]:
    """`fields` (the first is the primary key) and the rank of the `limit` best visible
    rows of `queryset`, best first.

    Ranked in the index first, a few more than needed (FTS5 keeps the best as it goes),
    then the visible ones among those are kept: joining every match to its lesson and
    video before ranking costs a lookup per match, tens of thousands for a common word.
    When drafts leave too few, or the search is narrowed (few of the best would be in
    it), the joined query ranks every visible match instead."""
    if not narrowed:
        best = _best_ranked(indexed, parsed, limit * OVERFETCH, common)
        found = visible_among(queryset, best, limit, fields)
        if found is not None:
            return found
    return _ranked(queryset, indexed, parsed, limit, fields=fields)


def _quotes(
    parsed: ParsedQuery, queryset, limit: int, narrowed: bool, common: set[Indexed]
) -> list[RankedQuote]:
    """As `_best_visible`, with the quotes themselves and their snippets (made for the
    best few only: for those ranked over the queryset, in the query that ranks them)."""
    if not narrowed:
        best = _best_ranked(QUOTES, parsed, limit * OVERFETCH, common)
        quotes = visible_among(queryset, best, limit)
        if quotes is not None:
            ids = [quote.pk for quote in quotes]
            snippets = _snippets(QUOTES, "text", parsed, ids, words=30) if ids else {}
            return [RankedQuote(quote, snippets.get(quote.pk, "")) for quote in quotes]
    ranked, params = _ranked_statement(queryset, QUOTES, parsed, limit)
    fts = QUOTES.fts
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -{QUOTES.bm25}, {snippet(QUOTES, 'text', 30)} FROM {fts}"
            f" WHERE {fts} MATCH %s AND rowid IN (SELECT v0 FROM ({ranked}))",
            [match_expression(parsed), *params],
        )
        best = sorted(cursor.fetchall(), key=lambda row: (-row[1], row[0]))
    found = queryset.in_bulk([pk for pk, _, _ in best])
    return [RankedQuote(found[pk], text) for pk, _, text in best if pk in found]


def _with_line_ranges(queryset, ranked: list[int]) -> list:
    """The visible chapters among `ranked`, in order, each with the row-id range of its
    lines (lo, hi)."""
    found = queryset.with_video().in_bulk(ranked)
    if not found:
        return []
    marks = ", ".join(["%s"] * len(found))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT chapter_id, min(id), max(id) FROM {LINES.table}"
            f" WHERE chapter_id IN ({marks}) GROUP BY chapter_id",
            list(found),
        )
        for chapter_id, lo, hi in cursor:
            found[chapter_id].lo, found[chapter_id].hi = lo, hi
    return [found[pk] for pk in ranked if pk in found and hasattr(found[pk], "lo")]


def _rows_saying(cursor, indexed: Indexed, match: str, most: int) -> int:
    """How many rows match, counted in FTS5's order (no sort, no rank) up to `most` + 1."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT rowid FROM {indexed.fts}"
        f" WHERE {indexed.fts} MATCH %s LIMIT %s)",
        [match, most + 1],
    )
    return cursor.fetchone()[0]


# Matching lines looked at in one chapter; past that, the earliest are enough.
LINES_PER_CHAPTER_SCANNED = 300
# Lines matching the query. CROSS JOIN keeps FTS5 the outer loop: else, inside a
# chapter, SQLite walks every line of it and asks FTS5 about each one.
MATCHING_LINES = (
    f" FROM {LINES.fts} CROSS JOIN {LINES.table} line ON line.id = {LINES.fts}.rowid"
    f" WHERE {LINES.fts} MATCH %s"
)
# ... within one chapter: its range of row ids, which FTS5 seeks straight to.
IN_CHAPTER = MATCHING_LINES + f" AND {LINES.fts}.rowid BETWEEN %s AND %s AND line.chapter_id = %s"
# What `lines` returns for each: a `FoundLine` (chapter id, start, snippet).
LINE = "line.chapter_id, line.start_seconds, " + snippet(LINES, "text")


def _words_said(parsed, chapters) -> dict[int, dict[int, set[int]]]:
    """{chapter id: {line id: which of the words it says}}, each word looked up alone in
    each chapter's range (row ids only, no snippets)."""
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
    return said


def _marked_lines(parsed, ids: list[int]) -> list[FoundLine]:
    """The given lines, each of which says the query, with their snippets."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {LINE}{MATCHING_LINES} AND {LINES.fts}.rowid IN ({marks})",
            [match_expression(parsed, prefix=False), *ids],
        )
        return list(map(FoundLine._make, cursor.fetchall()))


def _lines_saying_most(parsed, chapters, per_chapter):
    """Lines saying the most of the words: common words are in many lines, and only the
    chosen few need a snippet."""
    said = _words_said(parsed, chapters)
    return _marked_lines(
        parsed,
        [
            line_id
            for lines_said in said.values()
            for line_id in sorted(lines_said, key=lambda i: (-len(lines_said[i]), i))[:per_chapter]
        ],
    )


def _lines_saying_all(parsed, chapters):
    """The lines saying every word, found word by word: FTS5 looks for lines saying them
    all until it finds one, past the chapter's range if none in it does (tens of
    milliseconds for three common words at ten million lines), where one word's lookup
    stops at the range's end."""
    said = _words_said(parsed, chapters)
    every = set(range(len(parsed.words)))
    return _marked_lines(
        parsed,
        [
            line_id
            for lines_said in said.values()
            for line_id in sorted(i for i in lines_said if lines_said[i] == every)[
                :LINES_PER_CHAPTER_SCANNED
            ]
        ],
    )


# What `best_rows` reads of each lesson and takeaway found: the primary key first.
LESSON_FIELDS = ("pk",)
TAKEAWAY_FIELDS = ("pk", "lesson_id")


class SQLiteSearch:
    """The search backend on SQLite's FTS5 (`kb.search.interface.Backend`)."""

    def best_rows(self, query: ParsedQuery, scope: Scope, limits: Limits) -> BestRows:
        """In-process queries cost little: one by one."""
        narrowed = scope.narrowed
        common = _common(query, narrowed)
        lessons = _best_visible(
            scope.lessons, LESSONS, query, limits.lessons, narrowed, LESSON_FIELDS, common
        )
        takeaways = _best_visible(
            scope.takeaways, TAKEAWAYS, query, limits.takeaways, narrowed, TAKEAWAY_FIELDS, common
        )
        return BestRows(
            [RankedLesson(pk, rank) for pk, rank in lessons],
            [RankedTakeaway(lesson, rank, pk) for pk, lesson, rank in takeaways],
            _quotes(query, scope.quotes, limits.quotes, narrowed, common),
        )

    def page_lessons(
        self,
        query: ParsedQuery,
        lessons: QuerySet[Lesson],
        own: list[int],
        takeaway_of: dict[int, int],
    ) -> dict[int, Lesson]:
        """Snippets from the lesson's best column (title or body), or from the takeaway
        that found it, in one query after the lessons': in a subquery of theirs, FTS5
        would look a prefix's words up again for every lesson."""
        found = lessons.in_bulk()
        lesson_of = {takeaway: lesson for lesson, takeaway in takeaway_of.items()}
        parts, params = [], []
        for kind, indexed, column, ids in (
            (0, LESSONS, -1, own),
            (1, TAKEAWAYS, "text", list(lesson_of)),
        ):
            if ids:
                marks, fts = ", ".join(["%s"] * len(ids)), indexed.fts
                parts.append(
                    f"SELECT {kind}, rowid, {snippet(indexed, column)} FROM {fts}"
                    f" WHERE {fts} MATCH %s AND rowid IN ({marks})"
                )
                params += [match_expression(query), *ids]
        if parts:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                for kind, pk, text in cursor:
                    lesson = found.get(lesson_of.get(pk) if kind else pk)
                    if lesson is not None:
                        lesson.search_snippet = text
        return found

    def best_chapters(
        self,
        query: ParsedQuery,
        chapters: QuerySet[Chapter],
        limit: int,
        narrowed: bool,
        ranked: dict[int, float] | None,
    ) -> list[Chapter]:
        """The chapters that best match, each with the range of its lines' row ids (lo, hi).

        Ranked by bm25 over every matching chapter (`ORDER BY bm25(…) LIMIT n` keeps only
        the best n as it goes; FTS5's own `ORDER BY rank` sorts every match first, which
        costs more). A search narrowed to a video or theme has few chapters: those drive
        the query instead.
        """
        if narrowed:
            best = [pk for pk, _ in _ranked(chapters, CHAPTERS, query, limit, prefix=False)]
        else:
            with connection.cursor() as cursor:
                said_in = _rows_saying(
                    cursor, CHAPTERS, match_expression(query, prefix=False), COMMON_CHAPTERS
                )
                common = said_in > COMMON_CHAPTERS
            if common:
                found = self._by_terms(query, chapters, limit)
                if found:
                    return found
            best = list(_best_in_index(CHAPTERS, query, limit * OVERFETCH, prefix=False))
        return _with_line_ranges(chapters, best)[:limit]

    @staticmethod
    def _by_terms(parsed, queryset, limit):
        """A query said in more than COMMON_CHAPTERS chapters, its chapters read from the
        chapter terms (kb.search.sqlite.chapters): for plain words, the chapters whose
        most-said words hold them all; else, or when those leave too few, the chapters
        that say its words most, any of them, in that order, less those whose whole
        text does not say the query (a phrase, an exclusion). None when those leave
        fewer than `limit` visible: bm25 over every chapter then ranks them."""
        if parsed.words and not (parsed.phrases or parsed.excluded or parsed.any_word):
            ranked = best_for_words(parsed.words, limit * OVERFETCH)
            found = _with_line_ranges(queryset, ranked or [])[:limit]
            if len(found) >= limit:
                return found
        pool = candidates(parsed.loosened().words)
        if not pool:
            return None
        fts, marks = CHAPTERS.fts, ", ".join(["%s"] * len(pool))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({marks})",
                [match_expression(parsed, prefix=False), *pool],
            )
            saying = {pk for (pk,) in cursor.fetchall()}
        ranked = [pk for pk in pool if pk in saying][: limit * OVERFETCH]
        found = _with_line_ranges(queryset, ranked)[:limit]
        return found if len(found) >= limit else None

    def snippets(
        self, query: ParsedQuery, of: Literal["chapters", "lines"], ids: list[int]
    ) -> dict[int, str]:
        indexed = CHAPTERS if of == "chapters" else LINES
        return _snippets(indexed, "text", query, ids, prefix=False) if ids else {}

    def lines(
        self, query: ParsedQuery, chapters: list[Chapter], per_chapter: int
    ) -> list[FoundLine]:
        """The best lines inside the given (visible) chapters: (chapter id, start, snippet).

        A chapter's lines are stored together, a range of row ids FTS5 seeks straight to, so
        a word said in half a million lines costs a look at a few of them per chapter. Inside
        a chapter the lines that say the most of the query come first, then the earliest.
        Not bm25: it would count every match of each word in the whole table again for each
        chapter, only to order a chapter's few lines.
        """
        if not chapters:
            return []
        if query.any_word:
            return _lines_saying_most(query, chapters, per_chapter)
        if len(query.words) > 1 and not query.phrases:
            lines = _lines_saying_all(query, chapters)
        else:
            in_range = f"SELECT * FROM (SELECT {LINE}{IN_CHAPTER} LIMIT %s)"
            match = match_expression(query, prefix=False)
            with connection.cursor() as cursor:
                cursor.execute(
                    " UNION ALL ".join([in_range] * len(chapters)),
                    [
                        v
                        for c in chapters
                        for v in (match, c.lo, c.hi, c.pk, LINES_PER_CHAPTER_SCANNED)
                    ],
                )
                lines = list(map(FoundLine._make, cursor.fetchall()))
        found: dict[int, list[FoundLine]] = {}
        for line in lines:
            found.setdefault(line.chapter, []).append(line)
        return [
            line
            for candidates in found.values()
            for line in sorted(
                candidates, key=lambda line: (-line.snippet.count(START), line.start)
            )[:per_chapter]
        ]

    def strongest_lines(
        self, query: ParsedQuery, most: int, planned: float | None
    ) -> list[SaidLine] | None:
        """Counted first, in FTS5's order (no sort) up to one too many: a common word costs
        a walk through `most` row ids, and a query no line says costs no more. A rare
        one's lines are then read with how much each says (FTS5's marks of the matched
        words); between lines saying as much, the shorter says it more strongly (bm25
        would read every line saying each word again, to weigh the words). (SQLite
        plans nothing ahead: `planned` is always None.)"""
        match = match_expression(query, prefix=False)
        with connection.cursor() as cursor:
            said_in = _rows_saying(cursor, LINES, match, most)
            if said_in > most:
                return None
            if not said_in:
                return []
            cursor.execute(
                f"SELECT line.id, line.chapter_id, line.start_seconds,"
                f" highlight({LINES.fts}, 0, char(2), ''), -length(line.text){MATCHING_LINES}",
                [match],
            )
            lines = cursor.fetchall()
        return [
            SaidLine(pk, chapter, start, marked.count(START), shortness)
            for pk, chapter, start, marked, shortness in lines
        ]

    def reindex(self) -> None:
        """Every full-text index rebuilt as one segment, and every terms table marked to
        be written again (`tidy` writes them)."""
        mark_every_chapter()
        row_terms.mark_every_row()
        with connection.cursor() as cursor:
            for indexed in INDEXED:
                fts = indexed.fts
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")  # one segment
        self.tidy()

    def write_terms(self) -> None:
        """The chapters', lessons', takeaways' and quotes' terms the triggers marked, which
        stemming keeps out of a trigger's reach (a search ranks marked rows by their words
        until then)."""
        write_terms()
        row_terms.write_terms()

    def tidy(self) -> None:
        """Merge the small b-tree segments writes have left in each full-text index.

        FTS5 adds a segment per write transaction; a word's lookup inside a chapter's row
        range then seeks once per segment (an import leaves a dozen: searches a quarter
        slower at ten million lines). FTS5's incremental merge joins segments of one level
        once there are a few (its `usermerge`, 4), a bounded amount of work at a time:
        what an import's own rows left, never a rewrite of the whole index, which took
        seconds an import at ten million lines and grew with the base (`reindex` still
        writes each index as one segment). It runs after imports, not on every edit.

        First it writes the terms of the chapters, lessons, takeaways and quotes changed
        since (`chapters.write_terms`, `rows.write_terms`).
        Then it refreshes the query planner's statistics (ANALYZE; see WHOLE_TABLE).
        Without them SQLite guesses that "status = published" keeps a few rows, and
        sorts every published lesson or quote by its video's date to show the first
        twenty, instead of walking the videos' date index.
        """
        self.write_terms()
        with connection.cursor() as cursor:
            for indexed in INDEXED:
                _merge_small_segments(cursor, indexed.fts)
            cursor.execute(
                "SELECT name, sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'"
            )
            for table, keyed in cursor.fetchall():
                # A table without rowids (the chapter terms) is sampled, whatever its size.
                rows = WHOLE_TABLE + 1
                if not keyed:
                    cursor.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')
                    rows = cursor.fetchone()[0]
                limit = 0 if rows <= WHOLE_TABLE else ANALYSIS_LIMIT
                cursor.execute(f"PRAGMA analysis_limit = {limit}")
                cursor.execute(f'ANALYZE "{table}"')


# FTS5's incremental merge: pages written a step, and steps at most (a bound on the work).
MERGE_PAGES = 2000
MERGE_STEPS = 200


def _merge_small_segments(cursor, fts: str) -> None:
    """Merge `fts`'s segments level by level until no level has enough to merge: FTS5
    says a step did nothing by changing fewer than two rows."""
    for _ in range(MERGE_STEPS):
        before = connection.connection.total_changes
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('merge', {MERGE_PAGES})")
        if connection.connection.total_changes - before < 2:
            return
