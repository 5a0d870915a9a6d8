"""The project's settings, read as `make test` runs them: DEBUG on, no secret needed.

DATABASE_URL still chooses the database, so the same suite runs on PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")

# Under pytest-xdist (`make test` runs two workers) each worker has its own test database
# (pytest-django names it after the worker) and, when the cache is Redis, its own Redis
# database: REDIS_URL's for gw0, the one below it for gw1, and so on. Set here, before the
# project's settings read it, so that the worker's other processes (a db_worker, a
# production server) use the same one. Shared, a worker's cache.clear() would empty the
# other's cache mid-test, and a page cached at one content version by one worker would be
# served to the other, whose database is at the same version with other content.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL", "").strip():
    from urllib.parse import urlsplit

    _url = urlsplit(os.environ["REDIS_URL"].strip())
    _db = int(_url.path.strip("/") or 0) - int(_worker[2:])
    if _db < 0:
        raise RuntimeError(f"REDIS_URL's database is too low for xdist worker {_worker}")
    os.environ["REDIS_URL"] = _url._replace(path=f"/{_db}").geturl()

from config.settings import *  # noqa: E402, F403

# Tasks run at once, in the test's own process (DJANGO_TASKS_INLINE); the tests of the
# queue itself put the database backend back (tests/test_task_queue.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Hashing with the default hasher costs ~0.3 s per test user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The same backend, with a transactional test's flush in milliseconds, not a second.
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so tests can check what another process sees.

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"kb-test-{os.getpid()}.sqlite3")
    }

# Each test process its own meaning index files (kb/search/vectors.py): test databases of
# the same name are made afresh by every run.
MEANING_INDEX_DIR = Path(tempfile.gettempdir()) / f"kb-test-meaning-{os.getpid()}"
