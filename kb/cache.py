"""Whole-page caching for anonymous readers, correct across processes.

A page is cached under the current content version (one cheap query per request) and the
day (the home page shows the lesson of the day); any write to the knowledge base bumps
the version in the database (triggers), so the next request, on whichever worker, misses
the old entries and renders afresh. Signed-in
users (editors previewing drafts) are never served from or stored in the cache.

A page is kept under its path and only the query parameters its view reads (`reads_query`):
anything else in the query string (`?utm_source=`, a cache-buster) is hidden from the view
and from the key, so junk cannot make copies of a page; a view that does not say what it
reads is not cached when a query is given. A page larger than PAGE_CACHE_MAX_BYTES is
served but not kept.

The cache is a speed-up only: when it fails (Redis down, unreachable, full), pages are
served uncached, the failure is logged at most once a minute, and the cache is tried
again a few seconds later, so the site recovers by itself when it returns.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from kb.stamp import content_version, one_stamp

# The API answers conditional requests and sets its own Cache-Control (kb.api.http).
SKIPPED_PREFIXES = ("/healthz", "/static/", "/api/")
# A longer query string (the parameters a page reads, encoded) is served uncached: search
# words are cut far shorter (kb.search.query), so only a made-up query comes here.
MAX_KEPT_QUERY_CHARS = 1000
log = logging.getLogger(__name__)


def reads_query(*names: str):
    """Declares the query parameters a view reads. For anonymous readers the page cache
    keys the page on these alone and the view sees no others: add a name here before the
    view (or its template) reads it, or the cached page would ignore it."""

    def declare(view):
        view.query_parameters = names
        return view

    return declare


class CacheGuard:
    """Calls to the cache that can fail without failing the request."""

    retry_seconds = 2.0  # after a failure, requests skip the cache this long
    log_every_seconds = 60.0

    def __init__(self):
        self.down_until = 0.0
        self.logged_at = float("-inf")
        self.last_error = ""

    @property
    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    def call(self, method: str, *args):
        """`cache.<method>(*args)`, or None when the cache is failing."""
        if not self.available:
            return None
        try:
            result = getattr(cache, method)(*args)
        except Exception as exc:  # noqa: BLE001 - any cache failure: serve without it
            self.failed(exc)
            return None
        self.down_until = 0.0
        return result

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self.down_until = now + self.retry_seconds
        self.last_error = f"{type(exc).__name__}: {exc}"
        if now - self.logged_at >= self.log_every_seconds:
            self.logged_at = now
            log.warning("page cache unavailable, serving uncached: %s", self.last_error)

    def probe(self) -> str:
        """The cache's state in a word or two, for /healthz: it asks the cache itself."""
        try:
            cache.set("kb:healthz", 1, 10)
            if cache.get("kb:healthz") != 1:
                return "not storing"
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            self.failed(exc)
            return f"unavailable ({type(exc).__name__})"
        self.down_until = 0.0
        return "ok"


guard = CacheGuard()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped = (*SKIPPED_PREFIXES, f"/{settings.ADMIN_URL}")

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.serve(request)
        with one_stamp():
            return self.serve(request)

    def serve(self, request):
        if not self.cacheable_request(request) or not self.keep_read_query(request):
            response = self.get_response(request)
            if not request.path.startswith(self.skipped) and request.user.is_authenticated:
                # Signed-in staff may see drafts on any page (a published video's draft
                # lessons): no shared cache may keep what they were shown.
                patch_cache_control(response, private=True)
                patch_vary_headers(response, ["Cookie"])
            return response
        day = timezone.localdate().isoformat()
        where = f"{request.get_host()}|{request.get_full_path()}|{request.method}"
        raw = f"{content_version()}|{day}|{where}"
        key = "kb:page:" + hashlib.sha256(raw.encode()).hexdigest()
        response = guard.call("get", key)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.cacheable_response(response):
            if guard.available:
                guard.call("set", key, response, settings.PAGE_CACHE_SECONDS)
            response["X-Cache"] = "miss" if guard.available else "unavailable"
        return response

    def cacheable_request(self, request) -> bool:
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(self.skipped)
            and not request.user.is_authenticated
        )

    @staticmethod
    def keep_read_query(request) -> bool:
        """Leaves in the request only the query parameters its view reads, in the order it
        names them; False (serve uncached, query untouched) when the view does not say
        what it reads or what it reads is too long to be a real reader's."""
        if not request.GET:
            return True
        try:
            names = getattr(resolve(request.path_info).func, "query_parameters", None)
        except Resolver404:
            return False
        if names is None:
            return False
        kept = QueryDict(mutable=True)
        for name in names:
            if name in request.GET:
                kept.setlist(name, request.GET.getlist(name))
        query = kept.urlencode()
        if len(query) > MAX_KEPT_QUERY_CHARS:
            return False
        kept._mutable = False
        request.GET = kept
        request.META["QUERY_STRING"] = query
        return True

    @staticmethod
    def cacheable_response(response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
            and not response.cookies
            and "private" not in control
            and "no-store" not in control
        )
