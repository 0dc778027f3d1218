"""The web server as `make serve` runs it (gunicorn with gunicorn.conf.py), as a process a test may kill.

It shares the test database (PostgreSQL from DATABASE_URL, or SQLite's test file) and a broker
with the workers of employees/tests/worker_harness.py.
"""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .worker_harness import PROJECT_ROOT, ProcessGroup, database_url, wait_until

# Ports tried, in order, for the server (the conformance test's gunicorn uses 8101-8109).
PORTS = range(8121, 8130)


class WebServer(ProcessGroup):
    """gunicorn in a process group of its own: `kill()` is a SIGKILL of the arbiter and its workers."""

    stop_timeout = 30.0

    def __init__(self, *, workdir: Path, broker: str, queue: str, env: dict | None = None):
        self.workdir, self.broker, self.queue = workdir, broker, queue
        self.extra_env = env or {}
        self.port = _free_port()
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "WebServer":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings_test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            **self.extra_env,
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "engagedly_portal.wsgi:application",
             "-c", "gunicorn.conf.py"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_until(lambda: self._answers() or self.process.poll() is not None, timeout, "gunicorn to start")
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log_tail()}")
        return self

    def request(self, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/scim+json", "Authorization": f"Bearer {token}"}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310
                return True
        except OSError:
            return False


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"No free port for a test web server in {PORTS}")
