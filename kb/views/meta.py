"""Pages for machines: robots.txt, the health check; and the error pages."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kb.cache import guard


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("kb:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not.

    The cache's state is in the body but never fails the node: pages are served
    without it (kb.cache)."""
    cache_state = guard.probe()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "unhealthy"
        body = f"database unavailable\ncache: {cache_state}\n"
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse(f"ok\ndatabase: ok\ncache: {cache_state}\n", content_type="text/plain")


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or database: the error may be the database itself.
    from django.template import loader

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error"}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
