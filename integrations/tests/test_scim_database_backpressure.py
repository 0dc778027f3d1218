"""What protects the database when it is unhealthy and Redis (the rate limit) is down too.

Real gunicorn as `make serve` runs it, Redis unreachable (so no rate limit), and a "database"
that accepts connections and never answers, as a hung PostgreSQL does. Three things bound the load
and tell identity providers to come back later:

- gunicorn's threads: at most WEB_CONCURRENCY x GUNICORN_THREADS requests (each with its one
  database connection) are inside the application at once; the rest wait in gunicorn's backlog;
- DB_CONNECT_TIMEOUT_SECONDS: a request gives up connecting after that long;
- ScimView.handle_exception: the failure is a 503 with Retry-After, which Okta and Entra ID honour.
"""

import json
import selectors
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from employees.tests.web_harness import WebServer

pytestmark = pytest.mark.slow

THREADS = 2
REQUESTS = 8
CONNECT_TIMEOUT = 2  # libpq's minimum


class HungDatabase:
    """A TCP listener that accepts connections and never answers, noting when each arrived."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.arrivals: list[float] = []
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def most_attempts_at_once(self, lasting: float) -> int:
        """The most connection attempts in progress together, each lasting `lasting` seconds from
        its arrival. (Not the sockets open: psycopg leaves a timed-out socket to be closed later.)"""
        return max(
            (
                sum(1 for other in self.arrivals if start <= other < start + lasting)
                for start in self.arrivals
            ),
            default=0,
        )

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=5)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()

    def _serve(self):
        while not self.stopped.is_set():
            for key, _ in self.selector.select(timeout=0.1):
                if key.fileobj is self.listener:
                    peer, _ = self.listener.accept()
                    self.selector.register(peer, selectors.EVENT_READ)
                    self.arrivals.append(time.monotonic())
                elif not key.fileobj.recv(4096):  # the client gave up and closed
                    self.selector.unregister(key.fileobj)
                    key.fileobj.close()


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def scim_get(url: str) -> tuple[int, str | None, dict, float]:
    started = time.monotonic()
    # A token of the right shape: checking it takes the database.
    request = urllib.request.Request(url, headers={"Authorization": "Bearer engscim_" + "a" * 43})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (local server)
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, headers.get("Retry-After"), json.loads(body), time.monotonic() - started


def test_a_hung_database_with_redis_down_sees_bounded_connections_and_clients_get_503s(tmp_path):
    with HungDatabase() as database:
        web = WebServer(
            workdir=tmp_path,
            broker=f"redis://127.0.0.1:{dead_port()}/0",
            queue="unused",
            env={
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{database.port}/portal",
                "DB_CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT),
                "WEB_CONCURRENCY": "1",
                "GUNICORN_THREADS": str(THREADS),
                "SCIM_RATE_LIMIT_PER_MINUTE": "60",  # would refuse most of this burst, were Redis up
                "SCIM_ACTIVITY_FLUSH_SECONDS": "3600",  # only the requests themselves connect
            },
        ).start()
        try:
            url = f"{web.url}/scim/v2/{'0f' * 10}/Users"
            with ThreadPoolExecutor(REQUESTS) as pool:
                answers = list(pool.map(lambda _: scim_get(url), range(REQUESTS)))
        except AssertionError:
            print(web.log_tail())
            raise
        finally:
            web.stop()
    for status, retry_after, body, _ in answers:
        assert (status, retry_after, body["status"]) == (503, "5", "503"), body
    # One connection attempt per request, never more at once than gunicorn has threads, however
    # many clients wait (a little under the timeout: attempts back to back must not overlap).
    assert len(database.arrivals) == REQUESTS, database.arrivals
    assert database.most_attempts_at_once(lasting=CONNECT_TIMEOUT - 0.3) == THREADS
    # Each request gave up connecting after the timeout; the queue drained THREADS at a time.
    slowest = max(seconds for *_, seconds in answers)
    assert slowest < (REQUESTS / THREADS) * (CONNECT_TIMEOUT + 1) + 5, slowest
