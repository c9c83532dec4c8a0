"""Settings, read from the environment (12-factor) with embedded defaults for `make run`.

Every variable is optional. Unset, the product runs on SQLite, Celery's
`filesystem://` broker and e-mails written as files, all under `var/`.
"""

import os
import sys
import zoneinfo
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Time zones from the `tzdata` package the project pins, never the operating system's
# copy, which may be years old (a zone whose rules changed since, British Columbia's
# year-round -07 from November 2026 among them, would read an hour off, and disagree
# with the browser's preview of a due time).
zoneinfo.reset_tzpath(to=())
zoneinfo.ZoneInfo.clear_cache()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None
# A variable set empty (`NAME=` in .env, `NAME: ${NAME:-}` in a compose file) takes its
# default, as if unset: never an empty URL, number or log level, nor `HTTPS` read as off.
# Where empty says something, it is kept: no roles need a second factor, no trusted
# origins, no former keys; an empty SECRET_KEY is refused, never the development key.
KEPT_EMPTY = ("MFA_REQUIRED_ROLES", "CSRF_TRUSTED_ORIGINS", "SECRET_KEY_FALLBACKS",
              "SECRET_KEY")
env.ENVIRON = {name: value for name, value in os.environ.items()
               if value != "" or name in KEPT_EMPTY}
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# The development key is published here: with it anyone could sign a session cookie or a
# password reset link, and unseal the second-factor secrets. It serves DEBUG (`make run`)
# only; a deployment (DEBUG off) starts with a key of its own or not at all.
DEVELOPMENT_KEY = "insecure-development-key-change-me"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_KEY)


def env_list(name, default):
    """A comma-separated variable as a list, each item stripped ("a, b" is ["a", "b"]:
    a space after a comma must not make " usps_reviewer" a role no one has)."""
    return [item.strip() for item in env.list(name, default=default) if item.strip()]


SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# Commands that only read the models' schema sign nothing: a checkout's tooling runs them
# as they are (`manage.py makemigrations --check`), with no key of its own.
SCHEMA_ONLY = ("makemigrations", "showmigrations", "sqlmigrate")
if not DEBUG and DEVELOPMENT_KEY in (SECRET_KEY, *SECRET_KEY_FALLBACKS) and not (
        Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2]
        and sys.argv[1] in SCHEMA_ONLY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or the development key is kept in SECRET_KEY_FALLBACKS): "
        "with DEBUG off the product needs a long random key of its own, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`. The development "
        "key serves DEBUG only.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's list of one's sessions
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "django_countries",
    "compliance",
    "notifications",
    # Before allauth, so that its sign-in pages wear this product's templates.
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "incidents",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The container's health check, whatever Host it sends (before CommonMiddleware).
    "compliance.health.HealthBeforeHostCheckMiddleware",
    # Every API request counts against its address's rate, before its session, token or
    # body is read.
    "compliance.api.throttling.AddressLimitMiddleware",
    # Before anything reads the body: oversized uploads are refused unread.
    "compliance.uploads.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware: an API write without its trailing slash keeps its method.
    "compliance.middleware.ApiSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "compliance.middleware.UserTimezoneMiddleware",
    "compliance.middleware.StyledMethodNotAllowedMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

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
                "compliance.context_processors.sweep_watchdog",
                "notifications.failures.failed_email_count",
                "compliance.context_processors.usps_inbox_counts",
                "compliance.context_processors.authorization_banner",
            ],
            # Times, roles and names read the same on every page without a `load`.
            "builtins": ["compliance.templatetags.display"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# A password given apart from DATABASE_URL, as it is (one with `/`, `@` or `?` would have
# to be percent-encoded inside the URL).
# Read as it is (django-environ would take one starting with `$` for another variable).
if os.environ.get("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = os.environ["DATABASE_PASSWORD"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer (a host gone, packets dropped) fails a connection in
    # seconds, not after the system's two minutes of retries: requests, workers and the
    # health check's threads do not pile up waiting for it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    # PostgreSQL's JIT compiler pays off for long analytical queries; ours are short, and
    # its cost estimates start it on figures it then spends longer compiling than running.
    if not env.bool("POSTGRES_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`): web, worker and scheduler write to one file. Each
    # transaction takes the write lock when it begins and waits its turn for it (SQLite
    # would otherwise refuse a transaction that read first and then found another writing:
    # "database is locked"); write-ahead logging lets readers, a long CSV download say,
    # go on beside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "compliance.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Everything is stored and computed in UTC; each user's time zone is used for display only.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
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
WHITENOISE_USE_FINDERS = DEBUG

# --- Security: secure by default whenever DEBUG is off. ---
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# The container health check calls /healthz over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail: files under var/mail/ unless EMAIL_URL names a server. ---
if "EMAIL_URL" in env:
    vars().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
    EMAIL_FILE_PATH.mkdir(parents=True, exist_ok=True)
# Seconds an SMTP exchange may take before the attempt counts as failed.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PES Cases <no-reply@pes-cases.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: Redis in production, a folder broker under var/ by default. ---
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _default_results = f"file://{VAR_DIR / 'celery' / 'results'}"
    for _folder in ("queue", "processed", "results", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    _default_results = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_results)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Tasks act on the database; only callers that wait for an answer ask for a result.
CELERY_TASK_IGNORE_RESULT = True
# Every task is periodic and idempotent, and the database holds the work (the outbox, the
# obligations), so a task lost with a worker is simply the next run's. Acknowledging early
# also keeps no unacknowledged message to restore when the broker goes away, the path on
# which Celery 5.7.0 stops the worker (an AttributeError from kombu's Redis transport).
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers reconnect to the broker however long it is away (the default gives up after 100).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# How often the scheduler proves it is alive and a worker proves it takes tasks; /healthz
# calls the scheduler stale after 3 intervals, the worker after 2.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=30)
# How often the deadline sweep runs; pages warn USPS staff when it is 2 intervals late.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=30)
# How often the worker sends what the outbox holds (requests never call the broker).
OUTBOX_INTERVAL_SECONDS = env.int("OUTBOX_INTERVAL_SECONDS", default=5)

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.FactorCheckedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "compliance.api.pagination.PageNumberPagination",
    # The address's rate is counted earlier, by compliance.api.throttling's middleware.
    "DEFAULT_THROTTLE_CLASSES": ["compliance.api.throttling.TokenRateThrottle"],
    # The client's address is REMOTE_ADDR, or the proxy's X-Forwarded-For when BEHIND_PROXY.
    "NUM_PROXIES": 0,
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "compliance.api.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "compliance.exports.api.ContentNegotiation",
    "DEFAULT_RENDERER_CLASSES": ["compliance.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "compliance.api.parsers.BoundedJSONParser",
        "compliance.api.parsers.CharsetCheckedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "compliance.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PES security-weakness cases: provider API",
    "DESCRIPTION": "39 CFR 501.11 filings, reports and obligations. Version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name (`kind`) or a set of values get one name each.
    "ENUM_NAME_OVERRIDES": {
        "ProceedingKindEnum": "compliance.models.proceedings.ProceedingKind",
        "StepKindEnum": "compliance.models.proceedings.StepKind",
        "AuthorizationStatusEnum": "compliance.models.register.AuthorizationStatus",
        "RecordKindEnum": "compliance.enforcement.serializers.RECORD_KIND_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compliance.api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No line names a calendar feed's, an invitation's or a reset link's secret.
    "filters": {"masked_secrets": {"()": "config.access_log.MaskedSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "filters": ["masked_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Failures and lockouts are audit events: axes' own line per sign-in is noise; and
    # WeasyPrint and fontTools narrate every PDF at INFO.
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
        # Django's lines reach the root's console once (Django's own console handler,
        # active with DEBUG, printed each of them a second time).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# --- Incidents: uploads larger than this are refused with 413. ---
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)

# Pages of the extension and procedures packages inside the reports app keep their
# templates beside their code.
TEMPLATES[0]["DIRS"] += [BASE_DIR / "reports" / "extensions" / "templates",
                         BASE_DIR / "reports" / "procedures" / "templates"]
# § 501.11(d): days a provider has to file its internal reporting procedures once
# registered (or once USPS asks for changes).
PROCEDURES_DUE_DAYS = env.int("PROCEDURES_DUE_DAYS", default=30)

# --- Cache: rate limits, lockout counters and used TOTP codes must be shared by every
# web process, so production points REDIS_URL at Redis; one process can keep them in memory.
if "REDIS_URL" in env:
    # Answers as an empty cache while Redis is away (config/cache.py); a Redis that hangs
    # holds a request up for half a second at most.
    CACHES = {"default": {"BACKEND": "config.cache.SharedCache",
                          "LOCATION": env.str("REDIS_URL"),
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# --- Accounts: sign-in and password reset (django-allauth), no self sign-up. ---
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or second factor changes
ACCOUNT_SESSION_REMEMBER = False  # the session cookie ends with the browser
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failures per username are django-axes' business (below, visible to USPS managers);
# allauth keeps counting failures per address, and per account the wrong second-factor
# codes (the same rule, keyed by the account at the code step: from however many
# addresses, a code is guessed twice LOGIN_FAILURE_LIMIT times at most in the window;
# wrong passwords for a username meet django-axes' lock well before).
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
ACCOUNT_RATE_LIMITS = {
    "login_failed": (f"{LOGIN_FAILURES_PER_ADDRESS}/{LOGIN_LOCKOUT_MINUTES}m/ip,"
                     f"{2 * LOGIN_FAILURE_LIMIT}/{LOGIN_LOCKOUT_MINUTES}m/key"),
}
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
if BEHIND_PROXY:
    ALLAUTH_TRUSTED_PROXY_COUNT = 1

# --- Second factor (allauth.mfa): TOTP with recovery codes, and security keys. ---
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="PES cases")
MFA_PASSKEY_LOGIN_ENABLED = False  # a key is a second factor here, never a password
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # keys on http://127.0.0.1 in `make run`
# Roles that must hold a second factor; an empty value turns the requirement off.
# Checked at start (compliance.checks): a misspelt role would drop its second factor.
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", ["usps_manager", "usps_reviewer", "provider_officer"])

# --- Lockout (django-axes): failures per username, kept in the database. ---
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the lockout parameters; addresses are throttled by
# allauth (LOGIN_FAILURES_PER_ADDRESS), so that one office behind one address is not locked
# out by a few colleagues' typing mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A lockout lasts its cool-off from the failure that caused it, however often it is retried.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.signin.attempted_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.signin.locked_out"
# One chain of failures per username, from any browser or address.
AXES_HANDLER = "accounts.signin.ChainedFailuresHandler"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# --- Sessions: an idle timeout and an absolute lifetime, both enforced on the server. ---
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60  # the idle timeout
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- API throttling (DRF): per token (or signed-in person) and per client address. ---
API_RATES = {
    "token": env.str("API_RATE_PER_TOKEN", default="300/minute"),
    "address": env.str("API_RATE_PER_ADDRESS", default="600/minute"),
}
if BEHIND_PROXY:
    REST_FRAMEWORK["NUM_PROXIES"] = 1

# --- Headers: a Content-Security-Policy without inline scripts, and a Permissions-Policy. ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Scripts are files of our own; a template that must inline one uses the nonce.
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the TOTP QR code and the API docs' icons.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture",
        "encrypted-media", "fullscreen", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "xr-spatial-tracking")
} | {"publickey-credentials-get": "self", "publickey-credentials-create": "self"}

# Every date and time the product accepts lies in these years (inclusive): typing
# mistakes and values the database or the deadline arithmetic cannot hold are refused.
SANE_YEARS = tuple(env.list("SANE_YEARS", cast=int, default=[1990, 2100]))
