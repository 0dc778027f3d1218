"""Settings for the HR portal, read from the environment.

The defaults run a fresh checkout on SQLite with Celery tasks executed in-process,
so `make run` needs nothing else. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY and DEBUG=0 (see .env.example for every variable).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from .env import env_bool, env_float, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", True)
# A development-only fallback; production must set SECRET_KEY (checked below).
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The absolute origin used to build SCIM base URLs shown to admins (e.g. https://hr.example.com).
# Empty means "use the host of the request".
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "employees",
    "integrations",
    "api",
    "audit",
    "sso",
]

MIDDLEWARE = [
    # First: errors the framework answers on SCIM routes (a host not allowed) become SCIM JSON.
    "integrations.scim.middleware.ScimErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "engagedly_portal.content_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "employees.middleware.DeactivatedEmployeeLogoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "engagedly_portal.urls"
WSGI_APPLICATION = "engagedly_portal.wsgi.application"

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
                "employees.context_processors.current_employee",
                "integrations.context_processors.held_deactivations",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# A database that does not answer holds a request (or a worker's heartbeat) at most this long when
# connecting: then the request answers 503 with Retry-After (integrations/scim/base.py).
DB_CONNECT_TIMEOUT_SECONDS = env_int("DB_CONNECT_TIMEOUT_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT_SECONDS
# On PostgreSQL, parameters bound by the server, and a statement run 5 times on a connection
# prepared there (psycopg's prepare_threshold): PostgreSQL then skips parsing and planning the few
# statement shapes SCIM traffic repeats. Turn off (DB_PREPARED_STATEMENTS=0) behind a pooler in
# transaction mode that does not track prepared statements (PgBouncer before 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "employees.backends.EmployeeEmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Invitation and password-reset links (Django's token machinery) expire after this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_HOURS", 72) * 3600

# Brute-force protection on password sign-in (django-axes): after SIGN_IN_FAILURE_LIMIT failures
# an account (by email) or a client address is locked out for SIGN_IN_LOCKOUT_MINUTES; a
# successful sign-in clears the account's count.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "sso.sign_in.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Fernet key for SSO secrets at rest (sso/crypto.py); empty: derived from SECRET_KEY.
SSO_ENCRYPTION_KEY = env_str("SSO_ENCRYPTION_KEY", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "employees:directory"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Database sessions that record their user, so a deactivation ends them all with one indexed delete.
SESSION_ENGINE = "employees.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# TLS ends at a proxy in front (a load balancer, nginx) that sets X-Forwarded-Proto. Turn this on
# only behind such a proxy, and only if it overwrites the header clients send: otherwise a client
# could claim HTTPS. engagedly_portal/settings_production.py turns the rest on by default.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Container health checks call plain HTTP on the container's own port, behind no proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy on every page, development included (so tests see what production
# does): scripts and styles from our own static files only, no inline code, no third parties.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The admin REST API (api/): personal API keys, JSON only, one error shape, cursor pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.MayManageIntegrations"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# Requests per API key, DRF's rate syntax: "<n>/<second|minute|hour|day>".
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Engagedly admin API",
    "DESCRIPTION": (
        "Automation for organization admins: SCIM connections and tokens, provisioning activity, "
        "employees. Authenticate with a personal API key from Your profile > API keys."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    # Swagger UI from our own static files (drf-spectacular-sidecar): the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Redis: the Celery broker and the shared cache (rate limits). Without it, tasks run
# in-process (eagerly) and the cache is per-process memory.
REDIS_URL = env_str("REDIS_URL", "")
# Requests never wait on Redis for long (engagedly_portal/optional_redis.py): each call has this
# timeout and no retries, and after a failure a process leaves Redis alone for REDIS_RETRY_SECONDS.
REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 0.1)
REDIS_RETRY_SECONDS = env_float("REDIS_RETRY_SECONDS", 5.0)
REDIS_CLIENT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "retry": Retry(NoBackoff(), 0),
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CLIENT_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# kombu's Redis transport, made to survive a Redis outage while messages are held (see broker.py).
CELERY_BROKER_TRANSPORT = "engagedly_portal.broker.Transport" if REDIS_URL else None
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# Several deployments (or test runs) may share one Redis: each consumes its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# A message is acknowledged only after its task finished; a worker that dies mid-task leaves
# the message to be redelivered, and the idempotent task redoes the work (never half of it).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 50)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# A publish must not hang a SCIM request when Redis is down: no connection retries when
# publishing (kombu would otherwise sleep ~2 s), a short connect timeout for an unreachable host,
# and no publish retry. The database records the pending work and the sweep enqueues it later.
# Redis redelivers a message that is still unacknowledged after visibility_timeout (a worker
# killed mid-task); keep it above the longest task time limit plus retry countdowns.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "max_retries": 0,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# The sweep: re-enqueue deactivations not yet applied and manager links still pending whose
# messages may have been lost (Redis down at publish time, a worker killed). Work younger than
# the grace period is left alone: its message is most likely still queued.
# Every few seconds: a deactivation whose message was never published (Redis did not answer the
# request) is applied seconds later, not a minute. Each sweep is two queries on partial indexes
# that hold only unfinished work, so it costs next to nothing when there is none.
BACKGROUND_SWEEP_INTERVAL_SECONDS = env_float("BACKGROUND_SWEEP_INTERVAL_SECONDS", 2.0)
BACKGROUND_SWEEP_GRACE_SECONDS = env_float("BACKGROUND_SWEEP_GRACE_SECONDS", 2.0)
BACKGROUND_SWEEP_BATCH_SIZE = env_int("BACKGROUND_SWEEP_BATCH_SIZE", 500)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-pending-background-work": {
        "task": "employees.tasks.sweep_pending_work",
        "schedule": BACKGROUND_SWEEP_INTERVAL_SECONDS,
        # A sweep that waited longer than its interval is superseded by the next one.
        "options": {"expires": BACKGROUND_SWEEP_INTERVAL_SECONDS},
    },
    # Integration alerts (integrations/alerts.py): checked every few minutes; each alert is
    # claimed in the database, so a late or doubled beat sends nothing twice.
    "check-integration-alerts": {
        "task": "integrations.tasks.check_alerts",
        "schedule": env_float("ALERT_CHECK_INTERVAL_SECONDS", 300.0),
        "options": {"expires": env_float("ALERT_CHECK_INTERVAL_SECONDS", 300.0)},
    },
    # SCIM activity older than each organization's retention goes, in batches (integrations/retention.py).
    "purge-scim-activity": {
        "task": "integrations.tasks.purge_activity",
        "schedule": env_float("SCIM_ACTIVITY_PURGE_INTERVAL_SECONDS", 3600.0),
        "options": {"expires": env_float("SCIM_ACTIVITY_PURGE_INTERVAL_SECONDS", 3600.0)},
    },
    "send-weekly-integration-digests": {
        "task": "integrations.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "resend-pending-invitations": {
        "task": "employees.tasks.resend_pending_invitations",
        "schedule": BACKGROUND_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": BACKGROUND_SWEEP_INTERVAL_SECONDS},
    },
}

# Health of the background work (engagedly_portal/health.py). Workers record a heartbeat this
# often while connected to the broker; the probe fails when none was seen for
# HEALTH_WORKER_SILENCE_SECONDS, when no sweep ran (beat) for HEALTH_BEAT_SILENCE_SECONDS, or when
# a deactivation or a link whose manager exists has waited HEALTH_MAX_DUE_SECONDS.
WORKER_HEARTBEAT_SECONDS = env_float("WORKER_HEARTBEAT_SECONDS", 5.0)
HEALTH_WORKER_SILENCE_SECONDS = env_float("HEALTH_WORKER_SILENCE_SECONDS", 60.0)
HEALTH_BEAT_SILENCE_SECONDS = env_float("HEALTH_BEAT_SILENCE_SECONDS", 60.0)
HEALTH_MAX_DUE_SECONDS = env_float("HEALTH_MAX_DUE_SECONDS", 60.0)
# Who may read /healthz/background/probe without a session: a request with
# `Authorization: Bearer <HEALTH_PROBE_TOKEN>` (empty: no token works), or from these networks.
HEALTH_PROBE_TOKEN = env_str("HEALTH_PROBE_TOKEN", "")
HEALTH_PROBE_NETWORKS = env_networks("HEALTH_PROBE_NETWORKS", "127.0.0.1/32,::1/128")

# Email (alerts, invitations, password resets) through Django's email API. Without EMAIL_HOST, emails
# go to the console; tests use locmem.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Engagedly <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")

# SCIM
SCIM_RATE_LIMIT_PER_MINUTE = env_int("SCIM_RATE_LIMIT_PER_MINUTE", 6000)
SCIM_MAX_PAGE_SIZE = env_int("SCIM_MAX_PAGE_SIZE", 200)
# Retry-After of the 503 a SCIM request gets while the database is restarting or unreachable.
SCIM_RETRY_AFTER_SECONDS = env_int("SCIM_RETRY_AFTER_SECONDS", 5)
# With Redis, a worker trusts a token it verified for at most this long, and only while the auth
# epoch is unchanged (integrations/auth_epoch.py): revocation takes effect at once either way.
SCIM_TOKEN_CACHE_SECONDS = env_int("SCIM_TOKEN_CACHE_SECONDS", 60)
# Activity records are written in batches this often (integrations/activity_log.py).
SCIM_ACTIVITY_FLUSH_SECONDS = env_float("SCIM_ACTIVITY_FLUSH_SECONDS", 0.25)
# The activity record is kept this many days unless an organization chooses otherwise (7-730),
# and purged by beat in batches of SCIM_ACTIVITY_PURGE_BATCH_SIZE rows, each its own transaction.
SCIM_ACTIVITY_RETENTION_DAYS = env_int("SCIM_ACTIVITY_RETENTION_DAYS", 90)
SCIM_ACTIVITY_PURGE_BATCH_SIZE = env_int("SCIM_ACTIVITY_PURGE_BATCH_SIZE", 5000)
SCIM_ACTIVITY_PURGE_MAX_BATCHES = env_int("SCIM_ACTIVITY_PURGE_MAX_BATCHES", 1000)
SCIM_MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = SCIM_MAX_BODY_BYTES * 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every attempt at INFO; the portal records sign-in events itself.
        "axes": {"level": "WARNING"},
        # pysaml2's schema loader announces each XML schema it loads.
        "xmlschema": {"level": "WARNING"},
        "saml2": {"level": "WARNING"},
        # In-process tasks (no Redis) would log every task run, and kombu would warn about the
        # in-memory broker it never uses; keep `make run`'s output to what a person needs.
        **(
            {"celery.app.trace": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}}
            if CELERY_TASK_ALWAYS_EAGER
            else {}
        ),
    },
}
