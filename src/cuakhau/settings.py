"""Django settings, read from the environment with safe development defaults.

CUAKHAU_DATA_DIR holds everything an installation writes: the SQLite file, uploaded files,
collected static files and signing keys. It defaults to ``var/`` in the checkout (ignored by git).
"""

import datetime as dt
import os
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


DATA_DIR = Path(os.environ.get("CUAKHAU_DATA_DIR", CHECKOUT_DIR / "var")).resolve()

DEBUG = env_flag("DEBUG")
DEMO_MODE = env_flag("CUAKHAU_DEMO")


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    # A per-installation key kept beside the data, so sessions survive restarts without the
    # key ever living in the repository.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    import secrets

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


def _installation_secret(name: str, env: str) -> str:
    """A secret from the environment, else generated once for this installation (data dir)."""
    if os.environ.get(env):
        return os.environ[env]
    import secrets

    path = DATA_DIR / name
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


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
    "cuakhau.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cuakhau.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who may open each page: the one policy table (cuakhau.policy), before any view runs.
    "cuakhau.core.policy.PolicyMiddleware",
    # Unknown URLs and methods under /api/ answer in the API's JSON error shape.
    "cuakhau.core.api_support.ApiErrorShapeMiddleware",
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
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
# The lockout page in the project's own layout and languages (HTTP 429).
AXES_LOCKOUT_CALLABLE = "cuakhau.accounts.views.locked_out"
# The client address is REMOTE_ADDR (no django-ipware): a forged X-Forwarded-For cannot buy a
# guesser fresh attempts. Behind a reverse proxy, point AXES_CLIENT_IP_CALLABLE at a function
# that reads the proxy's header.

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
    "cash_counter": {"class": "cuakhau.payments.providers.CashCounter", "label": "Cash"},
}

# Uploaded documents (phytosanitary certificates, invoices) are photos or PDFs from a phone.
MAX_UPLOAD_BYTES = int(os.environ.get("CUAKHAU_MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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
