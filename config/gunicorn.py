"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi` (`make serve` does)."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the site's work is short database reads; 2 per core plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so no slow leak can grow for ever.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# The site is loaded once, in the master, with the model search embeds queries with
# (`when_ready`): every worker shares those pages (copy-on-write) instead of loading its
# own copy, and a worker that replaces a recycled one does not load it again. New code
# then needs a restart: a HUP starts new workers from the code already loaded.
preload_app = True


def when_ready(server):
    """Warn at start-up when clients can reach gunicorn around the proxies it trusts."""
    from kb.proxies import exposed_warning

    try:
        proxies = int(os.environ.get("DJANGO_NUM_PROXIES", "0") or 0)
    except ValueError:
        return  # the settings refuse it, with the variable's name
    message = exposed_warning(proxies, list(server.cfg.bind))
    if message:
        server.log.warning(message)
    if getattr(server.cfg, "preload_app", False):
        share_the_meaning_model(server)
        # What the master loaded lives as long as the workers: the collector need never
        # look at it again. Scanned, its objects' pages were copied into each worker
        # (copy-on-write) and a full collection paused a search (bench/results/
        # 2026-12-07-sqlite-row-terms.md).
        gc.freeze()


def share_the_meaning_model(server):
    """Loaded in the master before it forks the workers; no connection opened here may
    be inherited by them."""
    from importlib import import_module

    from django.conf import settings
    from django.db import connections

    from kb import sentence_model
    from kb.search import meaning, sense

    try:
        import_module(settings.ROOT_URLCONF)  # every view's module, not imported by each worker
        meaning.embed(["preloaded"])  # the model loaded, and used once
        if sense.available():  # the model search reads lessons by
            sentence_model.load_for_workers()
    except Exception as error:  # each worker then loads it on its first search, as before
        server.log.warning("the meaning model was not preloaded: %s", error)
    finally:
        connections.close_all()
