"""Request bodies (issue 36): one too large is refused from its declared length before a
byte of it is read; the editors' import keeps its own, larger limit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kb.admin.importing import max_bytes
from kb.models import PendingImport

pytestmark = pytest.mark.django_db
GIGABYTE = 1024**3


class UnreadBody(io.RawIOBase):
    """A request body that records whether anyone read it."""

    def __init__(self):
        self.read_from = False

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_from = True
        return 0


def post_declaring(client, path: str, size: int):
    body = UnreadBody()
    response = client.generic(
        "POST",
        path,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": body},
    )
    return response, body


def test_a_gigabyte_post_to_the_sign_in_page_is_refused_unread(client):
    response, body = post_declaring(client, "/admin/login/", GIGABYTE)
    assert response.status_code == 413
    assert response.content.decode() == "Request body too large: at most 4 MB here.\n"
    assert not body.read_from


def test_the_limit_is_a_setting(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response, body = post_declaring(client, "/search/", 2048)
    assert response.status_code == 413 and not body.read_from


def test_the_import_allows_editors_its_own_limit(client, editor, migration_data):
    response, body = post_declaring(client, "/admin/kb/video/import/", 3 * max_bytes())
    assert response.status_code == 413
    assert "at most 21 MB" in response.content.decode()
    assert not body.read_from
    too_big = SimpleUploadedFile("huge.txt", b"x" * (max_bytes() + 1))
    response = client.post("/admin/kb/video/import/", {"file": too_big})
    assert response.status_code == 200  # the form's own message, not a 413
    assert "larger than 20 MB together" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_the_import_limit_is_for_signed_in_staff_only(client):
    response, body = post_declaring(client, "/admin/kb/video/import/", 5 * 1024 * 1024)
    assert response.status_code == 413 and not body.read_from
