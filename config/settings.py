"""Settings for the Justice Fund system, read from the environment.

DATABASE_URL     sqlite:///var/db.sqlite3 by default; postgres://... supported
SECRET_KEY       required in production; without it, a local clone uses JFS_DATA_DIR/secret_key
                 (written by scripts/up.sh), DEBUG and the tests a fixed development key,
                 and anything else refuses to start
DEBUG            "1" only for development on your own machine (debug pages show local variables)
ALLOWED_HOSTS    comma-separated
JFS_DATA_DIR     where the SQLite file, uploaded documents (outside the web root) and the
                 local secret key live; default var/
JFS_LOG_FORMAT   "text" (default here) or "json" (one JSON object per line; the default of the
                 production profile, config/settings_production.py)
JFS_METRICS_TOKEN, JFS_METRICS_ALLOWED_IPS   who may read /metrics (jfs/core/metrics.py)

Production runs with DJANGO_SETTINGS_MODULE=config.settings_production (docs/production.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(os.environ.get("JFS_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
#: the random key scripts/up.sh writes for a local clone (the data directory is git-ignored)
LOCAL_SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """SECRET_KEY from the environment (production); else this clone's key written by
    scripts/up.sh, so the README's commands work from a new shell; else a fixed key for
    DEBUG or the tests. Anything else is a misconfigured server: fail loudly."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if LOCAL_SECRET_KEY_FILE.is_file():
        key = LOCAL_SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
        if key:
            return key
    if DEBUG or os.environ.get("JFS_TESTING"):
        return "dev-only-insecure-key-change-me"
    raise RuntimeError(
        f"SECRET_KEY must be set when DEBUG is off (for a local clone, scripts/up.sh writes "
        f"{LOCAL_SECRET_KEY_FILE} once)"
    )


SECRET_KEY = _secret_key()
#: manage.py demo_data may run (the production profile turns it off: demo accounts have a published
#: password and TOTP secret)
JFS_DEMO_DATA_ALLOWED = True
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

DOCUMENT_ROOT = DATA_DIR / "documents"
DOCUMENT_MAX_BYTES = int(os.environ.get("JFS_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))
#: images with more pixels are refused (decompression bombs); an A4 page scanned at 600 dpi is 35 million
DOCUMENT_MAX_PIXELS = int(os.environ.get("JFS_DOCUMENT_MAX_PIXELS", 50_000_000))
#: uploads the malware scanner found infected or could not scan: kept, never served
DOCUMENT_QUARANTINE_ROOT = DATA_DIR / "quarantine"
#: malware scanning of uploads: "" (none) or "clamd" (ClamAV's daemon, INSTREAM over TCP or a Unix socket)
JFS_MALWARE_SCANNER = os.environ.get("JFS_MALWARE_SCANNER", "").strip().lower()
if JFS_MALWARE_SCANNER not in {"", "clamd"}:
    raise RuntimeError(f"JFS_MALWARE_SCANNER must be empty or 'clamd', not {JFS_MALWARE_SCANNER!r}")
JFS_CLAMD_HOST = os.environ.get("JFS_CLAMD_HOST", "127.0.0.1")
JFS_CLAMD_PORT = int(os.environ.get("JFS_CLAMD_PORT", "3310"))
JFS_CLAMD_SOCKET = os.environ.get("JFS_CLAMD_SOCKET", "")  # a Unix socket path; used instead of host and port
JFS_CLAMD_TIMEOUT = float(os.environ.get("JFS_CLAMD_TIMEOUT", "30"))  # seconds for the whole scan
WORKFLOW_DIR = BASE_DIR / "workflows"
#: one folder per service: services/<CODE>/service.yaml (docs/services.md)
JFS_SERVICES_DIR = BASE_DIR / "services"

INSTALLED_APPS = [
    # the admin site is jfs.accounts.admin_site.JfsAdminSite: staff sign-in (password + TOTP) only
    "jfs.accounts.adminconfig.JfsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Django Ninja serves Swagger UI at /api/v1/docs from its own static files (not a CDN)
    "ninja",
    "jfs.core",
    "jfs.accounts",
    "jfs.audit",
    "jfs.cases",
    "jfs.eligibility",
    "jfs.decisions",
    "jfs.finance",
    "jfs.bail",
    "jfs.recovery",
    "jfs.lawyers",
    "jfs.grants",
    "jfs.notify",
    "jfs.citizens",
    "jfs.applications",
    "jfs.tracking",
    "jfs.complaints",
    "jfs.consultations",
    "jfs.knowledge",
    "jfs.portal",
    "jfs.staff",
    "jfs.api",
    "jfs.exchange",
    "jfs.demo",
]

MIDDLEWARE = [
    "jfs.core.metrics.MetricsMiddleware",  # first: counts redirects and errors too
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jfs.core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jfs.core.middleware.RequestContextMiddleware",
    "jfs.core.middleware.NoStoreMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jfs.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:queue"

# Repeated failed log-ins (password, one-time code or activation code) lock that username from
# that address for a while. Counting per username *and* address means nobody can lock a named
# officer out of their own office by typing wrong passwords from elsewhere; an office behind one
# NAT address is not shut out as a whole either. Administrators lift a lockout in /admin/.
AXES_FAILURE_LIMIT = int(os.environ.get("JFS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("JFS_LOCKOUT_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jfs.core.middleware.client_ip"
# what django-axes must never store or log as typed: passwords, one-time codes, activation codes
AXES_SENSITIVE_PARAMETERS = ["password", "token", "code", "otp_token"]
JFS_TRUST_X_FORWARDED_FOR = env_bool("JFS_TRUST_X_FORWARDED_FOR", False)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_HTTP_RESPONSE_CODE = 403

OTP_TOTP_ISSUER = "Justice Fund JFS"
#: an activation code (needed to enrol an authenticator app) lives this many hours
JFS_ACTIVATION_HOURS = int(os.environ.get("JFS_ACTIVATION_HOURS", "72"))
#: API tokens: default and longest lifetime in days
JFS_API_TOKEN_DAYS = int(os.environ.get("JFS_API_TOKEN_DAYS", "90"))
JFS_API_TOKEN_MAX_DAYS = int(os.environ.get("JFS_API_TOKEN_MAX_DAYS", "365"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every page, in every profile: scripts, styles, fonts
# and images from this site only; no inline script, style attribute or event handler anywhere
# (tests/test_production_settings.py scans the templates); never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# /metrics (jfs/core/metrics.py): only from these addresses (IPs or networks, the socket's
# address) and, when a token is set, with "Authorization: Bearer <token>"; otherwise 404
METRICS_TOKEN = os.environ.get("JFS_METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = [
    a.strip() for a in os.environ.get("JFS_METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if a.strip()
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("JFS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("JFS_HEARTBEAT_SECONDS", "60"))

#: "text" for people, "json" for log shipping (config/settings_production.py defaults to json)
LOG_FORMAT = os.environ.get("JFS_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise RuntimeError(f'JFS_LOG_FORMAT must be "text" or "json", not {LOG_FORMAT!r}')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_pii": {"()": "jfs.core.logging.RedactPersonalData"},
        "request_id": {"()": "jfs.core.logging.RequestId"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # {"time": …, "level": …, "logger": …, "message": …, "request_id": …, "exc_info": …}
        "json": {"()": "jfs.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["no_pii", "request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default handlers have no personal-data filter: with DEBUG on, its "console"
        # handler printed 404 paths and 500 tracebacks as they were. Everything goes to ours.
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # an INFO line at every start-up otherwise
        # PDF letters and minutes: WeasyPrint logs each rendering step, fontTools each subsetting one
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's request lines ("GET /staff/requests/?q=… HTTP/1.1") go through the same
        # filter, which drops query strings
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


# --- Notifications (jfs.notify, docs/notifications.md): the gateways behind SMS, e-mail and LINE.
# By default they point at the local simulator (python -m gateway_sim, started by scripts/up.sh);
# production sets the provider's URL and credentials. Tests use the in-memory gateway unless a
# test starts the simulator (tests/gateway_support.py).
JFS_PORTAL_URL = os.environ.get("JFS_PORTAL_URL", "http://127.0.0.1:8000")
JFS_NOTIFY_TIMEOUT = float(os.environ.get("JFS_NOTIFY_TIMEOUT", "5"))
JFS_SMS_BASE_URL = os.environ.get("JFS_SMS_BASE_URL", "http://127.0.0.1:8092/thaibulksms")
JFS_SMS_API_KEY = os.environ.get("JFS_SMS_API_KEY", "jfs-sms-key")
JFS_SMS_API_SECRET = os.environ.get("JFS_SMS_API_SECRET", "jfs-sms-secret")
JFS_SMS_SENDER = os.environ.get("JFS_SMS_SENDER", "JFUND")
JFS_LINE_BASE_URL = os.environ.get("JFS_LINE_BASE_URL", "http://127.0.0.1:8092/line")
JFS_LINE_CHANNEL_TOKEN = os.environ.get("JFS_LINE_CHANNEL_TOKEN", "jfs-line-channel-token")
JFS_NOTIFY_FROM_EMAIL = os.environ.get("JFS_NOTIFY_FROM_EMAIL", "no-reply@justicefund.local")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "8025"))
JFS_NOTIFY_GATEWAYS: dict[str, str] = {}
if os.environ.get("JFS_TESTING"):
    JFS_NOTIFY_GATEWAYS = {c: "jfs.notify.gateways.Memory" for c in ("sms", "email", "line")}

# Citizens' sign-in on the portal (docs/portal-sign-in.md): the state digital ID over OpenID Connect
# (the local simulator ``python -m oidc_sim`` by default) and one-time codes by SMS or e-mail.
# The redirect URI is derived from each request (``/sign-in/digital-id/callback/``).
DIGITAL_ID_ISSUER = os.environ.get("JFS_DIGITAL_ID_ISSUER", "http://127.0.0.1:8091").rstrip("/")
DIGITAL_ID_CLIENT_ID = os.environ.get("JFS_DIGITAL_ID_CLIENT_ID", "jfs-portal")
DIGITAL_ID_CLIENT_SECRET = os.environ.get("JFS_DIGITAL_ID_CLIENT_SECRET", "jfs-local-oidc-secret")
DIGITAL_ID_SCOPES = "openid pid title given_name family_name name birthdate address gender"
DIGITAL_ID_TIMEOUT = float(os.environ.get("JFS_DIGITAL_ID_TIMEOUT", "10"))
ONE_TIME_CODE_MINUTES = 10  # a code expires this long after it is sent
ONE_TIME_CODE_ATTEMPTS = 5  # wrong tries before a code stops working
ONE_TIME_CODES_PER_HOUR = 5  # codes sent to one address in an hour
