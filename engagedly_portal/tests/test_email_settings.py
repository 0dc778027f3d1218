"""Email settings come from the environment: SMTP when EMAIL_HOST is set, the console otherwise,
and a wrong value fails loudly at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from engagedly_portal import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, "
    "s.DEFAULT_FROM_EMAIL)"
)


def settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "DEFAULT_FROM"))
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_host_emails_go_to_the_console():
    shown = settings_with()
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"


def test_with_a_host_emails_go_by_smtp_as_configured():
    shown = settings_with(
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="465",
        EMAIL_USE_TLS="0",
        EMAIL_USE_SSL="1",
        DEFAULT_FROM_EMAIL="hr@example.com",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "465",
        "False",
        "True",
        "hr@example.com",
    ]


def test_wrong_values_fail_loudly():
    port = settings_with(EMAIL_HOST="smtp.example.com", EMAIL_PORT="twenty-five")
    assert port.returncode != 0 and "EMAIL_PORT must be an integer" in port.stderr
    both = settings_with(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert both.returncode != 0 and "at most one of EMAIL_USE_TLS and EMAIL_USE_SSL" in both.stderr
