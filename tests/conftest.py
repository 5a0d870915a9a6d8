import io
from pathlib import Path

import pytest
from django.core.management import call_command

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = SEEDS / "deep-summary-staff-eng-at-meta.txt"


@pytest.fixture
def seed_path():
    """The real summary page in ../shared (not part of this repository)."""
    if not SEED.exists():
        pytest.skip(f"the seed page is not here ({SEED}); it lives in ../shared/seeds")
    return SEED


@pytest.fixture(autouse=True)
def fresh_kept_values():
    """Rolled-back tests reuse content versions: nothing kept per version may outlive one."""
    from kb import kept

    kept.store.clear()
    yield
    kept.store.clear()


@pytest.fixture(autouse=True, scope="session")
def meaning_index_files_removed():
    """Each test process's meaning index files (tests/settings.py) go with it."""
    yield
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.MEANING_INDEX_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Tests roll the database back, content versions included: start each with no pages."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def samples_once(django_db_setup, django_db_blocker, sample_rows):
    """The samples (`load_samples`: seconds to import and index), loaded once for a whole
    test file whose tests read them. The file's tests run inside this one transaction,
    each in its own savepoint, so what a test changes or deletes is back for the next;
    all is rolled back when the file is done. Not for transactional tests (their flush
    would empty it), and a test of the file that does not ask for it still sees the
    samples if it runs after one that did."""
    from django.db import transaction

    from tests.helpers import write_rows

    with django_db_blocker.unblock(), transaction.atomic():
        write_rows(sample_rows)  # as `load_samples` left them (`sample_rows`)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def migration_data(django_db_blocker):
    """The rows data migrations make (theme vocabulary, Editors group), which a
    transactional test's flush removes: put back for tests that need them."""
    put_back_migration_data()


def put_back_migration_data():
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    importlib.import_module("kb.migrations.0004_theme_vocabulary").add_themes(apps, None)
    importlib.import_module("kb.migrations.0020_theme_descriptions").describe(apps, None)
    from kb.permissions import editor_codenames

    codenames = editor_codenames()
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="kb", codename__in=codenames)
    )


@pytest.fixture(scope="session")
def sample_rows(django_db_setup, django_db_blocker):
    """Every row of the knowledge base as `load_samples` leaves it, read once per worker:
    importing the samples costs seconds, writing these rows back a fraction of that
    (`samples_loaded`). Read inside a transaction rolled back at once; the data
    migrations' rows are put back first, in case a transactional test flushed them."""
    from django.db import transaction

    from tests.helpers import kb_models

    with django_db_blocker.unblock(), transaction.atomic():
        put_back_migration_data()
        call_command("load_samples", stdout=io.StringIO())
        rows = [
            (model, list(model._base_manager.order_by("pk").values_list(*columns)), columns)
            for model in kb_models()
            for columns in [[f.attname for f in model._meta.concrete_fields if not f.generated]]
        ]
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def samples_loaded(sample_rows):
    """The knowledge base as `load_samples` leaves it (`sample_rows` written back), for a
    test that changes it; `samples_once` shares one load among a file's tests instead."""
    from tests.helpers import write_rows

    write_rows(sample_rows)


EDITOR_PASSWORD = "Correct-Horse-42"


@pytest.fixture
def editor(client, django_user_model):
    """An editor's account (create_editor: staff, in the Editors group), signed in."""
    from django.core.management import call_command

    call_command("create_editor", "ed", "--password", EDITOR_PASSWORD, stdout=io.StringIO())
    user = django_user_model.objects.get(username="ed")
    client.force_login(user)
    return user


@pytest.fixture
def task_worker(settings, tmp_path):
    """Tasks go to the database queue, as in production, and `start()` runs a real
    `manage.py db_worker` process on the test database (a file or a server: a transactional
    test's, whose rows another process sees). Every worker started is killed at the end."""
    import os
    import subprocess
    import sys

    from django.db import connection

    from tests.helpers import ROOT, database_url

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a database in this process's memory is not shared with a worker process")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_TASKS_INLINE"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    env["DATABASE_URL"] = database_url()
    started = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # closed at the end
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((worker, log))
        return worker

    yield start
    for worker, log in started:
        worker.kill()
        worker.wait()
        log.close()


@pytest.fixture
def cards_dir(settings, tmp_path):
    """Cards drawn into a directory of the test's own."""
    settings.CARDS_DIR = tmp_path / "cards"
    return settings.CARDS_DIR
