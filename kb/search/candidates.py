"""What both backends do with the best few rows an index ranked before anything else
was read (FTS5's on SQLite, the terms tables on PostgreSQL): keep the visible ones."""

import json

from django.db import connection
from django.db.models.expressions import RawSQL

# Over-fetch so that a few drafts among the best cannot leave the page short.
OVERFETCH = 2
# Answers remembered per content version, per table, at most (then forgotten at once).
REMEMBERED = 50_000


def listed(ids) -> RawSQL:
    """`ids` as one parameter, for `pk__in=`: hundreds of ids bound one by one cost the
    ORM more than the query (and SQLite's planner then walks the status index, not the
    keys)."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def remembered_rows(queryset, fields: tuple[str, ...], ids) -> dict:
    """{id: `fields` of that row of `queryset`, or None when it is not one}: asked of
    the database for the ids not asked before under this content version (one query by
    primary key), remembered until the version moves. Nothing is read but what searches
    ask: a set of every visible row, kept per version instead, cost each worker a read
    of every lesson and takeaway after every edit (tens of milliseconds at a million
    lines, ten times that at ten)."""
    from kb.kept import kept
    from kb.stamp import content_version

    name = f"visible {queryset.model._meta.label} {' '.join(fields)}"
    known = kept(name, content_version(), dict)
    answers = {pk: known[pk] for pk in ids if pk in known}
    missing = [pk for pk in ids if pk not in answers]
    if missing:
        found = queryset.filter(pk__in=listed(missing)).order_by().values_list(*fields)
        new = dict.fromkeys(missing)
        new.update((row[0], row) for row in found)
        if len(known) + len(new) > REMEMBERED:
            known.clear()
        known.update(new)
        answers.update(new)
    return answers


def visible_among(
    queryset, best: dict[int, float], limit: int, fields=None, loaded=None, looked_at=None
):
    """The `limit` best visible rows among `best` ({id: rank}), best first, each ranked
    as in `best`: model instances with a `search_rank`, or with `fields` (integer
    columns, the primary key first) tuples of them with the rank last. None when drafts
    leave too few while more rows than `best` say the query: the caller then ranks every
    visible match instead.

    `queryset` is the readers' whole queryset (not narrowed to a video, theme or
    person). With `fields`, the visible ones are asked of the database by primary key,
    and the answers remembered until the content version moves (`remembered_rows`);
    otherwise they are loaded, from `loaded` if given (the caller's own narrowing of
    `queryset` to `best`, with PostgreSQL's snippets).
    `looked_at`: how many rows the index gave, when some were
    left out of `best` already (PostgreSQL's exclusions); by default, all of `best`."""
    if fields:
        known = remembered_rows(queryset, fields, best)
        rows = [(*known[pk], rank) for pk, rank in best.items() if known[pk] is not None]
    else:
        rows = list(loaded if loaded is not None else queryset.filter(pk__in=list(best)))
        for row in rows:
            row.search_rank = best[row.pk]
    if len(rows) < limit and (looked_at or len(best)) >= limit * OVERFETCH:
        return None
    if fields:
        return sorted(rows, key=lambda row: (-row[-1], row[0]))[:limit]
    return sorted(rows, key=lambda row: (-row.search_rank, row.pk))[:limit]
