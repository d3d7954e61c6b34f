"""Django settings for Introloop, read from the environment.

Every variable is documented in README.md ("Configuration"). Nothing here keeps state that
several processes would need to share: sessions, rate limits and mail all live in the database.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def read_or_create_secret_key(path: Path) -> str:
    """Return the key stored at `path`, creating it once; safe when processes start together."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: if another process created the file first, we read theirs instead.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def parse_email_url(url: str) -> dict:
    """Turn EMAIL_URL (smtp://user:pass@host:port?tls=1) into SMTP connection settings."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "submission"):
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtps:// or submission://")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must name a host, e.g. smtp://mail.example.com:587")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}

    def flag(key: str, default: bool) -> bool:
        return query.get(key, "1" if default else "0") in ("1", "true", "yes", "on")

    default_port = {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme]
    use_ssl = flag("ssl", parts.scheme == "smtps")
    use_tls = flag("tls", parts.scheme == "submission") and not use_ssl
    return {
        "host": parts.hostname,
        "port": parts.port or default_port,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": use_ssl,
        "use_tls": use_tls,
        "timeout": int(query.get("timeout", "20")),
    }


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("INTROLOOP_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_secret_key(DATA_DIR / "secret_key")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Introloop")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(
        "SITE_URL must be an absolute http(s) URL, e.g. https://intros.example.org"
    )
SITE_IS_HTTPS = _site.scheme == "https"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [_site.hostname, "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "ninja",
    "introloop.accounts",
    "introloop.outbox",
    "introloop.network",
    "introloop.intros",
    "introloop.goals",
    "introloop.capture",
    "introloop.reminders",
    "introloop.timeline",
    "introloop.search",
    "introloop.portability",
    "introloop.api",
    "introloop.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "introloop.accounts.middleware.UserTimeZoneMiddleware",
    "introloop.ops.middleware.StorageErrorMiddleware",
]

ROOT_URLCONF = "introloop.urls"
WSGI_APPLICATION = "introloop.wsgi.application"

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
                "introloop.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'introloop.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so tests can start worker subprocesses against the test database.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test_introloop.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Nothing relies on a cache for correctness; a per-process cache would be wrong across
# several web processes, so there is none.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "accounts:login"
REGISTRATION_OPEN = envbool("REGISTRATION_OPEN", True)
# Email verification and password reset links stay valid this long (Django's own setting).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
# Emails sent for someone to people without an account (opt-in questions, introductions), per
# account per 24 hours: fewer for accounts younger than NEW_ACCOUNT_DAYS.
OTHERS_EMAILS_PER_DAY_NEW = envint("OTHERS_EMAILS_PER_DAY_NEW", 20)
OTHERS_EMAILS_PER_DAY = envint("OTHERS_EMAILS_PER_DAY", 100)
NEW_ACCOUNT_DAYS = envint("NEW_ACCOUNT_DAYS", 30)
# Nobody else hears that a step is late (a heads-up to the connector, a check-in to the
# target) before its owner was reminded of it and had this many days after that.
OWNER_GRACE_DAYS = envint("OWNER_GRACE_DAYS", 2)

# Failed logins: at most LOGIN_FAILURE_LIMIT per address (and 4x that per client IP) per window.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 15 * 60)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 30 * 24 * 3600)

# --- Email ----------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Introloop <noreply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every message Django or Introloop sends is written to the outbox table; the worker delivers it.
EMAIL_BACKEND = "introloop.outbox.backends.OutboxBackend"
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
SMTP = parse_email_url(EMAIL_URL) if EMAIL_URL else None
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 12)
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 300)

# --- Static files, i18n, time ---------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------------------------

TRUST_PROXY_HEADERS = envbool("TRUST_PROXY_HEADERS", False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SITE_IS_HTTPS and TRUST_PROXY_HEADERS)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SITE_IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS", [])
if SECURE_HSTS_SECONDS:
    # Subdomains and the preload list affect every site on the domain: the operator's call.
    if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
        SILENCED_SYSTEM_CHECKS.append("security.W005")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
CSRF_FAILURE_VIEW = "introloop.views.csrf_failure"

DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# Largest contacts file accepted for import (a 20,000-connection LinkedIn export is ~3 MB).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Files of more rows than this are imported by the worker in the background, in batches.
# Capture from email (docs/capture.md): each account's private address is
# <token>@CAPTURE_DOMAIN, or <CAPTURE_LOCALPART>+<token>@CAPTURE_DOMAIN when one catch-all
# mailbox with plus-addressing receives it (IMAP). Unset: capture is off.
CAPTURE_DOMAIN = os.environ.get("CAPTURE_DOMAIN", "").strip().lower()
CAPTURE_LOCALPART = os.environ.get("CAPTURE_LOCALPART", "").strip().lower()
CAPTURE_MAX_BYTES = envint("CAPTURE_MAX_BYTES", 10 * 1024 * 1024)
# The authserv-id of the trusted MTA whose Authentication-Results say DMARC passed; unset:
# no such MTA, and a message from a verified address is trusted on its From alone.
CAPTURE_AUTHSERV_ID = os.environ.get("CAPTURE_AUTHSERV_ID", "").strip().lower()
# Days a read message's raw bytes stay (to replay a parser fix) unless its owner keeps them.
CAPTURE_KEEP_DAYS = envint("CAPTURE_KEEP_DAYS", 30)
CAPTURE_IMAP_URL = os.environ.get("CAPTURE_IMAP_URL", "").strip()
# Mail about an introduction also names its record (ilk.<key>@CAPTURE_DOMAIN) in Reply-To,
# so that replies reach capture without anyone's Bcc; off: only References carry the key.
CAPTURE_REPLY_TO = envbool("CAPTURE_REPLY_TO", True)
# `introloop serve` also starts `introloop mailin` on this port when set.
MAILIN_PORT = envint("MAILIN_PORT", 0)
MAILIN_HOST = os.environ.get("MAILIN_HOST", "0.0.0.0")  # noqa: S104 - it is an MX
# A certificate (PEM; the key in MAILIN_TLS_KEY or in the same file) makes mailin offer STARTTLS.
MAILIN_TLS_CERT = os.environ.get("MAILIN_TLS_CERT", "").strip()
MAILIN_TLS_KEY = os.environ.get("MAILIN_TLS_KEY", "").strip()
# A mail provider's inbound webhook (django-anymail), mounted at /capture/webhooks/<esp>/inbound/
# only when set: the "user:password" the provider sends as HTTP basic auth. Providers that sign
# their posts take their key as anymail's setting in an ANYMAIL_<NAME> environment variable
# (e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).
CAPTURE_WEBHOOK_SECRET = os.environ.get("CAPTURE_WEBHOOK_SECRET", "").strip()
ANYMAIL = {
    **{k.removeprefix("ANYMAIL_"): v for k, v in os.environ.items() if k.startswith("ANYMAIL_")},
    "WEBHOOK_SECRET": CAPTURE_WEBHOOK_SECRET,
}
if CAPTURE_WEBHOOK_SECRET:
    INSTALLED_APPS.append("anymail")

IMPORT_BACKGROUND_ROWS = envint("IMPORT_BACKGROUND_ROWS", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

FORM_RENDERER = "introloop.form_rendering.FormRenderer"
