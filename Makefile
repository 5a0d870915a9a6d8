# The two commands a newcomer needs: `make run` and `make test`.
# Everything is installed into .venv from pyproject.toml; nothing by hand.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install run test lint migrations-check samples clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,postgres]"
	touch $@

install: $(INSTALLED)

## run: install, migrate, load the samples once, serve on http://127.0.0.1:8000 (SQLite)
run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_samples
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## test: install, then the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
test: install
	$(DEV_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
