"""Real Celery workers and Redis servers for the end-to-end background tests.

The workers are separate processes (`celery worker --beat`) consuming a queue unique to this
test run, on the Redis in REDIS_URL (CI) or the machine's Redis (127.0.0.1:6379), and sharing
the test database (PostgreSQL from DATABASE_URL, or SQLite's test file; see settings_test).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection
from kombu import pools as kombu_pools

from engagedly_portal.celery import app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/3")
# Ports tried, in order, for the Redis server a test stops and starts itself.
OWN_REDIS_PORTS = range(6391, 6400)


def broker_url() -> str:
    return os.environ.get("REDIS_URL") or SYSTEM_REDIS_URL


def database_url() -> str:
    """The URL of the test database this process uses, for the worker processes."""
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        name = str(settings["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("The worker tests need a file SQLite test database (see settings_test).")
        return f"sqlite:///{name}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll until predicate() is true; return the seconds it took, or fail naming what never happened."""
    started = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class ProcessGroup:
    """A server process in a process group of its own, as the drills start, stop and kill them."""

    stop_timeout = 15.0
    process: subprocess.Popen | None = None
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL the whole group at once, as a crashed machine or the OOM killer would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()


class Worker(ProcessGroup):
    """One `celery worker --beat` process group (prefork, one child), killable with SIGKILL."""

    def __init__(self, *, broker: str, queue: str, workdir: Path, name: str, env: dict | None = None):
        self.broker, self.queue, self.workdir, self.name = broker, queue, workdir, name
        self.extra_env = env or {}
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings_test",
            "DATABASE_URL": database_url(),
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": self.broker,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # Sweep every second, for anything older than a second: the tests wait seconds, not minutes.
            "BACKGROUND_SWEEP_INTERVAL_SECONDS": "1",
            "BACKGROUND_SWEEP_GRACE_SECONDS": "1",
            **self.extra_env,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "engagedly_portal", "worker", "--beat",
            "--schedule", str(self.workdir / f"{self.name}-beat-schedule"),
            "--queues", self.queue, "--hostname", f"{self.name}-{uuid.uuid4().hex[:8]}@%h",
            "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        wait_until(lambda: b" ready." in self.log_path.read_bytes() or self.process.poll() is not None,
                   timeout, f"worker {self.name} to start")  # fmt: skip
        if self.process.poll() is not None:
            raise AssertionError(f"Worker {self.name} exited:\n{self.log_tail()}")
        return self


@contextmanager
def publishing_to(broker: str, queue: str):
    """Make this process publish tasks to the real broker and queue instead of running them in-process."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}

    def reset_pools() -> None:
        # The connection and producer pools are built from broker_url on first use; kombu keeps
        # producer pools per broker URL, process-wide, so those go too.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu_pools.reset()

    app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    reset_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset_pools()  # later tests publish to the broker they are configured with
        reset_pools()


@contextmanager
def worker_on_own_redis(workdir: Path, name: str, env: dict | None = None):
    """A throwaway redis-server, a worker consuming a queue of its own there, and this process
    publishing to it: yields (server, worker, queue); prints the worker's log when a check fails.
    `env` overrides the worker's environment (the shipped sweep timings, say)."""
    server = RedisServer(workdir).start()
    queue = f"test-{name}-{uuid.uuid4().hex[:12]}"
    worker = Worker(broker=server.url, queue=queue, workdir=workdir, name=name, env=env).start()
    try:
        with publishing_to(server.url, queue):
            yield server, worker, queue
    except AssertionError:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()
        server.stop()


def unacked_tasks(broker: str, queue: str) -> list[dict]:
    """Messages of our queue taken by a worker and not yet acknowledged (kombu's Redis 'unacked' hash)."""
    client = redis.Redis.from_url(broker)
    found = []
    for raw in client.hvals("unacked"):
        message, _exchange, routing_key = json.loads(raw)
        if routing_key == queue:
            found.append(message["headers"])
    return found


def forget_queue(broker: str, queue: str) -> None:
    """Remove this run's queue and its unacknowledged messages from the shared Redis."""
    client = redis.Redis.from_url(broker)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    for pattern in (f"{queue}*", f"_kombu.binding*.{queue}"):
        for key in client.scan_iter(match=pattern):
            client.delete(key)


class RedisServer:
    """A redis-server of our own on a free port of OWN_REDIS_PORTS, which a test may stop and start."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as with a hung Redis."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False


def _free_port() -> int:
    for port in OWN_REDIS_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"No free port for a test Redis in {OWN_REDIS_PORTS}")
