"""A dead cache is a slower site, never a broken one (issue 13): pages are served
uncached, /healthz says so without failing the node, and the cache is used again as
soon as it comes back."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from kb import cache as page_cache
from tests.factories import LessonFactory
from tests.helpers import ROOT, database_url

READER_PAGES = ["/", "/themes/", "/lessons/", "/quotes/", "/videos/", "/search/?q=help"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_redis(settings):
    """The cache points at a Redis that is not there (nothing listens on the port)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    page_cache.guard.__init__()
    yield
    page_cache.guard.__init__()


@pytest.fixture(autouse=True)
def empty_cache():
    """Overrides conftest's: clearing a dead cache is what these tests are about."""
    yield


@pytest.mark.django_db
def test_pages_are_served_uncached_when_the_cache_is_down(client, dead_redis, caplog):
    lesson = LessonFactory(title="Still readable")
    for url in [*READER_PAGES, lesson.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Still readable" in client.get(lesson.get_absolute_url()).content.decode()
    warnings = [r for r in caplog.records if r.name == "kb.cache"]
    assert len(warnings) == 1  # logged once, not once per request
    assert "serving uncached" in warnings[0].getMessage()


@pytest.mark.django_db
def test_healthz_reports_a_dead_cache_without_failing_the_node(client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["ok", "database: ok"]
    assert lines[2].startswith("cache: unavailable (ConnectionError")


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("X-Cache", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache", ""), error.read().decode()


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process


def wait_for_port(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
@pytest.mark.django_db(transaction=True)
def test_a_real_redis_killed_under_a_running_server():
    lesson = LessonFactory(title="Advice that survives")
    redis_port, web_port = free_port(), free_port()
    redis = start_redis(redis_port)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{web_port}", "--workers", "1",
         "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    site = f"http://127.0.0.1:{web_port}"
    try:
        wait_for_port(web_port)
        url = site + lesson.get_absolute_url()
        assert fetch(url)[:2] == (200, "miss")
        assert fetch(url)[:2] == (200, "hit")

        redis.send_signal(signal.SIGKILL)
        redis.wait()
        for path in [*READER_PAGES, lesson.get_absolute_url()]:
            status, x_cache, body = fetch(site + path)
            assert status == 200, (path, body[:300])
        assert "Advice that survives" in fetch(url)[2]
        status, _, health = fetch(site + "/healthz")
        assert status == 200 and "cache: unavailable" in health

        redis = start_redis(redis_port)
        deadline = time.monotonic() + 10
        while fetch(site + "/healthz")[2].splitlines()[-1] != "cache: ok":
            assert time.monotonic() < deadline, "the cache never came back"
            time.sleep(0.5)
        assert fetch(url)[:2] == (200, "miss")
        assert fetch(url)[:2] == (200, "hit")
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
        redis.kill()
        redis.wait()
    assert "Traceback" not in errors
    assert errors.count("page cache unavailable") == 1, errors
