"""The WSGI entry point, as gunicorn's master loads it before it forks the workers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ("integrations.scim.users", "integrations.scim.groups", "employees.views", "api.views.employees")


def load_application(probe: str, *args: str) -> str:
    """Run `probe` in a fresh interpreter right after it loaded the WSGI application."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, engagedly_portal.wsgi\n{probe}", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings_test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_loading_the_wsgi_application_imports_every_view_before_the_first_request():
    # Otherwise each new worker (after a max_requests recycle too) would keep its first requests
    # waiting on about a second of imports.
    missing = load_application("print(' '.join(sorted(set(sys.argv[1:]) - set(sys.modules))))", *VIEWS)
    assert missing == "", f"not imported: {missing}"


def test_loading_the_wsgi_application_opens_no_connection_and_starts_no_thread():
    # gunicorn preloads the application and forks the workers from it (gunicorn.conf.py): a
    # database or Redis connection opened here would be shared by every worker.
    probe = """
import gc, socket, threading
from django.db import connections
print(sum(c.connection is not None for c in connections.all(initialized_only=True)),
      sum(isinstance(o, socket.socket) for o in gc.get_objects()),
      threading.active_count())
"""
    assert load_application(probe) == "0 0 1"


def test_gunicorn_preloads_the_application_unless_told_not_to():
    conf = "import runpy; print(runpy.run_path('gunicorn.conf.py')['preload_app'])"
    for value, preloaded in ((None, "True"), ("0", "False")):
        env = {key: val for key, val in os.environ.items() if key != "GUNICORN_PRELOAD"}
        if value is not None:
            env["GUNICORN_PRELOAD"] = value
        done = subprocess.run([sys.executable, "-c", conf], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.stdout.strip() == preloaded, done.stderr
