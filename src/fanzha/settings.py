"""fanzha settings, read from the environment through strict helpers.

SQLite under FANZHA_HOME (default ./var/) is the default so a fresh checkout
runs; DATABASE_URL switches to PostgreSQL. Secrets are generated into
FANZHA_HOME on first run when the environment does not provide them.
"""

import datetime as dt
import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


FANZHA_HOME = Path(os.environ.get("FANZHA_HOME") or Path.cwd() / "var").resolve()
FANZHA_HOME.mkdir(parents=True, exist_ok=True, mode=0o700)


def home_secret(name: str, env: str, nbytes: int = 32) -> str:
    """A secret from the environment, else one generated once into FANZHA_HOME."""
    value = os.environ.get(env)
    if value:
        return value
    path = FANZHA_HOME / name
    if not path.exists():
        token = secrets.token_urlsafe(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token)
    return path.read_text().strip()


SECRET_KEY = home_secret("secret_key", "SECRET_KEY", 48)
# Key for encrypting ID and phone numbers at rest and for their keyed look-up
# hashes. Losing it makes stored numbers unreadable: back it up with the data.
FANZHA_PII_KEY = home_secret("pii_key", "FANZHA_PII_KEY", 32)

DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_HTTPS_PROXY", False) else None
SESSION_COOKIE_SECURE = envbool("BEHIND_HTTPS_PROXY", False)
CSRF_COOKIE_SECURE = envbool("BEHIND_HTTPS_PROXY", False)
SESSION_COOKIE_AGE = envint("FANZHA_SESSION_IDLE_MINUTES", 8 * 60) * 60
# Address of the reverse proxy whose X-Forwarded-For waitress may trust.
FANZHA_TRUSTED_PROXY = os.environ.get("FANZHA_TRUSTED_PROXY", "")
# Content-Security-Policy: scripts, styles, images and connections from this site only (htmx, ECharts
# and every page's behaviour are static files; no inline script, no eval). Inline style attributes are
# allowed (htmx adds its indicator style). The API docs page loads Swagger UI and is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# HSTS only when served over HTTPS (behind the proxy): a year, sub-domains included.
SECURE_HSTS_SECONDS = envint("FANZHA_HSTS_SECONDS", 365 * 24 * 3600) if envbool("BEHIND_HTTPS_PROXY", False) else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(SECURE_HSTS_SECONDS)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "fanzha.core",
    "fanzha.org",
    "fanzha.cases",
    "fanzha.alerts",
    "fanzha.outreach",
    "fanzha.risk",
    "fanzha.clues",
    "fanzha.supervision",
    "fanzha.assessment",
    "fanzha.analysis",
    "fanzha.duties",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fanzha.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fanzha.core.middleware.AreaGuardMiddleware",  # an area's page refused to roles the access table leaves out
    "fanzha.core.middleware.TextSizeMiddleware",  # the larger-text setting (?fz_text=large), stored in a cookie
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fanzha.core.security.SessionGuardMiddleware",
    # Last: counts failed logins per user name and per address (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fanzha.urls"
WSGI_APPLICATION = "fanzha.wsgi.application"

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
                "django.template.context_processors.i18n",
                "fanzha.core.context_processors.fanzha",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# SQLite: WAL lets readers run while a writer commits; IMMEDIATE takes the write lock at BEGIN so concurrent
# writers queue instead of failing with "database is locked" on lock upgrade, and fanzha's backend
# (core/db/sqlite3/base.py) hands that lock from writer to writer, first come first served, instead of leaving
# them to SQLite's sleeping retries. The timeout (seconds; busy_timeout the same in ms) bounds every wait.
# FANZHA_SQLITE_TURNS=false goes back to Django's own backend (to compare, or if the turns misbehave).
SQLITE_ENGINE = "fanzha.core.db.sqlite3" if envbool("FANZHA_SQLITE_TURNS", True) else "django.db.backends.sqlite3"
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA cache_size=-64000;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA mmap_size=268435456;"
    ),
}
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...) or SQLite (sqlite:///...)")
else:
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": FANZHA_HOME / "fanzha.sqlite3",
            # Kept open between requests: a new connection parses the whole schema (700 entries)
            # on its first query, which costs more than a pushed alert's own statements.
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # Tests run on an in-memory copy, as with Django's own SQLite backend (which test runners recognise by its
    # module name only: named here, each parallel test process gets its own in-memory database too).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# user name, or from one address, further tries are refused for the cool-off
# time; the office can unlock earlier on its 账号安全 page.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("FANZHA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("FANZHA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per user, and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fanzha.core.security.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if os.environ.get("FANZHA_TRUSTED_PROXY") else 0
# A session unused this long is ended (idle timeout); `SESSION_COOKIE_AGE` follows it.
FANZHA_SESSION_IDLE_MINUTES = envint("FANZHA_SESSION_IDLE_MINUTES", 8 * 60)
# The API's schema (/api/v1/openapi.json) and docs: logged-in users and token holders only unless true.
FANZHA_API_DOCS_PUBLIC = envbool("FANZHA_API_DOCS_PUBLIC", False)
# The public clue form (/report/) and receipt look-up (/r/): size cap, per-address limits, the least
# seconds a person takes to fill the form (faster is a script), and the default hand-off deadline.
FANZHA_CLUE_MAX_MB = envint("FANZHA_CLUE_MAX_MB", 20)
FANZHA_CLUE_SUBMIT_LIMIT = envint("FANZHA_CLUE_SUBMIT_LIMIT", 5)
FANZHA_CLUE_SUBMIT_WINDOW = envint("FANZHA_CLUE_SUBMIT_WINDOW", 3600)
FANZHA_CLUE_LOOKUP_LIMIT = envint("FANZHA_CLUE_LOOKUP_LIMIT", 20)
FANZHA_CLUE_LOOKUP_WINDOW = envint("FANZHA_CLUE_LOOKUP_WINDOW", 600)
FANZHA_CLUE_MIN_FILL_SECONDS = envint("FANZHA_CLUE_MIN_FILL_SECONDS", 3)
FANZHA_CLUE_HANDOFF_DAYS = envint("FANZHA_CLUE_HANDOFF_DAYS", 3)
# Exact ID/phone searches per user (roles without / with the reveal permission), and every Nth miss in a
# day that tells the office.
FANZHA_SEARCH_PER_MINUTE = envint("FANZHA_SEARCH_PER_MINUTE", 5)
FANZHA_SEARCH_PER_DAY = envint("FANZHA_SEARCH_PER_DAY", 60)
FANZHA_SEARCH_REVEAL_PER_MINUTE = envint("FANZHA_SEARCH_REVEAL_PER_MINUTE", 30)
FANZHA_SEARCH_REVEAL_PER_DAY = envint("FANZHA_SEARCH_REVEAL_PER_DAY", 600)
FANZHA_SEARCH_MISS_NOTICE = envint("FANZHA_SEARCH_MISS_NOTICE", 5)
# Uploaded pictures: the largest accepted, the largest decoded in full (bigger JPEGs are decoded reduced),
# and all pictures of one request together (pixels).
FANZHA_IMAGE_MAX_PIXELS = envint("FANZHA_IMAGE_MAX_PIXELS", 50_000_000)
FANZHA_IMAGE_DECODE_PIXELS = envint("FANZHA_IMAGE_DECODE_PIXELS", 16_000_000)
FANZHA_IMAGE_REQUEST_PIXELS = envint("FANZHA_IMAGE_REQUEST_PIXELS", 200_000_000)
# Days off besides weekends (ISO dates, comma-separated): the units' monthly report moves before them.
FANZHA_NON_WORKING_DAYS = envlist("FANZHA_NON_WORKING_DAYS", [])
FANZHA_HOME_VISIT_TARGET = envint("FANZHA_HOME_VISIT_TARGET", 100)
# Set by `fanzha demo`: demo passwords are accepted without a forced change.
FANZHA_DEMO_MODE = envbool("FANZHA_DEMO_MODE", False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["fanzha.core.formats"]  # numbers read the same in both languages: 26,700
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or FANZHA_HOME / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app directories so no collectstatic step is needed
# for the demo; deployments may still run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = FANZHA_HOME / "media"

# Upload limits: imports are streamed to a temp file past 2.5 MB; the whole
# request is capped so a huge body is refused with 413-style errors.
FANZHA_MAX_UPLOAD_MB = envint("FANZHA_MAX_UPLOAD_MB", 50)
DATA_UPLOAD_MAX_MEMORY_SIZE = FANZHA_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Largest number of data rows one import file may hold.
FANZHA_IMPORT_MAX_ROWS = envint("FANZHA_IMPORT_MAX_ROWS", 200_000)

# Head counts of county and street nodes are cached this long (seconds; 0 = never).
FANZHA_FIGURES_TTL = envint("FANZHA_FIGURES_TTL", 300)

# One cache shared by every web and worker process on the machine (files under FANZHA_HOME), so a
# figure dropped after a write by one process is dropped for all of them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(FANZHA_HOME / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
if "pytest" in sys.modules:
    # Tests run in parallel processes over one data directory: each keeps its own in-memory cache so no
    # test sees figures another process cached.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
