"""scim2-tester against the real server, started as `make serve` starts it (gunicorn).

The server gets its own database (created and migrated here, never pytest's): a PostgreSQL
database next to the test one when DATABASE_URL is PostgreSQL, else an SQLite file. The run fails
on any check whose status is not SUCCESS, on a non-zero exit, and on fewer than MIN_CHECKS checks.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import pytest
from scim2_tester import Status

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORTS = range(8101, 8110)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("No free port in 8101-8109 for the conformance server.")


@pytest.fixture
def server_database(tmp_path):
    """The live server's own database: on PostgreSQL `<test database>_conformance`, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'conformance.sqlite3'}"
        return
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_conformance"
    admin = {
        k: v
        for k, v in {
            "host": config["HOST"],
            "port": config["PORT"] or None,
            "user": config["USER"],
            "password": config["PASSWORD"] or None,
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MIN_CHECKS = 130
STATUSES = {status.name for status in Status}


def check_statuses(output: str) -> list[str]:
    """The result lines of `scim2 test`, one per check: its status, then its title."""
    return [line for line in output.splitlines() if line.split(" ", 1)[0] in STATUSES]


def run(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def long_request_line(base_url: str, token: str) -> tuple:
    names = " or ".join(f'userName eq "nobody-{n:04d}@example.com"' for n in range(300))
    url = f"{base_url}/Users?" + urllib.parse.urlencode({"filter": names})
    assert len(url) > 12_000
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
            return (
                response.status,
                response.headers["Content-Type"],
                json.loads(response.read())["totalResults"],
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()[:200]


# With custom fields the organization publishes the product's extension, which scim2-tester reads
# from /Schemas and exercises like the others. Only text and yes/no fields: scim2-tester fills an
# attribute it does not know with a random string, which a number, date or choice field refuses
# by design (400 invalidValue, tested in test_scim_custom.py).
CUSTOM_FIELDS = (
    "from employees.models import Organization as O; "
    "from employees.services import custom_field_create as f; o = O.objects.get(slug='conformance'); "
    "f(organization=o, key='office', label='Office', field_type='text'); "
    "f(organization=o, key='remote', label='Remote', field_type='boolean')"
)


@pytest.mark.slow
@pytest.mark.parametrize("custom_fields", [False, True], ids=["core", "custom-fields"])
def test_scim2_tester_reports_no_failures(tmp_path, server_database, custom_fields):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings",
        "DATABASE_URL": server_database,
        "DEBUG": "0",
        "SECRET_KEY": "conformance-run-secret-key-not-for-production",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "SCIM_RATE_LIMIT_PER_MINUTE": "100000",
        # Activity records stay queued in the workers for the whole run: only the graceful stop
        # (gunicorn's worker_exit hook) writes them, and every request must have its record.
        "SCIM_ACTIVITY_FLUSH_SECONDS": "3600",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    run(env, "migrate", "--noinput", "-v0")
    run(
        env,
        "shell",
        "-c",
        "from employees.services import organization_create as c; "
        "c(name='Conformance', slug='conformance', provisioning_enabled=True)",
    )
    if custom_fields:
        run(env, "shell", "-c", CUSTOM_FIELDS)
    created = json.loads(
        run(
            env, "create_scim_connection", "conformance", "scim2-tester", "--base", f"http://127.0.0.1:{port}"
        )
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "engagedly_portal.wsgi:application", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.3)
        result = subprocess.run(
            [
                str(BIN / "scim2"),
                "--url",
                created["base_url"],
                "--header",
                f"Authorization: Bearer {created['token']}",
                "test",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        long_line = long_request_line(created["base_url"], created["token"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    # A request line of 8 KiB and more (a long filter) reaches the SCIM view: SCIM JSON, not
    # gunicorn's HTML 414.
    assert long_line == (200, "application/scim+json", 0), long_line
    output = result.stdout + result.stderr
    served = [line for line in (tmp_path / "access.log").read_text().splitlines() if " /scim/v2/" in line]
    recorded = run(
        env,
        "shell",
        "-v0",
        "-c",
        'from integrations.models import ScimRequest as R; print(R.objects.exclude(method="TASK").count())',
    )
    assert len(served) > 50 and int(recorded.split()[-1]) == len(served), (len(served), recorded)
    checks = check_statuses(output)
    failures = [line for line in checks if not line.startswith("SUCCESS ")]
    assert failures == [], output
    assert result.returncode == 0, output  # scim2 exits 1 on any error or skipped check
    # The whole core User and enterprise schemas published: every attribute is added, replaced
    # and removed by PATCH (the trimmed schema gave about 90 checks).
    assert len(checks) >= MIN_CHECKS, (len(checks), output)
    if custom_fields:  # the extension was discovered, and its attributes patched like the others
        for key in ("office", "remote"):
            assert (
                f"added attribute 'urn:ietf:params:scim:schemas:extension:engagedly:2.0:User:{key}'" in output
            )
    print(f"scim2-tester: {len(checks)} checks, {len(failures)} failures")
