"""Behind proxies, each client is counted as itself (issue 36): the sign-in lockout uses the
API rate limit's rule, so nobody can lock an editor out by failing from many addresses,
nobody can dodge the lockout by writing X-Forwarded-For when no proxy is trusted, and an
operator is warned when clients can reach gunicorn around the proxies."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core import checks

from config import gunicorn as gunicorn_config
from kb.proxies import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
PROXY = {"REMOTE_ADDR": "10.0.0.1"}


@pytest.fixture
def boss():
    return User.objects.create_superuser("boss", "b@example.org", PASSWORD)


def sign_in(client, password: str, forwarded: str):
    return client.post(
        "/admin/login/",
        {"username": "boss", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
        **PROXY,
    )


def test_failures_from_many_clients_behind_a_proxy_do_not_lock_out_another(client, boss, settings):
    settings.NINJA_NUM_PROXIES = 1
    for n in range(8):
        assert sign_in(client, "wrong", f"203.0.113.{n + 1}").status_code == 200
    signed_in = sign_in(client, PASSWORD, "198.51.100.20")
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == boss.pk


def test_five_failures_from_one_forwarded_client_lock_that_client(client, boss, settings):
    settings.NINJA_NUM_PROXIES = 1
    for _ in range(5):
        sign_in(client, "wrong", "203.0.113.5")
    locked = sign_in(client, PASSWORD, "203.0.113.5")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # What the client writes left of the proxy's entry changes nothing.
    assert sign_in(client, PASSWORD, "192.0.2.9, 203.0.113.5").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, boss, settings):
    settings.NINJA_NUM_PROXIES = 0
    for n in range(5):
        sign_in(client, "wrong", f"203.0.113.{n + 1}")
    assert sign_in(client, PASSWORD, "198.51.100.20").status_code == 429


def test_the_client_is_the_address_the_outermost_proxy_saw(rf, settings):
    header = "192.0.2.1, 203.0.113.7, 10.0.0.2"
    request = rf.get("/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR="10.0.0.3")
    settings.NINJA_NUM_PROXIES = 0
    assert client_address(request) == "10.0.0.3"
    settings.NINJA_NUM_PROXIES = 1
    assert client_address(request) == "10.0.0.2"
    settings.NINJA_NUM_PROXIES = 2
    assert client_address(request) == "203.0.113.7"
    settings.NINJA_NUM_PROXIES = 5
    assert client_address(request) == "192.0.2.1"
    junk = rf.get("/", HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="10.0.0.3")
    assert client_address(junk) == "10.0.0.3"


def proxy_warnings():
    return [m for m in checks.run_checks() if m.id == "kb.W001"]


def test_a_trusted_proxy_with_gunicorn_open_to_all_is_warned_about(settings, monkeypatch):
    settings.NINJA_NUM_PROXIES = 1
    for bind in ["0.0.0.0:8000", "[::]:8000", ":8000", "93.184.216.34:8000"]:
        monkeypatch.setattr(gunicorn_config, "bind", bind)
        (warning,) = proxy_warnings()
        assert f"gunicorn listens on {bind}" in warning.msg
        assert "GUNICORN_BIND" in warning.msg
    for bind in ["127.0.0.1:8000", "10.0.0.5:8000", "unix:/run/kb.sock", "app.internal:8000"]:
        monkeypatch.setattr(gunicorn_config, "bind", bind)
        assert proxy_warnings() == []
    settings.NINJA_NUM_PROXIES = 0
    monkeypatch.setattr(gunicorn_config, "bind", "0.0.0.0:8000")
    assert proxy_warnings() == []


def test_gunicorn_warns_at_start_up_about_the_same(monkeypatch):
    logged = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(bind=["0.0.0.0:8000"]),
        log=SimpleNamespace(warning=logged.append),
    )
    monkeypatch.setenv("DJANGO_NUM_PROXIES", "1")
    gunicorn_config.when_ready(server)
    assert len(logged) == 1 and "escapes the API rate limit" in logged[0]
    monkeypatch.setenv("DJANGO_NUM_PROXIES", "0")
    gunicorn_config.when_ready(server)
    assert len(logged) == 1
