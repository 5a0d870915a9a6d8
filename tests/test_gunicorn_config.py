"""The production gunicorn settings (config/gunicorn.py): the site and the meaning model
are loaded once in the master, which leaves no database connection for its workers to
inherit."""

from types import SimpleNamespace

import pytest
from django.db import connection

from config import gunicorn as gunicorn_config
from kb.search import meaning


@pytest.mark.django_db(transaction=True)
def test_the_master_loads_the_meaning_model_and_closes_its_connections(monkeypatch):
    monkeypatch.setenv("DJANGO_NUM_PROXIES", "0")
    logged = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(bind=["127.0.0.1:8000"], preload_app=True),
        log=SimpleNamespace(warning=logged.append),
    )
    meaning._model.cache_clear()
    connection.ensure_connection()
    gunicorn_config.when_ready(server)
    assert meaning._model.cache_info().currsize == 1  # loaded: forked workers share it
    assert connection.connection is None  # nothing for the workers to share by mistake
    assert logged == []
    assert gunicorn_config.preload_app is True
