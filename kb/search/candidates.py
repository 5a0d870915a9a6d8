"""What both backends do with the best few rows an index ranked before anything else
was read (FTS5's on SQLite, the terms tables on PostgreSQL): keep the visible ones."""

import numpy as np

# Over-fetch so that a few drafts among the best cannot leave the page short.
OVERFETCH = 2


class KeptRows:
    """Some integer columns (the primary key first) of every row of a readers' queryset,
    sorted by key, in one array: which of a search's best rows are visible is then a
    lookup, not a query joining them to their lessons and videos."""

    def __init__(self, rows, width: int):
        table = np.array(list(rows), dtype=np.int64).reshape(-1, width)
        self.rows = table[np.argsort(table[:, 0], kind="stable")]

    def among(self, ids) -> list[tuple[int, ...]]:
        """The rows whose key is in `ids`."""
        if not len(self.rows) or not ids:
            return []
        wanted = np.fromiter(ids, dtype=np.int64, count=len(ids))
        at = np.searchsorted(self.rows[:, 0], wanted).clip(max=len(self.rows) - 1)
        return [tuple(row) for row in self.rows[at[self.rows[at, 0] == wanted]].tolist()]


def kept_rows(queryset, fields: tuple[str, ...]) -> KeptRows:
    """`fields` of every row of `queryset`, kept per content version (every write that
    could change what readers see moves it, as it does for the page cache)."""
    from kb.kept import kept
    from kb.stamp import content_version

    return kept(
        f"visible {queryset.model._meta.label} {' '.join(fields)}",
        content_version(),
        lambda: KeptRows(queryset.values_list(*fields).iterator(chunk_size=10_000), len(fields)),
    )


def visible_among(
    queryset, best: dict[int, float], limit: int, fields=None, loaded=None, looked_at=None
):
    """The `limit` best visible rows among `best` ({id: rank}), best first, each ranked
    as in `best`: model instances with a `search_rank`, or with `fields` (integer
    columns, the primary key first) tuples of them with the rank last. None when drafts
    leave too few while more rows than `best` say the query: the caller then ranks every
    visible match instead.

    `queryset` is the readers' whole queryset (not narrowed to a video, theme or
    person). With `fields`, the visible ones come from those columns of every visible
    row, kept per content version; otherwise they are loaded, from `loaded` if given
    (the caller's own narrowing of `queryset` to `best`, with PostgreSQL's snippets).
    `looked_at`: how many rows the index gave, when some were
    left out of `best` already (PostgreSQL's exclusions); by default, all of `best`."""
    if fields:
        rows = [(*row, best[row[0]]) for row in kept_rows(queryset, fields).among(best)]
    else:
        rows = list(loaded if loaded is not None else queryset.filter(pk__in=list(best)))
        for row in rows:
            row.search_rank = best[row.pk]
    if len(rows) < limit and (looked_at or len(best)) >= limit * OVERFETCH:
        return None
    if fields:
        return sorted(rows, key=lambda row: (-row[-1], row[0]))[:limit]
    return sorted(rows, key=lambda row: (-row.search_rank, row.pk))[:limit]
