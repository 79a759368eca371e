"""Django settings, all from ``ORDO_*`` environment variables with safe defaults for the embedded setup."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ORDO_VAR_DIR", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def _secret_key() -> str:
    """ORDO_SECRET_KEY, or for the embedded setup a random key kept in ``var/secret_key`` (mode 0600)."""
    key = os.environ.get("ORDO_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


DEBUG = _flag("ORDO_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ORDO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("ORDO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "ordo.business",
    "ordo.accounts",
    "ordo.orders",
    "ordo.payments",
    "ordo.notifications",
    "ordo.delivery",
    "ordo.jobs",
    "ordo.catalog",
    "ordo.documents",
    "django_htmx",
    "ordo.web",
    "ordo.desk",
    "ordo.portal",
    "ordo.taxes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ordo.web.middleware.UserLanguageMiddleware",
    "ordo.web.middleware.UserTimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ordo.web.middleware.ContentSecurityPolicyMiddleware",
    # Last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling for staff and customers alike (django-axes): after ORDO_LOGIN_FAILURE_LIMIT
# failed logins for one username from one address, logins stop for ORDO_LOGIN_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ORDO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ORDO_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Public forms (guest checkout, sign-up): at most this many sends per hour from one address, and
# for one e-mail address; the forms also carry a honeypot field that people never see.
ORDO_PUBLIC_FORM_LIMIT = int(os.environ.get("ORDO_PUBLIC_FORM_LIMIT", "20"))

ROOT_URLCONF = "ordo.urls"
WSGI_APPLICATION = "ordo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each app keeps its own pages; the shared layout is web/base.html.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ordo.web.context.business",
                "ordo.web.context.permissions",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("ORDO_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ordo.sqlite3'}"
    # Each web thread keeps its connection between requests (opening one registers the backend's
    # functions and runs the PRAGMAs: about as long as a small request).
    config = dj_database_url.parse(url, conn_max_age=600)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Django's backend with writers queued on a lock file rather than in SQLite's sleeping
        # busy handler (ordo/sqlite/base.py).
        config["ENGINE"] = "ordo.sqlite"
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" mid-transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if os.environ.get("ORDO_DATABASE_PREPARED", "on") != "off":
            # Parameters bound by the server, and each statement prepared once a connection has run
            # it five times (psycopg's threshold), so PostgreSQL plans it once rather than per
            # request: the API answer's seven-table join spent 2.6 ms planning against 0.2 ms
            # running. "off" for a connection pooler in transaction mode that cannot keep them.
            config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    return dict(config)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ordo.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("ORDO_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("pl", "Polski"), ("fi", "Suomi")]
TIME_ZONE = os.environ.get("ORDO_TIME_ZONE", "UTC")
USE_I18N = True
# Ordo's own translations (pages, labels, errors), compiled by `make` (scripts/messages.sh).
LOCALE_PATHS = [BASE_DIR / "locale"]
LOGIN_URL = "/signin"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded print files and their archives (one directory every web and worker process shares).
MEDIA_ROOT = Path(os.environ.get("ORDO_MEDIA_DIR", VAR_DIR / "media")).resolve()
ORDO_PRINT_FILE_MAX_MB = int(os.environ.get("ORDO_PRINT_FILE_MAX_MB", "50"))
ORDO_PRINT_FILES_MAX = int(os.environ.get("ORDO_PRINT_FILES_MAX", "20"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Serving over HTTPS (see README, configuration). The embedded setup on http://127.0.0.1 keeps
# them off; a public installation turns them on.
#: Cookies (session, CSRF) only over HTTPS.
ORDO_SECURE_COOKIES = _flag("ORDO_SECURE_COOKIES")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ORDO_SECURE_COOKIES
#: Strict-Transport-Security for this many seconds (0: not sent). A year is 31536000.
SECURE_HSTS_SECONDS = int(os.environ.get("ORDO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("ORDO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("ORDO_HSTS_PRELOAD")
#: Redirect plain HTTP to HTTPS.
SECURE_SSL_REDIRECT = _flag("ORDO_SSL_REDIRECT")
#: Behind a load balancer or proxy that ends TLS and says so in X-Forwarded-Proto (only then: a
#: client could send the header itself to a server that faces the internet directly).
if _flag("ORDO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = _flag("ORDO_USE_X_FORWARDED_HOST")
#: The Content Security Policy sent with every page and API answer; empty: none.
ORDO_CSP = os.environ.get(
    "ORDO_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ORDO_LOG_LEVEL", "WARNING")},
    # WeasyPrint's font subsetting (fontTools) talks at INFO about every font it writes.
    "loggers": {"fontTools": {"level": "ERROR", "handlers": [], "propagate": False}},
}

# Ordo's own settings.
ORDO_PUBLIC_URL = os.environ.get("ORDO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The business's own details: e-mails and the documents (invoice, contract, act) show them.
ORDO_BUSINESS_NAME = os.environ.get("ORDO_BUSINESS_NAME", "Ordo")
ORDO_BUSINESS_ADDRESS = os.environ.get("ORDO_BUSINESS_ADDRESS", "")
ORDO_BUSINESS_TAX_ID = os.environ.get("ORDO_BUSINESS_TAX_ID", "")
ORDO_BUSINESS_BANK = os.environ.get("ORDO_BUSINESS_BANK", "")  # account details for invoices; "\n" for lines
ORDO_BUSINESS_EMAIL = os.environ.get("ORDO_BUSINESS_EMAIL", "")
ORDO_BUSINESS_PHONE = os.environ.get("ORDO_BUSINESS_PHONE", "")
#: "all": managers see every order; "own": only the orders they manage.
ORDO_MANAGER_SCOPE = os.environ.get("ORDO_MANAGER_SCOPE", "all")
#: New orders get the manager who registered the customer.
ORDO_MANAGER_AUTO_ASSIGN = _flag("ORDO_MANAGER_AUTO_ASSIGN", default=True)
#: New orders whose items fit exactly one contractor get that contractor.
ORDO_CONTRACTOR_AUTO_ASSIGN = _flag("ORDO_CONTRACTOR_AUTO_ASSIGN", default=True)
ORDO_ORDER_NUMBER_START = int(os.environ.get("ORDO_ORDER_NUMBER_START", "50001"))

# Notifications (see docs/notifications.md).
ORDO_EMAIL_URL = os.environ.get("ORDO_EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("ORDO_EMAIL_FROM", "Ordo <ordo@localhost>")
ORDO_SMS_PROVIDER = os.environ.get("ORDO_SMS_PROVIDER", "")  # "vonage" or "twilio"; empty: SMS off
ORDO_SMS_BASE_URL = os.environ.get("ORDO_SMS_BASE_URL", "")
ORDO_SMS_FROM = os.environ.get("ORDO_SMS_FROM", "Ordo")
ORDO_SMS_API_KEY = os.environ.get("ORDO_SMS_API_KEY", "")  # Vonage key, or Twilio account SID
ORDO_SMS_API_SECRET = os.environ.get("ORDO_SMS_API_SECRET", "")  # Vonage secret, or Twilio auth token
ORDO_WEBHOOK_CACHE_SECONDS = float(os.environ.get("ORDO_WEBHOOK_CACHE_SECONDS", "5"))
ORDO_WORKER_POLL_SECONDS = float(os.environ.get("ORDO_WORKER_POLL_SECONDS", "0.25"))
ORDO_TIMER_SWEEP_SECONDS = float(os.environ.get("ORDO_TIMER_SWEEP_SECONDS", "60"))
ORDO_WORKER_LEASE_SECONDS = int(os.environ.get("ORDO_WORKER_LEASE_SECONDS", "300"))
# The dashboard lists orders still owing this many days after they were placed.
ORDO_PAYMENT_DUE_DAYS = int(os.environ.get("ORDO_PAYMENT_DUE_DAYS", "7"))
ORDO_COURIER_LINK_DAYS = int(os.environ.get("ORDO_COURIER_LINK_DAYS", "7"))
ORDO_DELIVERY_ESTIMATE_HOURS = int(os.environ.get("ORDO_DELIVERY_ESTIMATE_HOURS", "48"))

# Payments (see docs/payments.md). Secrets come from the environment only.
ORDO_PAYMENT_STRIPE_SECRET_KEY = os.environ.get("ORDO_PAYMENT_STRIPE_SECRET_KEY", "")
ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET = os.environ.get("ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET", "")
ORDO_PAYMENT_STRIPE_API_BASE = os.environ.get("ORDO_PAYMENT_STRIPE_API_BASE", "")
#: Secrets of HMAC-signed gateways, by channel code: ORDO_PAYMENT_PAYPAL_SECRET for "paypal".
ORDO_PAYMENT_HMAC_SECRETS = {
    key[len("ORDO_PAYMENT_") : -len("_SECRET")].lower(): value
    for key, value in os.environ.items()
    if key.startswith("ORDO_PAYMENT_") and key.endswith("_SECRET") and not key.startswith("ORDO_PAYMENT_STRIPE_")
}
