"""Request bodies too large to be a reader's or an editor's are refused before being read.

Django spools a multipart upload to disk whole before any view or check sees it (the
CSRF check reads the form), so a 1 GB POST to the sign-in page would hold a worker until
it arrived. The declared Content-Length is checked first and answered 413 at once; the
editors' import (kb.admin.importing) allows its own, larger limit to signed-in staff.

A body sent without Content-Length (chunked) is never read by Django under WSGI (it reads
Content-Length bytes, so none): the proxy in front should cap bodies too (docs/hardening.md).
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve

# The import form's files may total IMPORT_MAX_MB; this leaves room for its other fields and
# the multipart framing, so a slightly larger upload gets the form's own message.
IMPORT_FRAMING_BYTES = 1024 * 1024
IMPORT_URL_NAMES = {"kb_video_import"}


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body then either
        limit = settings.MAX_REQUEST_BODY_BYTES
        if declared > limit and self.is_import(request):
            from kb.admin.importing import max_bytes

            limit = max_bytes() + IMPORT_FRAMING_BYTES
        if declared > limit:
            return HttpResponse(
                f"Request body too large: at most {megabytes(limit)} here.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def is_import(request) -> bool:
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return False
        return name in IMPORT_URL_NAMES and request.user.is_staff
