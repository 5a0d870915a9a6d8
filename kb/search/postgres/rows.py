"""The best lessons, takeaways and quotes on PostgreSQL, from their terms tables
(`kb.search.schema.TERMS`: how strongly each row says each stemmed word, in an index that
gives a word's best rows first), so that a common word's thousands of matching rows are
not each read to be ranked by `ts_rank`.

Visibility always comes from the `published()` querysets passed in.
"""

from django.contrib.postgres.search import SearchHeadline

from kb.search.candidates import OVERFETCH, visible_among
from kb.search.postgres.sql import HEADLINE, TSQUERY, ranked, to_query, unsaid
from kb.search.query import ParsedQuery
from kb.search.schema import CONFIG, Terms

# The query's words stemmed as the vectors are (stop words drop out, a word given twice
# counts once), each a range of lexemes (a prefix runs up to the last word it starts),
# and the rows saying them all (or one) ranked by the mean of their words' scores, as
# `ts_rank` scores a query of any of those words: an index-only scan per word (`OFFSET
# 0` keeps the planner from joining the words to a read of the whole table instead,
# which it may prefer when its statistics are stale), then a hash of rows (which words
# each says is a bit mask: `count(DISTINCT)` would sort).
WORDS = f"""
    WITH word AS (
        SELECT min(q.n) AS n, stem,
            CASE WHEN q.prefix THEN stem || chr(1114111) ELSE stem END AS upto
        FROM unnest(%s::text[], %s::boolean[]) WITH ORDINALITY AS q(word, prefix, n),
        LATERAL unnest(tsvector_to_array(to_tsvector('{CONFIG}', q.word))) AS stem
        GROUP BY stem, upto
    )
"""


def best_in_terms(terms: Terms, excluding: bool) -> str:
    """One terms table's best rows: (which table, row id, rank, whether it says none of
    the excluded words). Parameters: which table, the excluded words' tsquery (when
    `excluding`), whether any word is enough, how many rows."""
    key, source = terms.key, terms.source
    # The best rows' own vectors tested against the excluded words, only theirs.
    says_none = (
        f"(SELECT search_vector @@ {TSQUERY} FROM {source.table} WHERE {source.pk} = best.id)"
        if excluding
        else "true"
    )
    return f"""
    (SELECT %s, best.id, best.rank, {says_none} FROM (
        SELECT said.{key} AS id, sum(said.score) / (SELECT count(*) FROM word) AS rank
        FROM word,
        LATERAL (SELECT {key}, score FROM {terms.table}
                 WHERE lexeme BETWEEN word.stem AND word.upto OFFSET 0) AS said
        GROUP BY said.{key}
        HAVING CASE WHEN %s THEN true
            ELSE bit_or(1 << word.n::int) = (SELECT bit_or(1 << n::int) FROM word) END
        ORDER BY 2 DESC, 1 LIMIT %s) AS best)
    """


# Per terms table, ({row id: rank}, how many rows were looked at).
TermsBest = dict[Terms, tuple[dict[int, float], int]]


def terms_statement(parsed: ParsedQuery, counts: dict[Terms, int]) -> tuple[str, list]:
    """The query whose rows give each terms table's `count` rows that say the query's
    words most strongly, read from the terms alone, and whether each says none of the
    excluded words (only their vectors are read). Every table in one query, since each
    search asks this of three and a round trip to the database costs about as much as
    ranking a rare word. (SQL, parameters); `terms_read` reads its rows."""
    parts = []
    params = [parsed.words, [len(word) >= 3 for word in parsed.words]]
    for kind, terms in enumerate(counts):
        params.append(kind)
        if parsed.excluded:
            params.append(unsaid(parsed))
        parts.append(best_in_terms(terms, bool(parsed.excluded)))
        params += [parsed.any_word, counts[terms]]
    return WORDS + " UNION ALL ".join(parts), params


def terms_read(tables: list[Terms], rows: list[tuple]) -> TermsBest:
    """`terms_statement`'s answer from its rows: those saying an excluded word are
    looked at, not kept."""
    ranks, looked_at = {terms: {} for terms in tables}, dict.fromkeys(tables, 0)
    for kind, pk, rank, says_none in rows:
        looked_at[tables[kind]] += 1
        if says_none:
            ranks[tables[kind]][pk] = rank
    return {terms: (ranks[terms], looked_at[terms]) for terms in tables}


def by_terms(parsed: ParsedQuery, narrowed: bool) -> bool:
    """Whether rows are ranked in their terms tables first (see `best_visible`)."""
    return not (narrowed or parsed.phrases)


def ranked_statement(queryset, parsed: ParsedQuery, limit: int, fields) -> tuple[str, list]:
    """Every visible match ranked by `ts_rank`, on the terms' scale (`summed`), as a
    statement (SQL, parameters) to send with others: `fields` and the rank of each of
    the `limit` best."""
    every = ranked(queryset, parsed, None, limit, summed=True)
    return every.values_list(*fields, "search_rank").query.sql_with_params()


def best_visible(
    queryset,
    parsed: ParsedQuery,
    limit: int,
    narrowed: bool,
    fields: tuple[str, ...],
    best: tuple[dict[int, float], int] | None,
    ranked_rows: list[tuple] | None,
) -> list[tuple]:
    """`fields` (the primary key first) and the rank of the `limit` best visible rows of
    `queryset`, best first. `best`: the terms' best rows (`terms_read`), for a search
    ranked by its terms; `ranked_rows`: the rows of `ranked_statement`, for one that is
    not.

    Ranked in the terms table first, a few more than needed (those saying an excluded
    word left out), then the visible ones among those are kept. When those leave too
    few while more rows say the words, or the search is narrowed (few of the best would
    be in it), or it has exact phrases (the terms know words, not where they are said),
    every visible match is ranked instead, on the same scale."""
    if best is not None:
        ranks, looked_at = best
        rows = visible_among(queryset, ranks, limit, fields, looked_at=looked_at)
        if rows is not None:
            return rows
    elif ranked_rows is not None:
        return ranked_rows
    every = ranked(queryset, parsed, None, limit, summed=True)
    return list(every.values_list(*fields, "search_rank"))


def best_quotes(
    queryset,
    parsed: ParsedQuery,
    limit: int,
    narrowed: bool,
    best: tuple[dict[int, float], int] | None,
) -> list:
    """As `best_visible`, the quotes themselves, each with a `search_snippet` made in
    the query that loads it."""
    if best is not None:
        ranks, looked_at = best
        loaded = queryset.filter(pk__in=list(ranks)).annotate(
            search_snippet=SearchHeadline("text", to_query(parsed), config=CONFIG, **HEADLINE)
        )
        quotes = visible_among(queryset, ranks, limit, None, loaded, looked_at)
        if quotes is not None:
            return quotes
    return list(ranked(queryset, parsed, "text", limit, summed=True))


def terms_counts(tables: tuple[Terms, ...], limits) -> dict[Terms, int]:
    """How many rows to read of each terms table: a few more than shown, for drafts."""
    return dict(zip(tables, (limit * OVERFETCH for limit in limits), strict=True))
