"""Tip Portal settings, read from the environment (12-factor).

`PORTAL_ENV` picks the profile: `development` (what `manage.py` and `make run` default to:
DEBUG on, SQLite under var/, tasks run eagerly, secrets generated once under var/secrets/)
or `production` (what the WSGI entry point defaults to: DEBUG off, every secret must be
given, HTTPS-only cookies and HSTS). Secrets are read from `NAME_FILE` first, then `NAME`.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json_object(name: str) -> dict[str, object]:
    raw = os.environ.get(name, "")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object")
    return value


PORTAL_ENV = env_str("PORTAL_ENV", "production")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'")
DEVELOPMENT = PORTAL_ENV == "development"

VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))


def env_secret(name: str, *, nbytes: int = 32) -> str:
    """A secret from `NAME_FILE` or `NAME`.

    Production refuses to start without it. Development generates one on first use and keeps
    it under var/secrets/ (mode 0600) so that encrypted demo data stays readable across runs.
    """
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc.strerror}") from None
    value = os.environ.get(name)
    if value:
        return value
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            f"{name} is not set. Set {name} or {name}_FILE (see README, Configuration)."
        )
    secret_dir = VAR_DIR / "secrets"
    secret_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = secret_dir / name.lower()
    if not secret_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(nbytes))
    return secret_file.read_text().strip()


DEBUG = env_bool("DEBUG", DEVELOPMENT)
SECRET_KEY = env_secret("SECRET_KEY", nbytes=50)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEVELOPMENT else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "partners",
    "portal",
    "portal.accounts",
    "audit",
    "tips",
    "triage",
    "handoffs",
    "retention",
    "stats",
]

MIDDLEWARE = [
    # /healthz/ and /readyz/ answer here, before host validation and the HTTPS redirect.
    "portal.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Staff pages (no language prefix) in the member's own language; public pages untouched.
    "portal.middleware.StaffLanguageMiddleware",
    # A first visit to / from a phone set to Spanish goes to /es/ (no cookie needed).
    "tips.language.FirstVisitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees an API view's exception first: JSON 503/500, never an HTML page.
    "portal.middleware.ApiExceptionMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.public_page",
                "portal.context_processors.capabilities",
                "portal.context_processors.staff_session",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and an in-process task write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# --- Cache (rate limits and throttles live here, never in the database) ------------------------
# Not the broker's Redis database, better not its instance: a cache eviction policy must never
# reach broker messages (docs/operations.md, "Cache outage").
CACHE_URL = env_str("CACHE_URL", "")
# A cache that does not connect or answer within this many seconds counts as down, and
# tips/throttle.py counts limits in the process instead; without it a frozen Redis holds every
# tip submission for redis-py's default of 5 s per command. Then the cache is skipped for
# CACHE_RETRY_SECONDS before it is tried again.
try:
    CACHE_TIMEOUT_SECONDS = float(env_str("CACHE_TIMEOUT_SECONDS", "0.5"))
except ValueError:
    raise ImproperlyConfigured("CACHE_TIMEOUT_SECONDS must be a number of seconds") from None
if not CACHE_TIMEOUT_SECONDS > 0:
    raise ImproperlyConfigured("CACHE_TIMEOUT_SECONDS must be more than 0")
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 20)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Django's RedisCache hands OPTIONS to redis-py's ConnectionPool.from_url().
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/staff/login/"
# Second factor: TOTP seeds encrypted under OTP_SEED_KEY; backup codes and API token secrets
# stored as HMAC under OTP_HASH_KEY. Both are server secrets that never enter the database.
OTP_SEED_KEY = env_secret("OTP_SEED_KEY")
OTP_HASH_KEY = env_secret("OTP_HASH_KEY")
OTP_ISSUER = env_str("OTP_ISSUER", "Tip Portal")
# Lockout, keyed by username: this many failures (either factor) within the period lock it.
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_PERIOD = env_int("LOCKOUT_PERIOD", 15 * 60)
API_TOKEN_LIFETIME = env_int("API_TOKEN_LIFETIME", 8 * 60 * 60)

# --- Sessions and cookies ---------------------------------------------------------------------
# Cookies are Secure everywhere but in development over plain http on 127.0.0.1.
COOKIE_SECURE = env_bool("COOKIE_SECURE", not DEVELOPMENT)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "__Host-session" if COOKIE_SECURE else "session"
SESSION_COOKIE_SECURE = COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_LIFETIME", 10 * 60 * 60)
CSRF_COOKIE_NAME = "__Host-csrftoken" if COOKIE_SECURE else "csrftoken"
CSRF_COOKIE_SECURE = COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# Django's CSRF cookie lasts a year by default: a trace on a tipster's device. Browser session only.
CSRF_COOKIE_AGE = None
# A refused public form comes back filled in, with a plain note (tips.views.csrf_failure).
CSRF_FAILURE_VIEW = "tips.views.csrf_failure"
LANGUAGE_COOKIE_AGE = None

# --- Security headers -------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEVELOPMENT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEVELOPMENT else 63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEVELOPMENT
SECURE_HSTS_PRELOAD = not DEVELOPMENT
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts and
# Django's CSRF origin check rejects them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Seconds a request's body may take to arrive once its headers have (portal/body_deadline.py):
# the bound on slow clients where no buffering proxy stands in front of gunicorn. 0 turns it off.
REQUEST_BODY_TIMEOUT_SECONDS = env_int("REQUEST_BODY_TIMEOUT_SECONDS", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
# Uploads never touch the disk in plaintext: memory only, then encrypted in chunks.
FILE_UPLOAD_HANDLERS = ["tips.uploads.BoundedMemoryUploadHandler"]
# Attachments on the public form: how many, how big, and the limits that stop decompression bombs.
TIP_ATTACHMENT_MAX_COUNT = env_int("TIP_ATTACHMENT_MAX_COUNT", 5)
TIP_ATTACHMENT_MAX_BYTES = env_int("TIP_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
TIP_IMAGE_MAX_PIXELS = env_int("TIP_IMAGE_MAX_PIXELS", 40_000_000)
# Peak memory for cleaning one image (docs/decisions.md, "Attachment cost").
TIP_IMAGE_MEMORY_BYTES = env_int("TIP_IMAGE_MEMORY_BYTES", 150_000_000)
TIP_PDF_MAX_PAGES = env_int("TIP_PDF_MAX_PAGES", 300)
# All of a PDF's streams once decoded; past it the PDF is refused (tips/attachments.py).
TIP_PDF_MAX_INFLATED_BYTES = env_int("TIP_PDF_MAX_INFLATED_BYTES", 100 * 1024 * 1024)
# The coarse areas the form offers (tips/areas.py): a JSON file, or the built-in county list.
TIP_AREAS_FILE = env_str("TIP_AREAS_FILE", "")
# Anonymous rate limits (tips/throttle.py), per client per window; keyed on a keyed hash of the
# address whose salt lives only in the cache and expires with the window.
TIP_RATE_SUBMISSIONS = env_int("TIP_RATE_SUBMISSIONS", 10)
TIP_RATE_FOLLOW_UPS = env_int("TIP_RATE_FOLLOW_UPS", 30)
TIP_RATE_WINDOW = env_int("TIP_RATE_WINDOW", 15 * 60)
# A retried submission (same Idempotency-Key or form token) within this many hours gets the
# first answer again; the sealed copy of the answer is deleted after it.
TIP_RETRY_WINDOW_HOURS = env_int("TIP_RETRY_WINDOW_HOURS", 24)
# Service level: minutes a tip may wait to be claimed, by priority level. An urgent tip not
# claimed in time is escalated to supervisors.
TRIAGE_SLA_MINUTES = {
    "urgent": env_int("TRIAGE_SLA_URGENT_MINUTES", 30),
    "high": env_int("TRIAGE_SLA_HIGH_MINUTES", 8 * 60),
    "normal": env_int("TRIAGE_SLA_NORMAL_MINUTES", 72 * 60),
    "low": env_int("TRIAGE_SLA_LOW_MINUTES", 7 * 24 * 60),
}
# Four eyes: an investigator's request to open a tipster's contact details needs a
# supervisor's approval first.
TRIAGE_REVEAL_NEEDS_APPROVAL = env_bool("TRIAGE_REVEAL_NEEDS_APPROVAL", default=True)
# Handoffs: minutes a partner has to accept before its liaisons are alerted, and minutes more
# before the investigator who made the handoff is.
HANDOFF_ACCEPT_MINUTES = env_int("HANDOFF_ACCEPT_MINUTES", 24 * 60)
HANDOFF_INVESTIGATOR_ALERT_MINUTES = env_int("HANDOFF_INVESTIGATOR_ALERT_MINUTES", 24 * 60)
# Where the client address comes from: REMOTE_ADDR, or a header set by a trusted proxy.
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER", "")

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where the quick-exit button leaves for: a neutral page, opened without a referrer.
QUICK_EXIT_URL = env_str("QUICK_EXIT_URL", "https://www.weather.gov/")
# The partner drop-in center shown on /help/ (an empty name hides the block).
DROP_IN_CENTER = {
    "name": env_str("DROP_IN_CENTER_NAME", "Safe Harbor Drop-In Center"),
    "address": env_str("DROP_IN_CENTER_ADDRESS", "1200 Grand Blvd, Kansas City, MO 64106"),
    "hours": env_str("DROP_IN_CENTER_HOURS", "Mon-Fri 9:00-19:00, Sat 10:00-16:00"),
    "phone": env_str("DROP_IN_CENTER_PHONE", "+1-816-555-0199"),
}
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_TZ = True

# --- Static and stored files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEVELOPMENT
if DEVELOPMENT:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGE_ROOT = Path(env_str("STORAGE_ROOT", str(VAR_DIR / "storage")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": STORAGE_ROOT, "file_permissions_mode": 0o600},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email (notifications never carry tip content) -------------------------------------------
# Mail is sent after commit by outbox jobs (portal/mail.py), never inside a transaction, and a
# mail server that does not answer gives up after EMAIL_TIMEOUT seconds; the job is retried.
# (Django 6.1 refuses the old EMAIL_* settings beside MAILERS: these names are env-only.)
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT and not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
_EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Connection options belong to the SMTP backend only; any other configured backend (a file, an
# API-backed package's own) takes the options its documentation names, as a JSON object in
# EMAIL_OPTIONS (e.g. {"file_path": "/var/spool/tip-portal-mail"}).
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "timeout": _EMAIL_TIMEOUT,
        }
        if _EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        else env_json_object("EMAIL_OPTIONS"),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tip-portal@localhost")

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# No broker: tasks run in-process, right after the transaction that queued them commits.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep the logging configured below, with its address-redacting filter.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# No task runs longer than this (the nightly audit verification has its own, longer limit).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A late-acked task held longer than this by a lost worker is delivered again (Redis
# transport): a few minutes above the longest task, so a killed worker's task waits minutes,
# not an hour. Every task is idempotent, so a redelivery of a slow one does no harm.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 300)
}
# The outbox (portal/outbox.py): work recorded with the change that calls for it, nudged after
# commit with a short broker timeout, and swept on beat.
OUTBOX_NUDGE_TIMEOUT = float(env_str("OUTBOX_NUDGE_TIMEOUT", "1"))
OUTBOX_GRACE_SECONDS = env_int("OUTBOX_GRACE_SECONDS", 30)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 30)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, str | float]] = {
    "worker-heartbeat": {"task": "portal.tasks.record_heartbeat", "schedule": 60.0},
    "prune-sign-in-records": {
        "task": "portal.accounts.tasks.prune_sign_in_records",
        "schedule": 3600.0,
    },
    "escalate-overdue-urgent-tips": {"task": "triage.tasks.escalate_overdue", "schedule": 60.0},
    "sweep-outbox": {"task": "portal.tasks.sweep_outbox", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    "forget-retry-copies": {"task": "tips.tasks.forget_retry_copies", "schedule": 3600.0},
    "alert-overdue-handoffs": {"task": "handoffs.tasks.alert_overdue", "schedule": 300.0},
    "expire-consents": {"task": "handoffs.tasks.expire_consents", "schedule": 3600.0},
}

# Retention (docs/operations.md, "Retention"): how long a closed tip is kept, by close reason;
# how often an open tip must be reviewed; never more than five years without a review
# (28 CFR Part 23). `0` means "due at the next run".
RETENTION_SPAM_DAYS = env_int("RETENTION_SPAM_DAYS", 30)
RETENTION_UNFOUNDED_DAYS = env_int("RETENTION_UNFOUNDED_DAYS", 365)
RETENTION_INSUFFICIENT_INFORMATION_DAYS = env_int("RETENTION_INSUFFICIENT_INFORMATION_DAYS", 365)
RETENTION_DUPLICATE_DAYS = env_int("RETENTION_DUPLICATE_DAYS", 365)
RETENTION_RESOLVED_DAYS = env_int("RETENTION_RESOLVED_DAYS", 1825)
RETENTION_REVIEW_DAYS = env_int("RETENTION_REVIEW_DAYS", 365)
RETENTION_MAX_UNREVIEWED_DAYS = env_int("RETENTION_MAX_UNREVIEWED_DAYS", 1825)
# What the tipster adds, or a handoff still open, puts the purge off by this much.
RETENTION_GRACE_DAYS = env_int("RETENTION_GRACE_DAYS", 30)
# The assignee (or the supervisors) are told this many days before a purge.
RETENTION_WARNING_DAYS = env_int("RETENTION_WARNING_DAYS", 14)
RETENTION_PURGE_BATCH = env_int("RETENTION_PURGE_BATCH", 200)
CELERY_BEAT_SCHEDULE["purge-expired-tips"] = {
    "task": "retention.tasks.purge_expired",
    "schedule": 86400.0,
}
CELERY_BEAT_SCHEDULE["warn-of-purges"] = {
    "task": "retention.tasks.warn_of_purges",
    "schedule": 3600.0,
}

# Statistics (stats/): a count below this is shown as "<N" in exports and partner views, so a
# number cannot point at one person. The daily roll-ups are kept hourly.
STATISTICS_MIN_CELL = env_int("STATISTICS_MIN_CELL", 5)
CELERY_BEAT_SCHEDULE["statistics-roll-up"] = {"task": "stats.tasks.roll_up", "schedule": 3600.0}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.access.BearerTokenAuthentication",
        "portal.accounts.access.VerifiedSessionAuthentication",
    ],
    # Every endpoint declares `access_rule`; one that does not is open to nobody.
    "DEFAULT_PERMISSION_CLASSES": ["portal.accounts.access.HasCapability"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    # DRF's stock anonymous throttle keys on the raw client IP: never used here.
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "portal.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.schema.PortalAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tip Portal API",
    "DESCRIPTION": "Anonymous tip intake, triage and victim-service handoffs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no third-party host in any page.
    "SWAGGER_UI_DIST": "SIDECAR",
    # Request and response shapes apart, so a required text field documents `minLength` (and
    # the blank-refusing pattern of portal.schema) where it is sent, not where it is read.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name for value sets used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "AnswerEnum": ["yes", "no", "unsure"],
        "ServiceEnum": [
            "housing",
            "shelter",
            "medical",
            "counseling",
            "employment",
            "legal",
            "basic_needs",
            "language_access",
            "other",
        ],
    },
}

# --- Logging: no client address ever reaches a log line ---------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_addresses": {"()": "portal.logs.RedactAddressesFilter"},
        "skip_body_deadline": {"()": "portal.body_deadline.SkipBodyDeadlineTraceback"},
    },
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_addresses"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's request log: kept, but it goes through the same redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["skip_body_deadline"],
        },
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "celery": {
            "handlers": ["console"],
            "level": env_str("CELERY_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        # pikepdf announces its C++ log bridge at INFO on import; only problems matter.
        "pikepdf": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Vault (portal/vault; docs/keys.md) --------------------------------------------------------
# Cost of the key that protects each staff member's private key (Argon2id). Stored per key, so
# raising these re-seals each key at its owner's next sign-in. 64 MiB, t=3, p=4 unlock in ~0.15 s.
VAULT_ARGON2_MEMORY_KIB = env_int("VAULT_ARGON2_MEMORY_KIB", 64 * 1024)
VAULT_ARGON2_ITERATIONS = env_int("VAULT_ARGON2_ITERATIONS", 3)
VAULT_ARGON2_LANES = env_int("VAULT_ARGON2_LANES", 4)
if not DEVELOPMENT and (VAULT_ARGON2_MEMORY_KIB < 19 * 1024 or VAULT_ARGON2_ITERATIONS < 2):
    raise ImproperlyConfigured("VAULT_ARGON2_* are below the ASVS floor (19 MiB, t=2).")
# Server secrets that never enter the database (so a stolen database or backup alone yields
# nothing): the pepper on password-derived keys, the key behind receipt lookups and tipster
# keypairs, and the blind-index key. Losing one loses what depends on it: see docs/keys.md.
VAULT_PASSWORD_PEPPER = env_secret("VAULT_PASSWORD_PEPPER")
VAULT_RECEIPT_KEY = env_secret("VAULT_RECEIPT_KEY")
VAULT_INDEX_KEY = env_secret("VAULT_INDEX_KEY")
# The browser's half of the session unlock: the per-session key, HttpOnly, SameSite=Strict.
VAULT_COOKIE_NAME = "__Host-vault" if COOKIE_SECURE else "vault"

# --- Audit log --------------------------------------------------------------------------------
# Checkpoints of the audit log are signed with this Ed25519 key. The base64 of 32 random bytes
# (`manage.py audit_checkpoint --generate-key`) is the seed itself; any other string of 32+
# characters is hashed into one. Where it lives and how to rotate it: docs/audit.md.
AUDIT_SIGNING_KEY = env_secret("AUDIT_SIGNING_KEY")
# Names the log in its checkpoints and names the signing key: fixed for the life of the log.
AUDIT_CHECKPOINT_ORIGIN = env_str("AUDIT_CHECKPOINT_ORIGIN", "tip-portal.local/audit")
# Every checkpoint is also appended to this file, outside the database ("" turns it off).
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.log"))
# Verifier keys (`name+id+base64`, comma-separated) of earlier signing keys, after a rotation.
AUDIT_VERIFIER_KEYS = env_list("AUDIT_VERIFIER_KEYS", [])
AUDIT_CHECKPOINT_INTERVAL = env_int("AUDIT_CHECKPOINT_INTERVAL", 5 * 60)
CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {
    "task": "audit.tasks.write_checkpoint",
    "schedule": float(AUDIT_CHECKPOINT_INTERVAL),
}
CELERY_BEAT_SCHEDULE["audit-verify"] = {"task": "audit.tasks.verify_log", "schedule": 86400.0}
# Entries are linked into the chain right after their transaction commits (audit/sequencer.py);
# beat runs the sequencer every AUDIT_SEQUENCE_INTERVAL seconds as a backstop, and verification
# reports an entry left unlinked for more than AUDIT_SEQUENCE_GRACE seconds (no tamper evidence).
AUDIT_SEQUENCE_INTERVAL = env_int("AUDIT_SEQUENCE_INTERVAL", 15)
AUDIT_SEQUENCE_GRACE = env_int("AUDIT_SEQUENCE_GRACE", 60)
CELERY_BEAT_SCHEDULE["audit-sequence"] = {
    "task": "audit.tasks.sequence_audit",
    "schedule": float(AUDIT_SEQUENCE_INTERVAL),
}
# Audit entries to the county's SIEM: "" (off), "file:/path", "syslog+udp://host:port" or
# "syslog+unix:///dev/log" (audit/stream.py). Shipped after commit and from beat, from a cursor.
AUDIT_STREAM = env_str("AUDIT_STREAM", "")
AUDIT_STREAM_INTERVAL = env_int("AUDIT_STREAM_INTERVAL", 60)
AUDIT_STREAM_FACILITY = env_int("AUDIT_STREAM_FACILITY", 13)  # RFC 5424 "log audit"
AUDIT_STREAM_HOSTNAME = env_str("AUDIT_STREAM_HOSTNAME", "")  # default: the host's name
CELERY_BEAT_SCHEDULE["audit-stream"] = {
    "task": "audit.tasks.stream_audit",
    "schedule": float(AUDIT_STREAM_INTERVAL),
}
# The embedded default (no broker) runs the beat schedule and outbox jobs on a thread of the
# serving process (portal/embedded.py), so checkpoints are signed there too.
EMBEDDED_RUNNER = env_bool("EMBEDDED_RUNNER", default=True)
