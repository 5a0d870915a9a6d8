"""What both backends do with the best few rows an index ranked before anything else
was read (FTS5's on SQLite, the terms tables on PostgreSQL): keep the visible ones."""

# Over-fetch so that a few drafts among the best cannot leave the page short.
OVERFETCH = 2


def visible_among(
    queryset, best: dict[int, float], limit: int, fields=None, loaded=None, looked_at=None
):
    """The `limit` best visible rows among `best` ({id: rank}), best first, each ranked
    as in `best`: model instances with a `search_rank`, or with `fields` (integer
    columns, the primary key first) tuples of them with the rank last. None when drafts
    leave too few while more rows than `best` say the query: the caller then ranks every
    visible match instead.

    `queryset` is the readers' whole queryset (not narrowed to a video, theme or
    person). With `fields`, the visible ones are asked of the database by primary key
    (one query, whatever the size of the knowledge base: a set of every visible row kept
    per content version cost each worker a read of every lesson and takeaway after every
    edit); otherwise they are loaded, from `loaded` if given (the caller's own narrowing
    of `queryset` to `best`, with PostgreSQL's snippets).
    `looked_at`: how many rows the index gave, when some were
    left out of `best` already (PostgreSQL's exclusions); by default, all of `best`."""
    if fields:
        visible = queryset.filter(pk__in=list(best)).values_list(*fields) if best else []
        rows = [(*row, best[row[0]]) for row in visible]
    else:
        rows = list(loaded if loaded is not None else queryset.filter(pk__in=list(best)))
        for row in rows:
            row.search_rank = best[row.pk]
    if len(rows) < limit and (looked_at or len(best)) >= limit * OVERFETCH:
        return None
    if fields:
        return sorted(rows, key=lambda row: (-row[-1], row[0]))[:limit]
    return sorted(rows, key=lambda row: (-row.search_rank, row.pk))[:limit]
