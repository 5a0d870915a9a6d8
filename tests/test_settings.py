"""The settings do what docs/deployment.md promises, read from the environment."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

ROOT = Path(__file__).resolve().parents[1]


def run_django(env_overrides, code="import django; django.setup(); print('started')"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_django({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_django(
        {"DJANGO_SECRET_KEY": "k" * 30 + "abcdefghijklmnopqrstuvwxyz"},
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_malformed_boolean_names_its_variable():
    result = run_django({"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be 1 or 0" in result.stderr


def test_allowed_hosts_and_database_url_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    result = run_django(
        {
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "kb.example.org, www.kb.example.org",
            "DATABASE_URL": "postgres://kb@db.internal:5432/careers",
        },
        code,
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == "['kb.example.org', 'www.kb.example.org'] django.db.backends.postgresql careers"
    )


@pytest.fixture
def sqlite_wrapper(tmp_path, django_db_blocker):
    """A connection built from the real settings' SQLite entry, on a scratch file."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("the SQLite options only matter when SQLite is the database")
    from config.settings import database_from_env

    entry = dict(connections["default"].settings_dict)
    entry.update(database_from_env(), NAME=str(tmp_path / "kb.sqlite3"))
    wrapper = DatabaseWrapper(entry, alias="sqlite-settings-check")
    connections[wrapper.alias] = wrapper  # so transaction.atomic(using=...) finds it
    with django_db_blocker.unblock():
        yield wrapper
        wrapper.close()
    del connections[wrapper.alias]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_wrapper):
    with sqlite_wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000


def test_sqlite_writes_begin_immediate(sqlite_wrapper):
    sqlite_wrapper.ensure_connection()
    statements = []
    raw: sqlite3.Connection = sqlite_wrapper.connection
    raw.set_trace_callback(statements.append)
    with transaction.atomic(using=sqlite_wrapper.alias), sqlite_wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    assert any(s.upper().startswith("BEGIN IMMEDIATE") for s in statements), statements


def test_a_sqlite_database_url_gets_the_same_options():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(sorted(s.DATABASES['default']['OPTIONS']))"
    )
    result = run_django({"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/other.sqlite3"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['init_command', 'timeout', 'transaction_mode']"


def test_postgresql_connections_plan_for_fast_storage_without_jit(db):
    """Else PostgreSQL reads every chapter's text for a rare word instead of its index,
    and compiles searches it overestimates for longer than they take to run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_themes_are_case_insensitive():
    assert settings.TAGGIT_CASE_INSENSITIVE is True


def test_deploy_checks_are_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x9" * 20 + "abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="kb.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
