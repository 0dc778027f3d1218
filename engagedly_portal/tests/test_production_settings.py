"""Production settings refuse to start unsafe, in a real process, as an operator would meet them."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GOOD_KEY = secrets.token_urlsafe(50)


def clean_env(**variables: str) -> dict:
    """The machine's PATH and HOME, nothing of the test run's settings, then `variables`."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**kept, **variables}


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    env = clean_env(**{"DJANGO_SETTINGS_MODULE": "engagedly_portal.settings_production", **variables})
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def readme_production_variables() -> dict[str, str]:
    """The ```dotenv block under README.md's "Production settings", placeholders filled in."""
    block = re.search(r"```dotenv\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[1]
    fills = {"<random, 50+ characters>": GOOD_KEY, "<password>": secrets.token_hex(8)}
    variables = {}
    for line in block.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            for placeholder, real in fills.items():
                value = value.replace(placeholder, real)
            assert "<" not in value, line
            variables[name] = value.split("  #")[0].strip()
    return variables


def test_make_serve_refuses_the_placeholder_key_with_a_clear_message(tmp_path):
    env = clean_env(DEBUG="0", SECRET_KEY="change-me", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    # -o: the virtualenv is installed; make must not reinstall it from here.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Refusing to start with unsafe production settings:" in result.stderr
    assert "SECRET_KEY is a placeholder" in result.stderr
    assert "ALLOWED_HOSTS is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # stopped before migrate


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "hr.example.com", "DEBUG": "1"}, "DEBUG is on"),
        ({"ALLOWED_HOSTS": "hr.example.com"}, "SECRET_KEY is not set"),
        (
            {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "hr.example.com"},
            "SECRET_KEY is too short or too simple",
        ),
        (
            {"SECRET_KEY": GOOD_KEY[:40], "ALLOWED_HOSTS": "hr.example.com"},
            "SECRET_KEY is too short or too simple",
        ),
        ({"SECRET_KEY": "django-insecure-" + GOOD_KEY, "ALLOWED_HOSTS": "a"}, "SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is not set"),
    ],
)
def test_unsafe_settings_stop_the_process(variables, message):
    result = manage("check", **variables)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_with_the_readme_production_variables_reports_nothing():
    variables = readme_production_variables()
    assert variables["DJANGO_SETTINGS_MODULE"] == "engagedly_portal.settings_production"
    result = manage("check", "--deploy", **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr and "?:" not in result.stderr


def test_production_turns_on_https_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.DEBUG)"
    )
    result = manage("shell", "-c", code, **readme_production_variables())
    assert result.stdout.splitlines()[-1].split() == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "False",
    ]
