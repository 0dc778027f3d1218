"""SCIM throughput benchmark, an outside client of the server as shipped (see bench/README.md).

    make bench                                      # the working tree
    make bench BENCH_ARGS="--before 6effee6"        # that commit and the working tree, taking turns

Each side (the working tree, or a git worktree of a ref) gets a fresh PostgreSQL database and a
Redis database of its own, `make serve` and `make worker` with their shipped defaults, a seed
(bench/seed.py, run with the side's own code) and SCIM connections (create_scim_connection).
Round after round, each side in turn is started alone, measured (bench/load.py) and stopped.
"""

import argparse
import asyncio
import contextlib
import functools
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from load import DEFAULT_SCENARIOS, SCENARIOS, measure_round
from seed import BENCH_SLUG

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POSTGRES, REDIS = "postgres://postgres@127.0.0.1:5432", "redis://127.0.0.1:6379"
# `make serve` runs the production settings: a strong key, the hosts served, plain HTTP allowed.
SECRET_KEY = secrets.token_urlsafe(50)
KEPT_ENV = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR")  # nothing else of ours reaches the server


@dataclass
class Side:
    label: str  # "before" or "after"
    description: str
    checkout: Path
    redis_db: int
    port: int
    connections: list = field(default_factory=list)  # (base URL, token) of each SCIM connection
    rounds: list = field(default_factory=list)  # per round, a summary of each scenario run
    processes: list = field(default_factory=list)  # `make serve` and `make worker` while measured

    @property
    def env(self) -> dict:
        return {
            **{name: os.environ[name] for name in KEPT_ENV if name in os.environ},
            **{"DEBUG": "0", "SECRET_KEY": SECRET_KEY, "PORT": str(self.port)},
            **{"ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"},
            "DATABASE_URL": f"{POSTGRES}/portal_bench_{self.label}",
            "REDIS_URL": f"{REDIS}/{self.redis_db}",
        }

    def log(self, target: str) -> Path:
        return RESULTS / f"{self.label}-{target}.log"

    def reset(self) -> None:
        """A fresh database (`make serve` migrates it), an empty Redis database, empty logs."""
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS portal_bench_{self.label} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE portal_bench_{self.label}")
        redis.Redis.from_url(f"{REDIS}/{self.redis_db}").flushdb()
        for target in ("serve", "worker"):
            self.log(target).write_text("")

    def run(self, *command: str) -> str:
        result = subprocess.run(command, cwd=self.checkout, env=self.env, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self) -> int:
        """`make serve` and `make worker` in the checkout, each in a process group of its own, until
        both are up (the worker's start-up CPU then spent); returns the server's group."""
        if healthy(self.port):
            raise RuntimeError(f"Something already answers on port {self.port}: stop it or pass --port")
        serve, _ = self.make("serve")
        # The beat schedule goes with the logs rather than into the checkout (a location, not a setting).
        worker, worker_start = self.make("worker", f"WORKER_ARGS=--schedule={RESULTS / self.label}-beat")
        deadline = time.monotonic() + 300
        while not (healthy(self.port) and b" ready." in self.log("worker").read_bytes()[worker_start:]):
            if serve.poll() is not None or worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The server or the worker did not come up; see {self.log('*')}")
            time.sleep(0.5)
        return serve.pid

    def make(self, target: str, *make_args: str) -> tuple[subprocess.Popen, int]:
        with self.log(target).open("a") as log:
            start = log.tell()
            # -o: the shared .venv is installed; a worktree's newer requirements.txt must not reinstall it.
            command = ["make", "--no-print-directory", "-o", ".venv/.installed", target, *make_args]
            process = subprocess.Popen(
                command, cwd=self.checkout, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self.processes.append(process)
        return process, start

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 40  # gunicorn's graceful stop, Celery's warm shutdown
        while any(processes_of(p.pid) for p in self.processes) and time.monotonic() < deadline:
            time.sleep(0.2)
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.processes.clear()

    def seed(self, args) -> None:
        """The organizations, with the checkout's own code; then the SCIM connections."""
        python = str(self.checkout / ".venv" / "bin" / "python")
        seeded = self.run(python, f"{ROOT}/bench/seed.py", f"--size={args.size}", f"--other={args.other}")
        print(f"   {self.label}: seeded {seeded.strip()}")
        command = (python, "manage.py", "create_scim_connection", BENCH_SLUG)
        with ThreadPoolExecutor(2) as pool:  # one command per core
            outputs = pool.map(lambda n: self.run(*command, f"bench-{n + 1}"), range(args.connections))
        for created in (json.loads(out.strip().splitlines()[-1]) for out in outputs):
            # The base URL on this run's port, whatever origin the command knows.
            path = urlsplit(created["base_url"]).path
            self.connections.append((f"http://127.0.0.1:{self.port}{path}", created["token"]))


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def add_worktree(ref: str, label: str, parent: Path) -> tuple[Path, str]:
    """A detached worktree of `ref` that shares the working tree's virtualenv."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    path = parent / f"{label}-{commit[:8]}"
    git("worktree", "add", "--detach", str(path), commit)
    (path / ".venv").symlink_to(ROOT / ".venv")
    if (path / "requirements.txt").read_text() != (ROOT / "requirements.txt").read_text():
        print(f"WARNING: the requirements.txt of {ref} differs from the working tree's, whose .venv it uses")
    return path, f"{ref} ({commit[:8]})"


def processes_of(pgid: int) -> dict[int, list[str]]:
    """The live processes of a process group: /proc/<pid>/stat after the name (state, ppid, ...)."""
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[2] == str(pgid) and fields[0] != "Z":
                found[int(entry)] = fields
    return found


def gunicorn_worker_cpu(pgid: int) -> dict[int, float]:
    """CPU seconds of each gunicorn worker (a gunicorn process whose parent is one) in a group."""
    group, gunicorn = processes_of(pgid), set()
    for pid in group:
        with contextlib.suppress(OSError):  # the argv of `python .venv/bin/gunicorn ...`, master and workers
            if b"/gunicorn\0" in Path(f"/proc/{pid}/cmdline").read_bytes():
                gunicorn.add(pid)
    tick = os.sysconf("SC_CLK_TCK")
    return {pid: (int(f[11]) + int(f[12])) / tick for pid, f in group.items() if int(f[1]) in gunicorn}


def healthy(port: int) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
        return True
    return False


def cpu_text(run: dict) -> str:
    cpu_ms = run.get("cpu_ms")
    return "CPU n/a (a worker recycled)" if cpu_ms is None else f"CPU {cpu_ms:.2f} ms/req"


def print_round(side: Side, runs: list[dict]) -> None:
    for run in runs:
        ops = ", ".join(f"{op} {o['p50_ms']:.1f}/{o['p99_ms']:.1f}" for op, o in run["ops"].items())
        print(
            f"   {side.label} round {len(side.rounds)}: {run['scenario']:<10}{run['rate']:7.1f} req/s "
            f"{run['share_of_ceiling']:5.0%} of ceiling, {run['errors']} errors, gunicorn workers "
            f"{run['worker_split']}, {cpu_text(run)}; p50/p99 ms: {ops}"
        )
        for line in run["error_samples"] + run["notes"]:
            print(f"      {line}")


def report(sides: list[Side], scenarios: list[str]) -> dict:
    """Per side and scenario, the median over the rounds; then AFTER / BEFORE of the medians."""
    table: dict = {}
    keys = ("rate", "share_of_ceiling", "p50_ms", "p99_ms")
    for side in sides:
        print(f"\n== {side.label.upper()}: {side.description}, medians of {len(side.rounds)} rounds")
        print(
            f"   {'scenario':<11}{'req/s':>8}  {'(min-max)':<16}{'ceiling':>8}  p50 ms  p99 ms  errors"
            "  web CPU ms/req"
        )
        for name in scenarios:
            runs = [run for runs in side.rounds for run in runs if run["scenario"] == name]
            m = {key: statistics.median(run[key] for run in runs) for key in keys}
            rates = [run["rate"] for run in runs]
            m.update(rate_min=min(rates), rate_max=max(rates), errors=sum(run["errors"] for run in runs))
            cpu = [run["cpu_ms"] for run in runs if run.get("cpu_ms") is not None]
            m["cpu_ms"] = statistics.median(cpu) if cpu else None
            table.setdefault(side.label, {})[name] = m
            spread = f"({m['rate_min']:.1f}-{m['rate_max']:.1f})"
            print(
                f"   {name:<11}{m['rate']:>8.1f}  {spread:<16}{m['share_of_ceiling']:>8.0%}"
                f"{m['p50_ms']:>8.1f}{m['p99_ms']:>8.1f}  {m['errors']:<6}"
                f"{'n/a' if m['cpu_ms'] is None else format(m['cpu_ms'], '.2f'):>14}"
            )
    ratios = {}
    if len(sides) == 2:
        print("\n== AFTER / BEFORE, of the medians (req/s and share of ceiling: higher is better)")
        print(f"   {'scenario':<11}{'req/s':>8}{'ceiling':>9}{'p50':>8}{'p99':>8}")
        for name in scenarios:
            before, after = table["before"][name], table["after"][name]
            ratios[name] = ratio = {key: after[key] / before[key] for key in keys}
            print(
                f"   {name:<11}{ratio['rate']:>7.2f}x{ratio['share_of_ceiling']:>8.2f}x"
                f"{ratio['p50_ms']:>7.2f}x{ratio['p99_ms']:>7.2f}x"
            )
    return {"medians": table, "after_over_before": ratios}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", help="a git ref to compare with (run in a worktree of its own)")
    parser.add_argument("--after", help="a git ref to measure instead of the working tree")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side, taking turns")
    parser.add_argument("--size", type=int, default=10_000, help="employees of the measured organization")
    parser.add_argument("--other", type=int, help="employees of the other organization (default --size)")
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS), help=f"of {','.join(SCENARIOS)}")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--connections", type=int, default=32, help="SCIM connections the requests share")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (a bound)")
    parser.add_argument("--requests", type=int, default=20_000, help="requests per run (a bound)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run")
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--reconnect-every", type=int, default=100, help="requests per connection; 0: no end")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.other = args.size if args.other is None else args.other
    chosen = SCENARIOS if args.scenarios == "all" else args.scenarios.split(",")
    if not set(chosen) <= set(SCENARIOS) or args.rounds < 1:
        parser.error(f"--scenarios: any of {', '.join(SCENARIOS)}, or all; --rounds: 1 or more")
    args.scenarios = ["ceiling", *(name for name in chosen if name != "ceiling")]  # the yardstick, always
    return args


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(exist_ok=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even where started ignoring it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout` and kill clean up as Ctrl-C does
    temp, worktrees, sides = Path(tempfile.mkdtemp(prefix="portal-bench-")), [], []
    try:
        for label, ref, redis_db in (("before", args.before, 5), ("after", args.after, 4)):
            if label == "before" and not ref:
                continue
            checkout, description = add_worktree(ref, label, temp) if ref else (ROOT, f"working tree {ROOT}")
            if ref:
                worktrees.append(checkout)
            sides.append(Side(label, description, checkout, redis_db, args.port))
            sides[-1].reset()
        print(
            f"{' and '.join(s.label for s in sides)}, {args.rounds} rounds: {args.size} employees "
            f"(+{args.other} in bench-other), {args.concurrency} requests in flight over {args.connections} "
            f"SCIM connections, {args.warmup:g} s warm-up + {args.duration:g} s a run; logs in {RESULTS}/"
        )
        for round_index in range(args.rounds):
            for side in sides:
                server_group = side.start()
                try:
                    if not side.connections:
                        side.seed(args)
                    cpu = functools.partial(gunicorn_worker_cpu, server_group)
                    side.rounds.append(asyncio.run(measure_round(side.connections, args, round_index, cpu)))
                finally:
                    side.stop()
                print_round(side, side.rounds[-1])
        figures = report(sides, args.scenarios)
        if args.json:
            rounds = {side.label: {"checkout": side.description, "rounds": side.rounds} for side in sides}
            payload = {"settings": vars(args), **figures, "sides": rounds}
            Path(args.json).write_text(json.dumps(payload, indent=2))
        return 1 if any(m["errors"] for table in figures["medians"].values() for m in table.values()) else 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave processes behind
        for side in sides:
            side.stop()
        for path in worktrees:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path], capture_output=True)
        shutil.rmtree(temp, ignore_errors=True)
        subprocess.run(["git", "-C", ROOT, "worktree", "prune"], capture_output=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started is stopped by then
        sys.exit(130)
