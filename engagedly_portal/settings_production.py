"""Production settings: the environment's settings, refused when unsafe, with TLS hardening on.

Used by `make serve`, the container image and the systemd units (DJANGO_SETTINGS_MODULE). The
process stops before anything starts, with one message listing every problem, when SECRET_KEY is
missing, a placeholder or weak, DEBUG is on, or ALLOWED_HOSTS is not set. README.md, "Production
settings", lists the variables; with them `manage.py check --deploy` reports no issues.
"""

import os
import sys

from .env import env_bool, env_int, env_list

# Known placeholders (.env.example's, the development fallback) and Django's own generated prefix.
PLACEHOLDER_MARKS = (
    "change-me",
    "changeme",
    "dev-only",
    "django-insecure",
    "not-for-production",
    "placeholder",
)
MIN_SECRET_KEY_LENGTH = 50  # Django's check --deploy asks for at least 50 characters, 5 distinct


def unsafe_settings() -> list[str]:
    """What makes this environment unfit for production, as sentences for the operator."""
    problems = []
    if env_bool("DEBUG", False):
        problems.append("DEBUG is on: set DEBUG=0 (tracebacks and settings would be shown to visitors).")
    secret_key = os.environ.get("SECRET_KEY", "")
    generate = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    if not secret_key:
        problems.append(f"SECRET_KEY is not set: set a random value, e.g. from `{generate}`.")
    elif any(mark in secret_key.lower() for mark in PLACEHOLDER_MARKS):
        problems.append(f"SECRET_KEY is a placeholder: replace it with a random value from `{generate}`.")
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 5:
        problems.append(
            f"SECRET_KEY is too short or too simple (at least {MIN_SECRET_KEY_LENGTH} characters, "
            f"5 different): use `{generate}`."
        )
    if not env_list("ALLOWED_HOSTS", ""):
        problems.append(
            "ALLOWED_HOSTS is not set: list the host names the portal answers, e.g. hr.example.com."
        )
    return problems


_problems = unsafe_settings()
if _problems:
    # A message rather than a traceback: this is the operator's configuration, not a bug.
    sys.stderr.write(
        "Refusing to start with unsafe production settings:\n"
        + "".join(f"  - {problem}\n" for problem in _problems)
        + 'See README.md, "Production settings".\n'
    )
    raise SystemExit(1)

os.environ.setdefault("DEBUG", "0")  # settings.py's default is development's

from .settings import *  # noqa: E402, F403

# Behind TLS (see SECURE_PROXY_SSL_HEADER in settings.py): HTTPS only, and browsers told so.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
