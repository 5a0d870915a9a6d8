"""The project's settings, read as `make test` runs them: DEBUG on, no secret needed.

DATABASE_URL still chooses the database, so the same suite runs on PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402, F403

# Tasks run at once, in the test's own process (DJANGO_TASKS_INLINE); the tests of the
# queue itself put the database backend back (tests/test_task_queue.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Hashing with the default hasher costs ~0.3 s per test user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so tests can check what another process sees.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"kb-test-{os.getpid()}.sqlite3")
    }
