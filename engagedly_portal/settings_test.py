"""Test settings: the real settings, with fast password hashing.

DATABASE_URL / REDIS_URL from the environment still apply, so the suite runs on
PostgreSQL and Redis in CI and on SQLite with in-process tasks by default.
"""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM_RATE_LIMIT_PER_MINUTE = 100_000
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
