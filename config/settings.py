"""Settings, read from the environment only (see docs/deployment.md#settings).

Production is the default: DEBUG is off unless DJANGO_DEBUG=1, and then a secret key
must be given. A malformed value fails loudly with the variable's name rather than
being silently replaced by a default.
"""

import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, not {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DEBUG is off (set DJANGO_DEBUG=1 for development)"
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production-0123456789"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))")'
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)

INSTALLED_APPS = [
    "kb.apps.EditorAdminConfig",  # django.contrib.admin, with the editors' start page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "taggit",
    "ninja",
    "corsheaders",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing above reads the body; it comes after authentication because the editors'
    # import may send more (kb.middleware).
    "kb.middleware.RequestBodyLimitMiddleware",
    "kb.cache.AnonymousPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Request bodies larger than this are refused (413) before being read, except the editors'
# import upload, which has its own limit (IMPORT_MAX_MB).
MAX_REQUEST_BODY_BYTES = env_int("DJANGO_MAX_REQUEST_BODY_BYTES", 4 * 1024 * 1024)

# The admin's address; move it (e.g. DJANGO_ADMIN_URL=curate-7f3a/) to dodge scanners.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip().strip("/") + "/"
if ADMIN_URL == "/" or not all(part.isascii() for part in ADMIN_URL):
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must be a path like 'admin/'")

# Password guessing: five failures for a username from one address lock it for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The client's address by the API rate limit's rule (DJANGO_NUM_PROXIES, below): behind a
# proxy, counting the proxy's own address would let anyone lock every editor out.
AXES_CLIENT_IP_CALLABLE = "kb.proxies.client_address"

# Form widgets render with the project's templates too (templates/ may override one).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # These must sit in OPTIONS: anywhere else they are silently ignored
        # (tests/test_settings.py checks that they really apply).
        database["OPTIONS"] = {
            # Readers never block the writer and the writer never blocks readers.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Seconds a writer waits for the lock instead of failing "database is locked".
            "timeout": 20,
            # Take the write lock when a transaction starts, so two writers queue up
            # instead of one failing when it upgrades a read lock mid-transaction.
            "transaction_mode": "IMMEDIATE",
        }
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # Page reads cost the planner 4x a sequential read by default (spinning disks).
        # At 1.1, as for SSDs, it uses the GIN index for a rare word among big chapter
        # texts instead of reading every one: 25 ms -> 1 ms at a million lines. JIT
        # compiling a query the planner overestimates (a search's word ranges, whose
        # bounds it cannot know) takes many times longer than running it
        # (docs/deployment.md#postgresql). Options given in DATABASE_URL come after, so
        # they win.
        options = database.setdefault("OPTIONS", {})
        given = options.get("options", "")
        options["options"] = f"-c random_page_cost=1.1 -c jit=off {given}".strip()
    return database


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that stops answering must cost a request little: pages are then
            # served uncached (kb.cache), never held up waiting for it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Seconds an anonymous page stays cached (0: no page cache); any content change
# invalidates it at once.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
# A page larger than this is served but not kept, so no one entry can fill a worker's
# memory. A long transcript (12 MB, bench/junk_queries.py) still fits: it costs 1.6 s to
# render and is kept once whatever query strings it gets (reads_query).
PAGE_CACHE_MAX_BYTES = env_int("DJANGO_PAGE_CACHE_MAX_BYTES", 16 * 1024 * 1024)

# The read API (/api/v1/, kb.api): requests a client may make a minute (0: no limit),
# counted in the cache, so with REDIS_URL the limit holds across workers and servers.
API_REQUESTS_PER_MINUTE = env_int("DJANGO_API_REQUESTS_PER_MINUTE", 120)
# Proxies in front of the app (a load balancer: 1): the client is the address the
# outermost of them saw, from X-Forwarded-For; 0 trusts no forwarded address.
NINJA_NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", 0)
# Where the site is served, for absolute links made without a request (the MCP server's).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"DJANGO_SITE_URL must start with http:// or https://, not {SITE_URL!r}"
    )
# The admin's import (kb/admin/importing.py; docs/hardening.md, "Uploads and zips"): the
# most an upload may weigh and a zip unpack to, in MB (counted as it unpacks, whatever its
# header says), the most files one upload or zip may hold, and how many uploads one editor
# may have awaiting confirmation or at work at once.
IMPORT_MAX_MB = env_int("DJANGO_IMPORT_MAX_MB", 20)
IMPORT_MAX_FILES = env_int("DJANGO_IMPORT_MAX_FILES", 1000)
IMPORT_PENDING_PER_EDITOR = env_int("DJANGO_IMPORT_PENDING_PER_EDITOR", 5)
# Background work (the admin's big imports, kb/admin/background.py; docs/deployment.md,
# "Task workers"): Django's tasks API on its database backend, so any app server enqueues
# and any worker process (`manage.py db_worker`) runs. DJANGO_TASKS_INLINE=1 runs each task
# at once in the process that enqueues it, with no worker (a request then waits for it).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("DJANGO_TASKS_INLINE", False)
        else "django_tasks_db.DatabaseBackend"
    }
}
# Seconds a task may work (0: no limit): past it, it is reported failed and stopped (its
# transaction rolled back), and the worker takes the next.
TASK_TIME_LIMIT = env_int("DJANGO_TASK_TIME_LIMIT", 30 * 60)

# Draft lessons rewritten by a language model (kb/importers/drafting_llm.py): an `llm` model
# id (`llm models` lists them; a plugin and maybe a key first). Unset: the offline drafts
# only, and `llm` is never imported. The timeout bounds what one passage may cost.
DRAFT_MODEL = os.environ.get("DJANGO_DRAFT_MODEL", "").strip()
DRAFT_MODEL_TIMEOUT = env_int("DJANGO_DRAFT_MODEL_TIMEOUT", 60)
if DRAFT_MODEL_TIMEOUT < 1:
    raise ImproperlyConfigured("DJANGO_DRAFT_MODEL_TIMEOUT must be at least 1 (seconds)")

# Anyone's page or script may read the API (GET only); nothing else is cross-origin.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Share cards (og:image PNGs, kb/cards.py), drawn once per content version and kept here.
CARDS_DIR = Path(os.environ.get("DJANGO_CARDS_DIR", BASE_DIR / "var" / "cards"))
# The meaning vectors this host searches: files every worker maps (kb/search/vectors.py),
# one directory per database, rebuilt from the database whenever missing or stale.
MEANING_INDEX_DIR = Path(os.environ.get("DJANGO_MEANING_DIR", BASE_DIR / "var" / "meaning"))
# Search reads lessons by the sentence model (kb/search/sense.py): about 165 MB a server,
# shared by its workers. Off: lessons by meaning come from the static model alone.
SENTENCE_SEARCH = env_bool("DJANGO_SENTENCE_SEARCH", True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development (and tests) whitenoise serves files straight from the app folders.
WHITENOISE_AUTOREFRESH = DEBUG


# Themes are tags; "Leadership" and "leadership" are one theme.
TAGGIT_CASE_INSENSITIVE = True
# Themes are typed separated by commas only: "asking for help" is one theme.
TAGGIT_TAGS_FROM_STRING = "kb.admin.forms.parse_themes"
TAGGIT_STRING_FROM_TAGS = "kb.admin.forms.themes_string"

# Security. Everything below is what `manage.py check --deploy` asks for.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# Only our own scripts and styles, and YouTube's player when a reader asks for it.
CONTENT_SECURITY_POLICY = {
    # Django 5.2's admin still sets inline styles; its own pages keep Django's defaults.
    "EXCLUDE_URL_PREFIXES": [f"/{ADMIN_URL}"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
