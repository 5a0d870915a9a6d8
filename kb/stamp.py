"""The content version a request reads: every write to the knowledge base moves it
(database triggers), and what is cached or kept (pages, counts, search's lookups) is
keyed by it. Read once per reading request and agreed on by every part of the page.

Beneath everything that keys on it (the page cache, kb.kept, search): it reads only
the models.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db.models import Subquery

from kb.models import ContentVersion, MeaningVector

# Inside a reading request (GET or HEAD), the content stamp read first: every part of
# the page (the cache key, theme counts, the lesson of the day, a card) then agrees on
# one version and asks for it once.
_request_stamp: ContextVar[dict | None] = ContextVar("request_stamp", default=None)


@contextmanager
def one_stamp():
    """Inside, the content stamp is read at most once and every reader agrees on it: a
    reading request (kb.cache's middleware), an assistant's tool call (kb.api.mcp)."""
    token = _request_stamp.set({})
    try:
        yield
    finally:
        _request_stamp.reset(token)


def content_version() -> int:
    return content_stamp()[0]


def content_stamp() -> tuple[int, datetime | None]:
    """(version, when it last moved): one query, once per reading request."""
    memo = _request_stamp.get()
    if memo is not None and "stamp" in memo:
        return memo["stamp"]
    # With it, in the same statement, the highest id of a stored meaning vector: a search
    # then knows without a query of its own whether there are vectors newer than the
    # files it maps (kb.search.vectors). An index's last entry: nothing to speak of.
    newest = MeaningVector.objects.order_by("-pk").values("pk")[:1]
    found = (
        ContentVersion.objects.filter(pk=1)
        .annotate(newest_vector=Subquery(newest))
        .values_list("version", "changed_at", "newest_vector")
        .first()
    )
    if found is None:
        # The row comes from a migration; a database emptied by hand gets it back.
        made = ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})[0]
        found = (made.version, made.changed_at, None)
    row = found[:2]
    if memo is not None:
        memo["stamp"], memo["newest vector"] = row, found[2] or 0
    return row


def newest_vector() -> int | None:
    """The highest id of a stored meaning vector as of the content stamp this request
    read (None outside a request, or before the stamp is read)."""
    memo = _request_stamp.get()
    return memo.get("newest vector") if memo is not None else None
