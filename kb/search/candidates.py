"""What both backends do with the best few rows an index ranked before anything else
was read (FTS5's on SQLite, the terms tables on PostgreSQL): keep the visible ones."""

# Over-fetch so that a few drafts among the best cannot leave the page short.
OVERFETCH = 2


def visible_among(visible, best: dict[int, float], limit: int, fields=None) -> list | None:
    """The `limit` best rows of `visible` (the readers' queryset, narrowed to `best`'s
    ids), best first, each ranked as in `best` ({id: rank}): model instances with a
    `search_rank`, or with `fields` (the primary key first) tuples of them with the rank
    last. None when drafts leave too few while more rows than `best` say the query:
    the caller then ranks every visible match instead."""
    if fields:
        rows = [(*row, best[row[0]]) for row in visible.values_list(*fields)]
    else:
        rows = list(visible)
        for row in rows:
            row.search_rank = best[row.pk]
    if len(rows) < limit and len(best) >= limit * OVERFETCH:
        return None
    if fields:
        return sorted(rows, key=lambda row: (-row[-1], row[0]))[:limit]
    return sorted(rows, key=lambda row: (-row.search_rank, row.pk))[:limit]
