"""Settings for the community impact portal: one file, read from the environment.

Defaults work on a laptop with nothing but Python: SQLite under var/, Celery's filesystem broker
under var/ (no server needed), and DEBUG off (DEBUG=true is the developer's opt-in); a site that
answers only on loopback may run with the development key, plain HTTP and no second factor. Set DATABASE_URL and REDIS_URL to run on
PostgreSQL and Redis. Malformed values refuse to start with a message naming the variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name, default):
    """Read a boolean variable; anything but a clear yes/no refuses to start."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true/false, 1/0, yes/no or on/off.")


def envint(name, default, minimum=None):
    """Read an integer variable, optionally with a lower bound."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def envfloat(name, default, minimum=None, maximum=None):
    """Read a decimal number variable, optionally within [minimum, maximum]."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite number.")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value:g} is below the minimum of {minimum:g}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value:g} is above the maximum of {maximum:g}.")
    return value


def envlist(name, default):
    """Read a comma-separated list."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: DEBUG's technical pages (URL list, settings, tracebacks) are for developers.
DEBUG = envbool("DEBUG", False)
# "testserver" is the Django test client's made-up host name, never a network address.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
# A laptop: the site answers only to loopback names, so nobody else can reach it. What production
# demands (a real key, HTTPS, two-factor staff, hashed static files) follows this, not DEBUG.
LOOPBACK_ONLY = bool(ALLOWED_HOSTS) and all(host in LOOPBACK_HOSTS for host in ALLOWED_HOSTS)
LAPTOP = DEBUG or LOOPBACK_ONLY

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not LAPTOP and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        f"ALLOWED_HOSTS={','.join(ALLOWED_HOSTS)} is reachable beyond this machine but SECRET_KEY is the "
        "development key: set SECRET_KEY."
    )

CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Number of reverse proxies in front of the app; X-Forwarded-For is trusted only that deep.
NUM_PROXIES = envint("NUM_PROXIES", 0, minimum=0)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- HTTPS --------------------------------------------------------------------------------------
# A site reachable beyond loopback is taken to be served over HTTPS: plain HTTP is redirected,
# browsers are told to use HTTPS only (HSTS) and cookies are sent over HTTPS only. HTTPS=false turns
# all of that off for a test box behind no TLS (manage.py check --deploy then says so).
HTTPS = envbool("HTTPS", not LAPTOP)
SECURE_SSL_REDIRECT = HTTPS
# A load balancer's health check may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A year, the usual HSTS lifetime; start lower (HSTS_SECONDS=300) on a new host, since browsers
# remember it and a later move back to HTTP is refused until it expires.
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a decision for the owner of the parent domain and hard to undo, so it is opt-in;
# until it is taken, check --deploy's reminder about it (W021) is silenced.
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if NUM_PROXIES:
    # Behind a TLS-terminating proxy the request reaches Django as HTTP; the proxy says how it came in.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    # django.contrib.admin, with the staff console's two-factor, audited site as admin.site.
    "portal.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc's files, pinned, served from /static/ (no CDN)
    "django_celery_beat",
    "portal.core",
    "portal.audit",
    "portal.accounts",
    "portal.forums",
    "impact",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app (hashed, compressed, cached for a year), before sessions
    # and the database: a stylesheet costs no query.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything below, so that error pages get the policy too.
    "portal.core.middleware.ContentSecurityPolicyMiddleware",
    # Early, so that a NUL byte or another control character gets a 400 before anything reads it.
    "portal.core.middleware.RefuseControlCharactersMiddleware",
    "portal.core.middleware.DropMalformedCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (a signed-in visitor's choice), before anything that renders.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Marks the request with its door (admin, API, page) for the audit log.
    "portal.audit.middleware.DoorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.staff.middleware.StaffSessionMiddleware",
    # After the session, the user and its second factor (and the idle log-out above): every page's
    # declared access policy (portal/core/access.py), before its view runs.
    "portal.core.middleware.AccessPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
_default_db_url = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
try:
    # Connections are kept for a minute between requests; the health check makes a kept connection
    # that a database restart broke reconnect on its next use, instead of failing that request.
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db_url, conn_max_age=60,
                                                  conn_health_checks=True)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two processes (web + worker) share the file: wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that a Celery worker started by the tests can see the test data.
    # One file per test process, so parallel test runs never drop each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Likewise one test database per test process on a shared server.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Redis, cache and Celery --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")

if REDIS_URL:
    # Shared by every process, so rate limits and API throttles hold across workers. The timeouts
    # make an unreachable Redis fail in a second (the forum's limiter then counts locally) rather
    # than hang the request: redis-py waits forever by default.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport: messages are files in a folder both processes can read.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
# Run state lives in the database (ReportRun rows), so Celery keeps no results of its own.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker that dies mid-task (kill -9, out of memory) leaves its message unacknowledged, so the
# broker delivers it again; the run's lease (impact.leases) decides who computes it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis redelivers an unacknowledged message after the visibility timeout; it must be longer
    # than the longest run (a year with 1,000 samples takes under a minute), or a running report
    # would be handed to a second worker. Faster recovery is the sweeper's job, not the broker's.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT_SECONDS", 6 * 3600, minimum=60)}
# Report runs go to a queue of their own, so a year-long run never delays an answer's e-mails:
# deployments start a worker per queue (docs/deploy.md); serve's one worker consumes both.
IMPACT_REPORT_QUEUE = os.environ.get("IMPACT_REPORT_QUEUE", "reports").strip() or "reports"
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each queue with an exchange and routing key of its own: a bare Queue("reports") would bind with
# the default routing key and also receive the default queue's messages.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name)
                      for name in dict.fromkeys([CELERY_TASK_DEFAULT_QUEUE, IMPACT_REPORT_QUEUE])]
CELERY_TASK_ROUTES = ("portal.celery.route_task",)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks live in the database (django-celery-beat) so staff can edit the schedule in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The file backend (tests/browser: a journey reads the link a resident is sent) writes here.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Community Impact Portal <portal@localhost>")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The public site, its e-mails, chart labels and alt text in English and Spanish (Memphis has a
# sizeable Spanish-speaking population). A visitor's language is the switcher's cookie, else the
# browser's Accept-Language, else English; the page cache keeps one copy per language.
LANGUAGES = [("en", "English"), ("es", "Español")]
# The languages the worker draws each report's charts in (English always: the PDF and staff use it).
# Every language of the site by default; a test box may draw English only to save time.
REPORT_CHART_LANGUAGES = envlist("REPORT_CHART_LANGUAGES", [code for code, _name in LANGUAGES])
if unknown := set(REPORT_CHART_LANGUAGES) - {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"REPORT_CHART_LANGUAGES names languages the site does not offer: {sorted(unknown)}")
# The site's templates' catalogue; each app's own strings are in its locale/ folder. The .po files
# are the source; manage.py compile_locales (run by serve and by the tests) writes the .mo beside them.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Stored in UTC; shown in the facility's zone (America/Chicago for Memphis) unless a page says so.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; WhiteNoise serves it. One folder per host (not shared).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Hashed, compressed names (site.3f2a….css, with .gz and .br beside) that browsers may keep for a
# year: the production default. They need collectstatic first (manage.py serve runs it), so a
# laptop (loopback only, or DEBUG on) and the tests read the files in place instead.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not LAPTOP)
# Without collectstatic (a laptop, the tests) WhiteNoise finds each file in its app, per request.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
# WhiteNoise knows no .xsl (it would send application/octet-stream); browsers run a feed's XSLT
# only from text/xsl or an XML type (core/feed.xsl, portal/core/feeds.py).
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- REST framework -----------------------------------------------------------------------------
# Requests per period for anonymous API clients: "1200/hour"; the period is second, minute, hour or day.
# Sized for a script: a year's hourly series is 18 pages of 500 hours (2 of 5000), a month's 2;
# every monthly report of two years with its series is under 100 requests (docs/api.md, Limits).
API_ANON_RATE = os.environ.get("API_ANON_RATE", "1200/hour").strip()
_rate_count, _, _rate_period = API_ANON_RATE.partition("/")
if not (_rate_count.isdigit() and _rate_period[:1] in ("s", "m", "h", "d")):
    raise ImproperlyConfigured(f"API_ANON_RATE={API_ANON_RATE!r} must look like 1200/hour (second, minute, hour, day).")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.schema.ExportAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "NUM_PROXIES": NUM_PROXIES,
    # Scoped tokens for scripts and tools (Authorization: Token …; manage.py issue_api_token), the
    # session for staff using the browsable API. DRF's plain authtoken keys no longer authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["impact.api.permissions.ReadOnlyOrStaff"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "portal.core.api.renderers.CSVRenderer",
    ],
    # Anonymous clients are counted per address in the default cache (Redis when REDIS_URL is set,
    # so the count holds across processes); NUM_PROXIES above decides which address that is.
    "DEFAULT_THROTTLE_CLASSES": ["portal.core.api.throttles.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
    # A 429 says when to come back and points bulk users to the open-data bundle.
    "EXCEPTION_HANDLER": "portal.core.api.throttles.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community Impact Portal API",
    "DESCRIPTION": (
        "Energy, emissions and water reports for data-centre facilities, and the public forum. "
        "Read-only for everyone; staff write with a token (Authorization: Token …). Every list answers JSON "
        "or CSV (format=csv). Times are ISO 8601 in UTC; units are in field names or descriptions. "
        "Published report versions never change and answer conditional GETs with 304."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Redoc and Swagger UI from drf-spectacular-sidecar's pinned files under /static/.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Page cache (portal/core/pagecache.py) ------------------------------------------------------
# Anonymous visitors share one rendering of each public page until what it shows changes.
PAGE_CACHE_ENABLED = envbool("PAGE_CACHE_ENABLED", True)
# Part of every cached page's key: set it to the release (a git hash) so that a deploy with new
# templates never serves the old release's pages.
PAGE_CACHE_RELEASE = os.environ.get("PAGE_CACHE_RELEASE", "").strip()

# --- Impact reports -----------------------------------------------------------------------------
IMPACT_MONTE_CARLO_SAMPLES = envint("IMPACT_MONTE_CARLO_SAMPLES", 1000, minimum=0)
# A run whose modelled demand went unserved for more than this share (0.02 = 2 %) publishes only
# with an analyst's written acknowledgement, which the public report shows (impact.services.publish_run).
IMPACT_UNSERVED_PUBLISH_THRESHOLD = envfloat("IMPACT_UNSERVED_PUBLISH_THRESHOLD", 0.02, minimum=0.0, maximum=1.0)
# Leases on running reports (impact.leases): renewed every quarter lease by the worker's heartbeat;
# a run whose lease ran out is queued again, up to IMPACT_RUN_MAX_ATTEMPTS claims, then failed.
# A pending run whose message has not reached a worker for IMPACT_RUN_REDISPATCH_SECONDS is sent again.
# The years a report period may cover ("FIRST-LAST"); anything else is refused before any query.
_years = os.environ.get("IMPACT_PERIOD_YEARS", "2000-2100").strip()
try:
    IMPACT_PERIOD_YEARS = tuple(int(y) for y in _years.split("-"))
    if len(IMPACT_PERIOD_YEARS) != 2 or not 1 <= IMPACT_PERIOD_YEARS[0] <= IMPACT_PERIOD_YEARS[1] <= 9998:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(f"IMPACT_PERIOD_YEARS={_years!r} must be FIRST-LAST years, e.g. 2000-2100.") from None
IMPACT_RUN_LEASE_SECONDS = envint("IMPACT_RUN_LEASE_SECONDS", 120, minimum=1)
IMPACT_RUN_MAX_ATTEMPTS = envint("IMPACT_RUN_MAX_ATTEMPTS", 3, minimum=1)
IMPACT_RUN_REDISPATCH_SECONDS = envint("IMPACT_RUN_REDISPATCH_SECONDS", 120, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # While the database is down, one traceback a minute instead of one per request.
    "filters": {"database_outage": {"()": "portal.core.errors.OneTracebackPerOutage"}},
    "loggers": {"django.request": {"filters": ["database_outage"]}},
}

VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Forums and accounts ------------------------------------------------------------------------
# Log in with e-mail or username; the portal's URLs are namespaced, so name the login page by path.
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.EmailOrUsernameBackend"]
LOGIN_URL = "/accounts/login/"
ACCOUNT_VERIFY_DAYS = envint("ACCOUNT_VERIFY_DAYS", 3, minimum=1)
ACCOUNT_LOGIN_FAILURES = envint("ACCOUNT_LOGIN_FAILURES", 5, minimum=1)
ACCOUNT_LOGIN_LOCKOUT_MINUTES = envint("ACCOUNT_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=600)
FORUM_ANSWER_TARGET_DAYS = envint("FORUM_ANSWER_TARGET_DAYS", 14, minimum=1)
FORUM_REVIEW_FIRST_POSTS = envint("FORUM_REVIEW_FIRST_POSTS", 2, minimum=0)
FORUM_FLAGS_TO_HIDE = envint("FORUM_FLAGS_TO_HIDE", 3, minimum=1)
FORUM_DOCKET_FREEZE_DAYS = envint("FORUM_DOCKET_FREEZE_DAYS", 3, minimum=0)
FORUM_DOCKET_SIZE = envint("FORUM_DOCKET_SIZE", 15, minimum=1)
# An account younger than this, or with fewer reviewed posts than FORUM_REVIEW_FIRST_POSTS, is "new".
FORUM_NEW_ACCOUNT_DAYS = envint("FORUM_NEW_ACCOUNT_DAYS", 7, minimum=0)
FORUM_MAX_LINKS_NEW = envint("FORUM_MAX_LINKS_NEW", 2, minimum=0)
FORUM_MAX_LINKS = envint("FORUM_MAX_LINKS", 10, minimum=0)
# Rate limits: action → scope → (requests, window in seconds). "new_account" applies on top of
# "account" for new accounts; "ip" counts every request from one address.
FORUM_RATE_LIMITS = {
    "signup": {"ip": (envint("RATE_SIGNUP_PER_IP_HOUR", 5, minimum=1), 3600)},
    "password_reset": {"ip": (10, 3600)},
    "question": {"account": (10, 86400), "new_account": (3, 86400), "ip": (30, 3600)},
    "reply": {"account": (60, 3600), "new_account": (10, 3600), "ip": (120, 3600)},
    "vote": {"account": (120, 3600), "new_account": (30, 3600), "ip": (300, 3600)},
    "flag": {"account": (30, 86400), "new_account": (5, 86400), "ip": (60, 3600)},
}
# Unreached meeting questions move on when minutes are recorded, or this long after the meeting.
FORUM_CARRY_OVER_GRACE_DAYS = envint("FORUM_CARRY_OVER_GRACE_DAYS", 2, minimum=0)
# Send answer e-mails from a Celery worker (a big follower list then never slows the request).
FORUM_NOTIFY_IN_WORKER = envbool("FORUM_NOTIFY_IN_WORKER", False)
ACCOUNT_LOGIN_FAILURES_PER_IP = envint("ACCOUNT_LOGIN_FAILURES_PER_IP", 50, minimum=1)

# --- Staff console ------------------------------------------------------------------------------
# The admin asks staff for a TOTP code from an enrolled device (manage.py enrol_totp <username>).
# Turn off only on a laptop; on a site reachable beyond loopback it must stay on.
STAFF_REQUIRE_OTP = envbool("STAFF_REQUIRE_OTP", True)
if not LAPTOP and not STAFF_REQUIRE_OTP:
    raise ImproperlyConfigured(
        "STAFF_REQUIRE_OTP is off but ALLOWED_HOSTS is reachable beyond this machine: staff need two-factor login."
    )
# A staff session ends after this long without a request (residents' sessions are not affected).
STAFF_SESSION_IDLE_MINUTES = envint("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
# The issuer shown in authenticator apps next to the account name.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Community Impact Portal")
