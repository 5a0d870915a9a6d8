"""The production gunicorn settings (config/gunicorn.py): the site and the meaning model
are loaded once in the master, which leaves no database connection for its workers to
inherit, and what it loaded out of the collector's sight."""

import gc
from types import SimpleNamespace

import pytest
from django.db import connection

from config import gunicorn as gunicorn_config
from kb.search import meaning


@pytest.fixture(autouse=True)
def _unfrozen():
    """when_ready freezes what the process holds: the next tests' objects stay collectable."""
    yield
    gc.unfreeze()


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
    gc.unfreeze()
    gunicorn_config.when_ready(server)
    # What it loaded is left out of every collection: no worker copies it by scanning.
    assert gc.get_freeze_count() > 0
    assert meaning._model.cache_info().currsize == 1  # loaded: forked workers share it
    assert connection.connection is None  # nothing for the workers to share by mistake
    assert logged == []
    assert gunicorn_config.preload_app is True


@pytest.mark.django_db(transaction=True)
def test_a_worker_forked_after_the_master_loaded_the_sentence_model_embeds_with_it(
    monkeypatch,
):
    import os
    import signal

    from kb import sentence_model

    if not sentence_model.available():
        pytest.skip("the sentence model is not installed")
    monkeypatch.setenv("DJANGO_NUM_PROXIES", "0")
    monkeypatch.setattr(sentence_model, "_model", None)
    monkeypatch.setattr(sentence_model, "_threads", sentence_model._threads)
    monkeypatch.setattr(sentence_model, "_cache", type(sentence_model._cache)())
    server = SimpleNamespace(
        cfg=SimpleNamespace(bind=["127.0.0.1:8000"], preload_app=True),
        log=SimpleNamespace(warning=print),
    )
    gunicorn_config.when_ready(server)
    assert sentence_model._model is not None and sentence_model._threads == 1
    child = os.fork()
    if child == 0:  # a worker: its first query, on the master's model, in bounded time
        signal.alarm(20)
        vector = sentence_model.embed(["how do I ask for a raise"])[0]
        os._exit(0 if abs(float(vector @ vector) - 1) < 1e-2 else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
