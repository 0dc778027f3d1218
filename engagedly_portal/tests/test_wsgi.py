"""The WSGI entry point, as a gunicorn worker loads it before it accepts connections."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ("integrations.scim.users", "integrations.scim.groups", "employees.views", "api.views.employees")


def test_loading_the_wsgi_application_imports_every_view_before_the_first_request():
    # A fresh interpreter, as a new worker after a max_requests recycle: once the module is
    # loaded, no request of the worker waits on importing the views (about a second).
    probe = "import sys, engagedly_portal.wsgi; print(' '.join(sorted(set(sys.argv[1:]) - set(sys.modules))))"
    done = subprocess.run(
        [sys.executable, "-c", probe, *VIEWS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings_test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"not imported: {done.stdout}"
