"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi` (`make serve` does)."""

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
