"""Django's PostgreSQL backend as the tests run it (tests/settings.py): the same, but for
how a transactional test's flush empties the tables (`base.py`)."""
