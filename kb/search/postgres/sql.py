"""What every part of the PostgreSQL backend shares: a parsed query as the text of one
`to_tsquery` (always sent as a parameter, never written into the SQL), the ranks and
snippets made of it, statements sent together, and the planner's estimate of a
statement's rows.

SQL here is composed from constants only (table and column names from
`kb.search.schema`, the text search configuration); every value is a parameter.
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

from kb.search.query import ParsedQuery
from kb.search.results import START, STOP
from kb.search.schema import CONFIG, Indexed

HEADLINE = {"start_sel": START, "stop_sel": STOP, "max_words": 30, "min_words": 12}
# The same as ts_headline's options text, for raw SQL: as SearchHeadline writes them.
HEADLINE_OPTIONS = ", ".join(
    f"{option}={value}" for option, value in SearchHeadline("", "", **HEADLINE).options.items()
)
# A parameter as a text search query.
TSQUERY = f"to_tsquery('{CONFIG}', %s)"
# A row's `ts_rank` for a query (the text of a `to_tsquery`).
RANK = f"ts_rank(search_vector, {TSQUERY})"


def tsquery(parsed: ParsedQuery, prefix: bool = True) -> str:
    """As SQLite's `match_expression`: stemming matches other forms of a word; `prefix`
    adds partial words, which costs a merge of every word with that prefix in the GIN
    index, so the big transcript tables go without. The text of one `to_tsquery` of the
    whole query (`<->` between a phrase's words, as `phraseto_tsquery` reads them)."""
    # Tokens are runs of letters and digits only (see query.py): safe in a tsquery's text.
    parts = [f"{word}:*" if prefix and len(word) >= 3 else word for word in parsed.words]
    parts += [f"({' <-> '.join(phrase)})" for phrase in parsed.phrases]
    text = (" | " if parsed.any_word else " & ").join(parts)
    if parsed.excluded:
        text = f"({text}) & {unsaid(parsed)}"
    return text


def unsaid(parsed: ParsedQuery) -> str:
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


def vector(queryset) -> RawSQL:
    """The queryset's table's stored `search_vector` column (Django has no field for it)."""
    table = queryset.model._meta.db_table
    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())


def ranked(
    queryset,
    parsed: ParsedQuery,
    headline_field: str | None,
    limit: int,
    prefix: bool = True,
    summed: bool = False,
):
    """The `limit` rows of `queryset` that say the query, best first by `ts_rank` (each
    with a `search_rank`, and a `search_snippet` of `headline_field`): a queryset."""
    said, query = vector(queryset), to_query(parsed, prefix)
    rank = SearchQuery(rank_tsquery(parsed, prefix, summed), search_type="raw", config=CONFIG)
    found = (
        queryset.alias(search_vector=said)
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(said, rank))
    )
    if headline_field:
        found = found.annotate(
            search_snippet=SearchHeadline(headline_field, query, config=CONFIG, **HEADLINE)
        )
    return found.order_by("-search_rank", "pk")[:limit]


def together(cursor, statements: list[tuple[str, list]]) -> list[list[tuple]]:
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


# The planner's estimate of a statement's rows, where the backend must choose between
# ranking what says a query one by one and going chapters first: how many lines say it
# (asked with the first round trip of every search, `chapters.line_plans`), and, when the
# candidate chapters run short, how many chapters do (`chapters.chapters_directly`).
# Kept because the benchmark shows it pays: served side by side at a million lines, the
# same code counting instead (the first RARE_LINES + 1 lines, the first DIRECT_CHAPTERS + 1
# chapters) was slower at p50 and p95, most for phrases of common words, whose first
# lines are read for nothing (bench/results/2026-12-07-search-interface.md).
def explain(sql: str, params: list) -> tuple[str, list]:
    """A statement asking how many rows the planner expects `sql` to give (`plan_rows`
    reads its answer): a fraction of a millisecond to ask, sent with others."""
    return f"EXPLAIN (FORMAT JSON) {sql}", params


def plan_rows(rows: list[tuple]) -> float:
    plan = rows[0][0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


def snippets_statement(indexed: Indexed, field: str) -> str:
    """(kind, id, marked snippet) of some rows of one table, by id: parameters the
    kind, the query, the headline options and the ids."""
    return (
        f"SELECT %s, {indexed.pk}, ts_headline('{CONFIG}', {field}, {TSQUERY}, %s)"
        f" FROM {indexed.table} WHERE {indexed.pk} = ANY(%s)"
    )


def snippets(
    indexed: Indexed, field: str, parsed: ParsedQuery, ids: list[int], prefix: bool = True
) -> dict[int, str]:
    """{id: marked snippet} of the given rows' `field`: raw SQL, as each search asks for
    several of these and compiling a queryset each time costs more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            snippets_statement(indexed, field), [0, tsquery(parsed, prefix), HEADLINE_OPTIONS, ids]
        )
        return {pk: text for _, pk, text in cursor.fetchall()}
