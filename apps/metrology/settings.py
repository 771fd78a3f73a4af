"""Settings of one site: everything instance-specific comes from `sites/<name>/site_config.json`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from metrology.core.sites import SiteError, load_site

PACKAGE_DIR = Path(__file__).resolve().parent

try:
    SITE = load_site()
except SiteError as exc:
    raise ImproperlyConfigured(str(exc)) from exc



def _flag(key: str, default: bool) -> bool:
    try:
        return SITE.flag(key, default)
    except SiteError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


SECRET_KEY = SITE.config["secret_key"]
DEBUG = _flag("debug", False)
ALLOWED_HOSTS = list(SITE.setting("allowed_hosts", ["127.0.0.1", "localhost"]))
CSRF_TRUSTED_ORIGINS = list(SITE.setting("csrf_trusted_origins", []))
INSTITUTE_NAME = SITE.setting("institute_name", "")
# The address the public reaches the platform at: certificates' QR codes point at its verification page.
PUBLIC_URL = str(SITE.setting("public_url", "http://127.0.0.1:8000"))
# The institute's signing key, its CA and its seal image (certificates.signing_setup replaces them).
SIGNING_DIR = SITE.keys_dir / "signing"
# WebAuthn (fingerprint or face when signing): by default the request's host name and origin.
METROLOGY_WEBAUTHN_RP_ID = SITE.setting("webauthn_rp_id", "")
METROLOGY_WEBAUTHN_ORIGINS = SITE.setting("webauthn_origins", [])  # one origin as text, or a list

INSTALLED_APPS = [
    "metrology.core.apps.CoreConfig",
    "metrology.accounts.apps.AccountsConfig",
    "metrology.doctype.apps.DoctypeConfig",
    "metrology.numbering.apps.NumberingConfig",
    "metrology.regulations.apps.RegulationsConfig",
    "metrology.print_formats.apps.PrintFormatsConfig",
    "metrology.records.apps.RecordsConfig",
    "metrology.devices.apps.DevicesConfig",
    "metrology.mobile.apps.MobileConfig",
    "metrology.passkeys.apps.PasskeysConfig",
    "metrology.workflow.apps.WorkflowConfig",
    "metrology.certificates.apps.CertificatesConfig",
    "metrology.reports.apps.ReportsConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    # The Content-Security-Policy goes on every answer, a refusal included; then a body above its
    # limit is refused before anything below could read it (core/limits.py).
    "metrology.core.security_headers.SecurityHeadersMiddleware",
    "metrology.core.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "metrology.core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "metrology.devices.middleware.DeviceSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "metrology.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "metrology.urls"
WSGI_APPLICATION = "metrology.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "metrology.core.context_processors.institute",
                "metrology.workflow.desk.waiting_count",
            ],
        },
    },
]


# Seconds a write waits for a lock before the request is answered 503 "busy, retry" (core/busy.py).
DATABASE_LOCK_TIMEOUT = int(SITE.setting("database_lock_timeout", 20))
BUSY_RETRY_AFTER_SECONDS = 5


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE + WAL: SQLite has no SELECT … FOR UPDATE, so writers must queue up front
        # (TECH-NOTES §6: 0 of 400 allocations failed with it, 346 of 400 without).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": DATABASE_LOCK_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                            "PRAGMA temp_store=MEMORY;",
        }
    elif engine == "django.db.backends.mysql":
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES', innodb_strict_mode=1, "
                            f"innodb_lock_wait_timeout={DATABASE_LOCK_TIMEOUT}",
            "isolation_level": "read committed",
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    elif engine not in ("django.db.backends.postgresql",):
        raise ImproperlyConfigured(f"Unsupported database in {SITE.path}: {url.split(':', 1)[0]}")
    return config


DATABASES = {"default": _database(SITE.database_url)}
# The audit chain's key and checkpoints live outside the database (core/audit_anchor.py).
METROLOGY_AUDIT_KEY_FILE = SITE.audit_key_path
METROLOGY_AUDIT_CHECKPOINTS = SITE.audit_checkpoints_path
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "metrology.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:index"
LOGOUT_REDIRECT_URL = "login"

# A session lasts `session_minutes` of inactivity (default 8 h), never more than 12 h whatever
# the site says (docs/site-settings.md).
SESSION_MAX_MINUTES = 12 * 60
SESSION_COOKIE_AGE = max(1, min(int(SITE.setting("session_minutes", 480)), SESSION_MAX_MINUTES)) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.SessionMiddleware extends a session once a minute
SESSION_COOKIE_HTTPONLY = True

# `https`: the site is reached over HTTPS only. `behind_proxy`: a reverse proxy terminates TLS and
# sets X-Forwarded-Proto itself (turn it on only then: otherwise a client could claim HTTPS).
HTTPS = _flag("https", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # monitors inside the network may ask over plain HTTP
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
if _flag("behind_proxy", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AXES_FAILURE_LIMIT = int(SITE.setting("lockout_failures", 5))
AXES_COOLOFF_TIME = int(SITE.setting("lockout_minutes", 30)) / 60
# Per account, not per address: an institute's staff often share one NAT address, and locking
# that would lock out the whole office (hence axes.W006 is silenced below).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "metrology.accounts.views.lockout_response"
AXES_USERNAME_CALLABLE = "metrology.accounts.usernames.axes_username"  # one count per account (#8)
# API tokens (#8): they expire, and end with a password change or a disable.
API_TOKEN_HOURS = float(SITE.setting("token_hours", 12))
AXES_VERBOSE = False

# The UI is Simplified Chinese whatever the browser asks for; a site may choose otherwise.
LANGUAGE_CODE = SITE.setting("language", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = SITE.setting("time_zone", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = SITE.path / "static"
# Front-end libraries come from npm (package.json), installed into node_modules/ by `make setup`;
# core.checks fails the start when one is missing.
NODE_MODULES = Path(SITE.setting("node_modules", str(PACKAGE_DIR.parent.parent / "node_modules")))
VENDOR_STATIC = {"signature_pad": NODE_MODULES / "signature_pad" / "dist",
                 "chart.js": NODE_MODULES / "chart.js" / "dist"}
STATICFILES_DIRS = [PACKAGE_DIR / "static", *((f"vendor/{name}", path) for name, path in VENDOR_STATIC.items())]
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when `collectstatic` has not run
MEDIA_URL = "files/"
MEDIA_ROOT = SITE.files_dir
# A request body above its limit is refused (413) before it is read (core/limits.py): by default a
# little above the largest layout (10 MiB); the regulation library takes files up to 50 MiB.
# Uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not memory.
REQUEST_BODY_MAX_BYTES = int(SITE.setting("upload_max_mb", 12)) * 1024 * 1024
REQUEST_BODY_LIMITS_BY_PATH = {
    "/desk/regulations/": int(SITE.setting("regulation_upload_max_mb", 52)) * 1024 * 1024,
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "metrology.accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "metrology.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "metrology.core.limits.DepthBoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Metrology platform API",
    "DESCRIPTION": "JSON API of the metrology data and certificate platform (计量检测数据与证书平台).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

if SITE.job_backend == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": SITE.redis_url, "DEFAULT_TIMEOUT": 600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"metrology": {"level": "INFO"}},
}
