"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

import os

# Before numpy loads: gunicorn runs a worker per core, and each worker's BLAS starting a
# thread per core as well makes them fight (and spin) over the same cores, doubling
# the slowest searches by meaning (docs/search.md#speed). An operator's setting wins.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
