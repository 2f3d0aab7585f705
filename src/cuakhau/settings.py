"""Django settings, read from the environment with safe development defaults.

CUAKHAU_DATA_DIR holds everything an installation writes: the SQLite file, uploaded files,
collected static files and signing keys. It defaults to ``var/`` in the checkout (ignored by git).
"""

import datetime as dt
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _proxy_hops() -> int:
    from django.core.exceptions import ImproperlyConfigured

    text = os.environ.get("CUAKHAU_PROXY_HOPS", "0").strip()
    if not text.isascii() or not text.isdigit() or int(text) > 10:
        raise ImproperlyConfigured("CUAKHAU_PROXY_HOPS: the number of reverse proxies, 0 to 10")
    return int(text)


DATA_DIR = Path(os.environ.get("CUAKHAU_DATA_DIR", CHECKOUT_DIR / "var")).resolve()

DEBUG = env_flag("DEBUG")
DEMO_MODE = env_flag("CUAKHAU_DEMO")


def _installation_secret(
    name: str, env: str, *, directory: Path = DATA_DIR, generate=lambda: secrets.token_hex(32)
) -> str:
    """A secret from the environment, else generated once for this installation (data dir).

    Written whole under a temporary name, readable by its owner alone, then linked into place,
    which fails if the name exists: processes starting together on a new data directory all
    read the one secret that got there first, never a half-written or world-readable file.
    """
    if os.environ.get(env):
        return os.environ[env]
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        draft = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(generate())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: the last one written stands
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()


# A per-installation key kept beside the data, so sessions survive restarts without the key ever
# living in the repository.
SECRET_KEY = _installation_secret(
    "secret_key", "SECRET_KEY", generate=lambda: secrets.token_urlsafe(50)
)


ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Listed so the API docs use Swagger UI from the ninja wheel, not a CDN.
    "ninja",
    "axes",
    "cuakhau.core",
    "cuakhau.reference",
    "cuakhau.accounts",
    "cuakhau.trips",
    "cuakhau.fees",
    "cuakhau.risk",
    "cuakhau.receipts",
    "cuakhau.payments",
    "cuakhau.market",
    "cuakhau.inspections",
    "cuakhau.gate",
    "cuakhau.slots",
    "cuakhau.capacity",
    "cuakhau.demo",
    # Background tasks (Django 6's tasks framework, backported) kept in the database.
    "django_tasks",
    "django_tasks_db",
    "cuakhau.notify",
    "cuakhau.desk",  # the one-stop administrative desk (issue 11)
    "cuakhau.investment",  # the investment project register (issue 12)
    "cuakhau.cooperation",  # cooperation and external relations (issue 12)
    "cuakhau.stats",  # trade statistics, targets, reports (issue 12)
    # Chart.js and Chartkick as static files from the chartkick wheel (no CDN): the statistics'
    # interactive charts.
    "chartkick.django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the Content-Security-Policy too.
    "cuakhau.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the sessions' middleware: it sees the session cookie that one sets or deletes.
    "cuakhau.accounts.middleware.SignedInCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A method a page does not serve (a DELETE of /trips/): a 405, before the CSRF check.
    "cuakhau.core.policy.PageMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cuakhau.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Unknown URLs and methods under /api/ answer in the API's JSON error shape.
    "cuakhau.core.api_support.ApiErrorShapeMiddleware",
    # A page's POST-only address opened as a link: a page saying nothing was done, not a blank 405.
    "cuakhau.core.middleware.MethodNotAllowedPageMiddleware",
    # A URL with a control character is a 404 before anything looks its parts up.
    "cuakhau.core.middleware.ControlCharacterPathMiddleware",
    # Who may open each page: the one policy table (cuakhau.policy), before any view runs.
    "cuakhau.core.policy.PolicyMiddleware",
    # A service's refusal no view showed beside its field: its own page (422), not a 500.
    "cuakhau.core.middleware.RefusedInputMiddleware",
    # Last, as django-axes asks: it turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cuakhau.urls"
WSGI_APPLICATION = "cuakhau.wsgi.application"

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
                "django.template.context_processors.i18n",
                "cuakhau.core.context_processors.platform",
                "cuakhau.core.context_processors.csp_nonce",
            ],
        },
    },
]

# SQLite is the embedded default. WAL lets readers run beside a writer; IMMEDIATE transactions
# take the write lock at BEGIN so two writers queue on the busy timeout instead of one failing
# with "database is locked" when it upgrades a read lock.
SQLITE_PATH = DATA_DIR / "cuakhau.sqlite3"
_database_url = os.environ.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, its timestamps parsed by psycopg's compiled loader (core.postgresql).
        DATABASES["default"]["ENGINE"] = "cuakhau.core.postgresql"
    # Statements are prepared on the server only where the hot path asks for it
    # (``core.prepared``), never by count: Django's own cursors bind on the client and are not
    # prepared. (Behind a transaction-mode pooler without prepared-statement support, set
    # CUAKHAU_PG_PREPARE=0.)
    if os.environ.get("CUAKHAU_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend whose writers queue on a file lock (``core.sqlite``).
            "ENGINE": "cuakhau.core.sqlite",
            "NAME": SQLITE_PATH,
            # Kept open between requests, as PostgreSQL's are: opening the file and running the
            # PRAGMAs below cost more CPU than a whole token-authenticated request (issue 13).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # The write-ahead log is copied back into the database (a checkpoint, with
                # its fsync) by the commit that finds it past ``wal_autocheckpoint`` pages,
                # while that writer still holds the write lock: at SQLite's 1000 (4 MB) that
                # was a 5 ms commit every 40 check-ins. At 4000 a page rewritten by many
                # check-ins (an index's last leaf) is copied once for all of them; the file
                # is cut back to 32 MB after a burst (a demo's generation) has grown it.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA wal_autocheckpoint=4000;"
                    "PRAGMA journal_size_limit=33554432;"
                ),
            },
            # A file, not Django's shared-cache memory database: tests with concurrent writers
            # must meet the same WAL and busy-timeout behaviour as production.
            # One file per test process, so parallel runs never share it.
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"cuakhau-test-{os.getpid()}.sqlite3")
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cuakhau.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link works for two hours (Django's default is three days): it is a key to the
# account lying in an inbox.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

# Repeated failed logins are throttled by django-axes: its backend comes first and refuses a
# locked-out username + address pair before any password is checked. API tokens never pass
# through authenticate(), so a lockout never stops a gate device or an integration.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
# Username and address together: a guesser locks only itself out, never the real user at
# another booth, and never the other users behind the same address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A wrong password on the profile's forms counts too (``accounts.services.password_is_right``):
# the attempt's record keeps the form's fields, never a password.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
# The lockout page in the project's own layout and languages (HTTP 429).
AXES_LOCKOUT_CALLABLE = "cuakhau.accounts.views.locked_out"
# How many reverse proxies of ours stand in front of the server (0: callers reach gunicorn
# directly, as `cuakhau serve` runs it). Only the X-Forwarded-For entries they append are
# believed (`core.context.client_address`); a caller's own never is, so a forged header buys a
# guesser no fresh attempts. Failed sign-ins are counted by the same address.
PROXY_HOPS = _proxy_hops()
AXES_CLIENT_IP_CALLABLE = "cuakhau.core.context.client_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Every Vietnam–China land gate runs on Vietnam's clock; each gate also stores its own zone.
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["cuakhau.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise indexes this folder at start-up; it is filled by ``collectstatic`` (run by serve).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise's own table lacks the web-app manifest's type (it would serve octet-stream).
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_flag("CUAKHAU_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-receipt signing keys: one file per key, outside the code and the database, or the active
# key from $CUAKHAU_SIGNING_KEY (a private JWK kept in a secret manager).
SIGNING_KEY_DIR = Path(os.environ.get("CUAKHAU_SIGNING_KEY_DIR", DATA_DIR / "keys"))
# How long verifiers may cache /.well-known/jwks.json (seconds). A rotated key is published at
# once but signs only after this time, so no verifier meets a receipt signed by a key it
# cannot know yet.
JWKS_CACHE_SECONDS = int(os.environ.get("CUAKHAU_JWKS_CACHE_SECONDS", 300))

# Payment providers: a new bank or e-wallet is a new class and an entry here.
# The gate authority's collection account; the default is a demo account. payOS and SePay watch
# the same account, so every provider shows the payer the same VietQR.
_COLLECTION_ACCOUNT = {
    "bank_bin": os.environ.get("CUAKHAU_BANK_BIN", "970415"),
    "account": os.environ.get("CUAKHAU_BANK_ACCOUNT", "113000068688"),
    "account_name": os.environ.get("CUAKHAU_BANK_ACCOUNT_NAME", "BQL KKT CUA KHAU (DEMO)"),
}
CUAKHAU_PAYMENT_PROVIDERS = {
    # The first bank-transfer provider gives the payment instructions shown on a trip.
    "vietqr_bank": {
        "class": "cuakhau.payments.providers.VietQRBankTransfer",
        "label": "VietQR",
        **_COLLECTION_ACCOUNT,
        "secret": _installation_secret("bank_webhook_secret", "CUAKHAU_BANK_WEBHOOK_SECRET"),
        "tolerance": 300,
    },
    # POST /api/v1/payments/notifications/payos: the payment channel's checksum key.
    "payos": {
        "class": "cuakhau.payments.providers.PayOS",
        "label": "payOS",
        **_COLLECTION_ACCOUNT,
        "checksum_key": _installation_secret("payos_checksum_key", "CUAKHAU_PAYOS_CHECKSUM_KEY"),
    },
    # POST /api/v1/payments/notifications/sepay: "apikey" (Authorization: Apikey <key>) or
    # "hmac" (X-SePay-Signature), as chosen for the webhook in SePay.
    "sepay": {
        "class": "cuakhau.payments.providers.SePay",
        "label": "SePay",
        **_COLLECTION_ACCOUNT,
        "auth": os.environ.get("CUAKHAU_SEPAY_AUTH", "apikey"),
        "api_key": _installation_secret("sepay_api_key", "CUAKHAU_SEPAY_API_KEY"),
        "hmac_secret": _installation_secret("sepay_hmac_secret", "CUAKHAU_SEPAY_HMAC_SECRET"),
        "tolerance": 300,
    },
    "cash_counter": {"class": "cuakhau.payments.providers.CashCounter"},  # label translated
}

# Background tasks: the database is the queue, so the embedded default needs no broker.
# ``cuakhau serve`` starts one worker (``cuakhau worker``) beside the web workers; queued tasks
# wait in the database while it is stopped. CUAKHAU_TASKS_BACKEND=immediate runs each task at
# once in the caller (a one-off script, a test).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("CUAKHAU_TASKS_BACKEND") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A task found running by a worker that starts, and started longer ago than this, belonged to
# a worker that died: it runs again (every task here is safe to run twice).
TASKS_STALE_SECONDS = int(os.environ.get("CUAKHAU_TASKS_STALE_SECONDS", 600))

# E-mail: SMTP when EMAIL_HOST is set, else printed to the console (development, the demo).
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cuakhau <no-reply@cuakhau.localhost>")

# Notifications (cuakhau.notify): one adapter per channel. A channel whose provider has no
# credentials prints to the console instead; ZNS is off unless its access token is set.
# Delivery receipts: GET /api/v1/notify/delivery/esms?key=<callback secret> and
# POST /api/v1/notify/delivery/zalo (signed with the OA secret key).
_CONSOLE = "cuakhau.notify.adapters.ConsoleAdapter"
_PUBLIC_URL = os.environ.get("CUAKHAU_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the installation is reached from outside: what a printed receipt names as the place of
# its published keys, for whoever verifies it away from the site.
PUBLIC_URL = _PUBLIC_URL
_ESMS_CALLBACK_SECRET = _installation_secret("esms_callback_secret", "CUAKHAU_ESMS_CALLBACK_SECRET")
CUAKHAU_NOTIFY = {
    "adapters": {
        "zns": (
            {
                "class": "cuakhau.notify.adapters.ZaloZNS",
                "name": "zalo",
                "url": os.environ.get(
                    "CUAKHAU_ZNS_URL", "https://business.openapi.zalo.me/message/template"
                ),
                "access_token": os.environ["CUAKHAU_ZNS_ACCESS_TOKEN"],
                "app_id": os.environ.get("CUAKHAU_ZNS_APP_ID", ""),
                "oa_secret_key": os.environ.get("CUAKHAU_ZNS_OA_SECRET_KEY", ""),
                # {"truck_called_forward": {"vi": "301234", "en": "301235"}, ...} as JSON:
                # the template ids Zalo approved, per message template and language.
                "templates": json.loads(os.environ.get("CUAKHAU_ZNS_TEMPLATES", "{}")),
            }
            if os.environ.get("CUAKHAU_ZNS_ACCESS_TOKEN")
            else None
        ),
        "sms": (
            {
                "class": "cuakhau.notify.adapters.ESMSBrandname",
                "name": "esms",
                "url": os.environ.get(
                    "CUAKHAU_ESMS_URL",
                    "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/",
                ),
                "api_key": os.environ["CUAKHAU_ESMS_API_KEY"],
                "secret_key": os.environ.get("CUAKHAU_ESMS_SECRET_KEY", ""),
                "brandname": os.environ.get("CUAKHAU_ESMS_BRANDNAME", ""),
                "sandbox": env_flag("CUAKHAU_ESMS_SANDBOX"),
                "callback_url": f"{_PUBLIC_URL}/api/v1/notify/delivery/esms?key={_ESMS_CALLBACK_SECRET}",
                "callback_secret": _ESMS_CALLBACK_SECRET,
            }
            if os.environ.get("CUAKHAU_ESMS_API_KEY")
            else {"class": _CONSOLE, "name": "console"}
        ),
        "email": {"class": "cuakhau.notify.adapters.EmailAdapter", "name": "email"},
    },
    # Transient errors: tried again after 30 s, 60 s, 120 s, 240 s (capped at an hour), five
    # attempts in all on one channel before the next channel is tried.
    "max_attempts": int(os.environ.get("CUAKHAU_NOTIFY_MAX_ATTEMPTS", 5)),
    "backoff_seconds": 30,
    "backoff_cap_seconds": 3600,
    # An attempt with no answer after this long was cut off by a dying worker.
    "in_flight_timeout_seconds": 120,
    # A message due this long without being sent has lost its task: the worker enqueues it.
    "resume_grace_seconds": 60,
}

# Uploaded documents (phytosanitary certificates, invoices) are photos or PDFs from a phone.
MAX_UPLOAD_BYTES = int(os.environ.get("CUAKHAU_MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
# A trip's papers are a handful (invoice, packing list, certificates, a few photos): more is a
# script or a mistake, and its page and its documents' list read every one.
MAX_TRIP_DOCUMENTS = int(os.environ.get("CUAKHAU_MAX_TRIP_DOCUMENTS", 20))
MAX_TRIP_DOCUMENT_BYTES = int(os.environ.get("CUAKHAU_MAX_TRIP_DOCUMENT_BYTES", 50 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# The gate console's script reads the CSRF token from its cookie (``gate/console.js``).
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# An installation reached by HTTPS (CUAKHAU_PUBLIC_URL is https://…): the session and CSRF
# cookies never travel over plain HTTP, and browsers are told to come back by HTTPS only.
SERVED_OVER_HTTPS = _PUBLIC_URL.lower().startswith("https://")
SESSION_COOKIE_SECURE = SERVED_OVER_HTTPS
CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS
LANGUAGE_COOKIE_SECURE = SERVED_OVER_HTTPS


def _proxy_ssl_header() -> tuple[str, str] | None:
    """CUAKHAU_PROXY_SSL_HEADER (e.g. X-Forwarded-Proto): the header our own TLS-terminating
    proxy sets to "https". Believed only behind such a proxy (CUAKHAU_PROXY_HOPS): without one
    the caller writes that header, and could pass a plain-HTTP request off as a secure one."""
    from django.core.exceptions import ImproperlyConfigured

    name = os.environ.get("CUAKHAU_PROXY_SSL_HEADER", "").strip()
    if not name:
        return None
    if not PROXY_HOPS:
        raise ImproperlyConfigured(
            "CUAKHAU_PROXY_SSL_HEADER is believed only behind a proxy of ours: "
            "set CUAKHAU_PROXY_HOPS too"
        )
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        raise ImproperlyConfigured(
            "CUAKHAU_PROXY_SSL_HEADER: a header name, e.g. X-Forwarded-Proto"
        )
    return ("HTTP_" + name.upper().replace("-", "_"), "https")


def _seconds(name: str, default: int) -> int:
    from django.core.exceptions import ImproperlyConfigured

    text = os.environ.get(name, str(default)).strip()
    if not text.isascii() or not text.isdigit():
        raise ImproperlyConfigured(f"{name}: a whole number of seconds")
    return int(text)


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
# Redirected to HTTPS only where Django can tell a secure request (TLS at gunicorn itself, or
# a proxy's header above): else every request would be redirected again, forever.
SECURE_SSL_REDIRECT = env_flag(
    "CUAKHAU_SSL_REDIRECT", SERVED_OVER_HTTPS and SECURE_PROXY_SSL_HEADER is not None
)
# A load balancer's health probe comes over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is sent on HTTPS responses only (SecurityMiddleware); a year once the site is HTTPS.
SECURE_HSTS_SECONDS = _seconds("CUAKHAU_HSTS_SECONDS", 365 * 24 * 3600 if SERVED_OVER_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("CUAKHAU_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a submission to the browsers' list, hard to undo: the operator's choice.
SECURE_HSTS_PRELOAD = env_flag("CUAKHAU_HSTS_PRELOAD")

# Content-Security-Policy of every response (``core.middleware.SecurityHeadersMiddleware``):
# nothing is loaded from another site, no plugin, no <base>, no form posted elsewhere, no
# framing. A script runs only from this site's files or, inline, with the answer's own nonce
# (``{nonce}``, new for each answer, in templates ``{{ csp_nonce }}``): an injected <script>
# or ``onclick`` does not run. htmx evaluates no attribute (``allowEval`` off in base.html).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The camera is for the gate console and the receipt verifiers, on this site only.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed logins and lockouts are warnings; every successful login is not news.
        "axes": {"level": "WARNING"},
    },
}
