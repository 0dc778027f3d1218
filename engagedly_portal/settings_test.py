"""Test settings: the real settings, with fast password hashing.

DATABASE_URL / REDIS_URL from the environment still apply, so the suite runs on
PostgreSQL and Redis in CI and on SQLite with in-process tasks by default.
"""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM_RATE_LIMIT_PER_MINUTE = 100_000
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's in-memory test database: the Celery worker processes started by
    # employees/tests/test_worker*.py must share the test database. WAL lets them read while
    # the test writes; writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# SCIM activity goes through the batch writer as in production, but its thread never wakes during
# a test: it writes on a database connection of its own, which cannot see a test's uncommitted
# rows. What a test reads, the SCIM test client flushes after each request, through the same
# writer (integrations/tests/conftest.py).
SCIM_ACTIVITY_FLUSH_SECONDS = 3600
