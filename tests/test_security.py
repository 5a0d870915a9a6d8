"""Production settings: security headers, cookies, CSP, the admin's lock-out and address."""

import functools
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from tests.helpers import ROOT, database_url

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p" * 40 + "0123456789abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "kb.example.org",
}


@pytest.fixture(scope="module", autouse=True)
def collected_static(tmp_path_factory):
    """Production serves hashed static files, so collect them first, as a deploy does."""
    root = tmp_path_factory.mktemp("static")
    PRODUCTION["DJANGO_STATIC_ROOT"] = str(root)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=environ, check=True,
    )  # fmt: skip
    yield root
    del PRODUCTION["DJANGO_STATIC_ROOT"]


# The addresses asked for, each in a fresh client: one process (Django's start) per
# environment asks for all of them.
PATHS = ("/", "/admin/login/", "/curate-7f3a/login/")


def production_get(path: str, **env) -> dict:
    """GET `path` over HTTPS through the real middleware, with production settings."""
    return production_answers(tuple(sorted(env.items())))[path]


@functools.cache
def production_answers(env: tuple) -> dict:
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "answers = {}\n"
        f"for path in {PATHS!r}:\n"
        "    r = Client().get(path, secure=True, HTTP_HOST='kb.example.org')\n"
        "    answers[path] = {'status': r.status_code, 'headers': dict(r.headers),"
        " 'cookies': {k: dict(v) for k, v in r.cookies.items()}}\n"
        "print(json.dumps(answers))\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(
        PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url(),
        **dict(env),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_public_pages_carry_the_security_headers():
    response = production_get("/")
    headers = response["headers"]
    assert response["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-src https://www.youtube-nocookie.com" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db(transaction=True)
def test_plain_http_is_redirected_unless_behind_a_tls_proxy():
    code = (
        "import django; django.setup()\nfrom django.test import Client\n"
        "print(Client().get('/', HTTP_HOST='kb.example.org').status_code)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(
        PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url()
    )
    run = lambda **extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, **extra},
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert run() == "301"
    assert run(DJANGO_SECURE_SSL_REDIRECT="0") == "200"


@pytest.mark.django_db(transaction=True)
def test_admin_cookies_are_secure_and_http_only():
    response = production_get("/admin/login/")
    csrf = response["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["httponly"] is True


@pytest.mark.django_db(transaction=True)
def test_the_admin_can_be_moved():
    assert production_get("/admin/login/", DJANGO_ADMIN_URL="curate-7f3a/")["status"] == 404
    assert production_get("/curate-7f3a/login/", DJANGO_ADMIN_URL="curate-7f3a/")["status"] == 200


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out(client):
    User.objects.create_superuser("boss", "b@example.org", "Correct-Horse-42")
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "boss", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(
        "/admin/login/", {"username": "boss", "password": "Correct-Horse-42"}, follow=False
    )
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
