"""HTTP for the API: keyset pagination, conditional requests, public caching, the rate
limit.

Lists are walked with a cursor in id order (oldest first), not page numbers: a page
number shifts when an editor publishes or unpublishes during a walk, repeating or
skipping items; "everything after id N" does not, costs an index seek at any depth,
and a client that keeps its last `next` link later gets only what is new.
"""

import base64
import binascii
import hashlib
import math
import threading
import time
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import create_model

from kb.cache import guard
from kb.proxies import client_address
from kb.stamp import content_stamp

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
RATE_WINDOW_SECONDS = 60
PUBLIC_MAX_AGE = 60


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a `next` link continues after; anything this API did not hand out is a 400."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        label, _, number = text.partition(":")
        if label != "after" or not number.isdigit() or len(number) > 18:
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, "cursor is not one this API gave out: use the `next` link") from None


class Paging(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items a page, 1 to {MAX_LIMIT}."
    )
    cursor: str | None = Field(None, description="From the previous page's `next` link.")


def page_schema(item: type[Schema]) -> type[Schema]:
    """`{"items": [item, ...], "next": url or null}`, named for the OpenAPI document."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        items=(list[item], ...),
        next=(str | None, Field(description="The next page's URL; null on the last page.")),
    )


def page_of(request: HttpRequest, queryset, paging: Paging, build) -> dict:
    """`paging.limit` rows after the cursor, in id order, each turned into its schema by
    `build`, with a `next` link while there are more: one query a page (plus the
    queryset's prefetches), reading one row more to know."""
    found = queryset.order_by("pk")
    if paging.cursor:
        found = found.filter(pk__gt=decode_cursor(paging.cursor))
    rows = list(found[: paging.limit + 1])
    more = len(rows) > paging.limit
    rows = rows[: paging.limit]
    return {
        "items": [build(row) for row in rows],
        "next": next_url(request, cursor=encode_cursor(rows[-1].pk)) if more else None,
    }


def next_url(request: HttpRequest, **changed) -> str:
    """This request's absolute URL with the `changed` parameters set, the rest kept."""
    query = request.GET.copy()
    for name, value in changed.items():
        query[name] = str(value)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _version(request: HttpRequest) -> tuple[int, Any]:
    """(version, changed_at) of the content, read once a request."""
    if not hasattr(request, "_kb_version"):
        request._kb_version = content_stamp()
    return request._kb_version


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    # The content version stands for every answer: any change to what readers may see
    # moves it (database triggers), whichever process made it.
    return f'"v{_version(request)[0]}"'


def _last_modified(request: HttpRequest, *args, **kwargs):
    return _version(request)[1]


def client_ident(request: HttpRequest) -> str:
    """The client's address: the same rule as the sign-in lockout's (kb.proxies)."""
    return client_address(request) or "unknown"


class LocalCounter:
    """Requests per client in this window, counted in this process: what the rate limit
    falls back on while the shared cache refuses to count (down, or full), so a cache an
    attacker has filled does not lift the limit. Each worker counts on its own, so a client
    may get up to the limit from each worker."""

    # More clients than this in one window share one count, so memory stays bounded.
    max_clients = 10_000

    def __init__(self):
        self.lock = threading.Lock()
        self.window = None
        self.counts: dict[str, int] = {}

    def incr(self, window: int, ident: str) -> int:
        with self.lock:
            if window != self.window:
                self.window, self.counts = window, {}
            if ident not in self.counts and len(self.counts) >= self.max_clients:
                ident = "too many clients"
            self.counts[ident] = self.counts.get(ident, 0) + 1
            return self.counts[ident]


local_counter = LocalCounter()


def retry_after(request: HttpRequest) -> int | None:
    """Seconds until this client may ask again, or None while it is within the limit.

    A fixed window counted with the cache's atomic increment: with Redis, every worker
    of every server counts into the same number. When the cache cannot count, each
    process counts on its own (LocalCounter)."""
    limit = settings.API_REQUESTS_PER_MINUTE
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    ident = hashlib.sha256(client_ident(request).encode()).hexdigest()[:32]
    key = f"kb:api:rate:{window}:{ident}"
    guard.call("add", key, 0, RATE_WINDOW_SECONDS * 2)
    count = guard.call("incr", key)
    if count is None:
        count = local_counter.incr(window, ident)
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))


def http_rules(run):
    """Around every API operation: the rate limit first (304s count too), then
    If-None-Match / If-Modified-Since against the content version, then `run`; answers
    get ETag, Last-Modified and Cache-Control for public caches."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(run)

    @wraps(run)
    def wrapped(request: HttpRequest, *args, **kwargs):
        wait = retry_after(request)
        if wait is not None:
            response = JsonResponse(
                {"detail": f"Too many requests: at most {settings.API_REQUESTS_PER_MINUTE} "
                 f"a minute. Try again in {wait} s."},
                status=429,
            )  # fmt: skip
            response["Retry-After"] = str(wait)
            return response
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, no_cache=True)
            for header in ("ETag", "Last-Modified"):
                if header in response:
                    del response[header]
        return response

    return wrapped
