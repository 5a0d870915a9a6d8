"""Whole-page caching for anonymous readers, correct across processes.

A page is cached under the current content version (one cheap query per request); any
write to the knowledge base bumps the version in the database (triggers), so the next
request, on whichever worker, misses the old entries and renders afresh. Signed-in
users (editors previewing drafts) are never served from or stored in the cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from kb.models import ContentVersion

SKIPPED_PREFIXES = ("/healthz", "/static/")


def content_version() -> int:
    version = ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    if version is None:
        # The row comes from a migration; a database emptied by hand gets it back.
        version = ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})[0].version
    return version


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped = (*SKIPPED_PREFIXES, f"/{settings.ADMIN_URL}")

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        raw = f"{content_version()}|{request.get_host()}|{request.get_full_path()}|{request.method}"
        key = "kb:page:" + hashlib.sha256(raw.encode()).hexdigest()
        response = cache.get(key)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.cacheable_response(response):
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response

    def cacheable_request(self, request) -> bool:
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(self.skipped)
            and not request.user.is_authenticated
        )

    @staticmethod
    def cacheable_response(response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in control
            and "no-store" not in control
        )
