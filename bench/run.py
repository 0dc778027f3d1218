"""SCIM throughput benchmark: `make bench` (see bench/README.md for options and how to read the output).

It creates and migrates a dedicated PostgreSQL database, seeds the bench organizations
(manage.py bench_seed), starts the server exactly as `make serve` does (gunicorn.conf.py, DEBUG=0,
PostgreSQL, REDIS_URL) plus `make worker`, creates one SCIM connection per organization
(manage.py create_scim_connection) and drives the scenarios with an asyncio aiohttp client.
Every scenario is bounded by a request count and a duration; everything stays on localhost.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SCENARIOS = ["ceiling", "okta-push", "okta-mix", "lookup-scale", "import"]
SIZES = {"1k": 1000, "10k": 10000, "100k": 100000}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def slug_for(size: int) -> str:
    return f"bench-{size // 1000}k"


def seeded_username(slug: str, i: int) -> str:
    return f"user{i}@{slug}.bench.example"


# ---------------------------------------------------------------- measurements


@dataclass
class OpStats:
    latencies: list = field(default_factory=list)  # seconds
    queries: list = field(default_factory=list)
    errors: int = 0
    error_samples: list = field(default_factory=list)


@dataclass
class Run:
    name: str
    label: str
    ops: dict = field(default_factory=dict)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0  # gunicorn workers' CPU seconds per second
    worker_split: list = field(default_factory=list)  # each live worker's share of server_cpu
    postgres_cpu: float = 0.0  # the bench database's PostgreSQL backends', likewise
    notes: list = field(default_factory=list)

    def op(self, name: str) -> OpStats:
        return self.ops.setdefault(name, OpStats())

    @property
    def requests(self) -> int:
        return sum(len(s.latencies) for s in self.ops.values())

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.ops.values())

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server-side CPU (workers + PostgreSQL) per request: what load elsewhere does not change."""
        return (self.server_cpu + self.postgres_cpu) / self.rate * 1000 if self.rate else 0.0


def percentile(values: list, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Client:
    """One aiohttp session; every call records latency, status and X-Query-Count into a Run."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str):
        self.session = session
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
        self.run: Run | None = None

    async def call(self, op: str, method: str, path: str, body=None, expect=(200,), parse=False):
        url = path if path.startswith("http") else self.base_url + path
        # orjson: the client must stay light next to the server on the same 2 cores.
        data = orjson.dumps(body) if body is not None else None
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/scim+json"
        started = time.perf_counter()
        status, raw, text, count = 0, b"", "", None
        try:
            async with self.session.request(method, url, data=data, headers=headers) as response:
                raw = await response.read()
                status = response.status
                count = response.headers.get("X-Query-Count")
        except (TimeoutError, aiohttp.ClientError) as exc:
            text = repr(exc)
        elapsed = time.perf_counter() - started
        if self.run is not None:
            stats = self.run.op(op)
            stats.latencies.append(elapsed)
            if count is not None:
                stats.queries.append(int(count))
            if status not in expect:
                stats.errors += 1
                text = text or raw.decode("utf-8", "replace")
                if len(stats.error_samples) < 3:
                    stats.error_samples.append(f"{method} {path[:80]} -> {status} {text[:200]}")
        if parse and status in expect:
            return orjson.loads(raw)
        return status


async def drive(client: Client, run: Run, step, *, concurrency: int, duration: float, max_requests: int):
    """Run `step(worker_index, n)` from `concurrency` tasks until the duration or request bound."""
    client.run = run
    deadline = time.monotonic() + duration
    counter = iter(range(10**9))

    async def worker(index: int):
        while time.monotonic() < deadline and run.requests < max_requests:
            await step(index, next(counter))

    cpu0, wall0, server0 = time.process_time(), time.perf_counter(), cpu_snapshot()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    run.elapsed = time.perf_counter() - wall0
    run.client_cpu = (time.process_time() - cpu0) / run.elapsed
    server1 = cpu_snapshot()
    run.server_cpu = cpu_delta(server0, server1, "workers") / run.elapsed
    run.worker_split = sorted(
        (
            (seconds - server0["workers"].get(pid, 0.0)) / run.elapsed
            for pid, seconds in server1["workers"].items()
            if isinstance(pid, int)
        ),
        reverse=True,
    )
    run.postgres_cpu = cpu_delta(server0, server1, "postgres") / run.elapsed
    client.run = None
    return run


# ---------------------------------------------------------------- server processes

SERVER_PIDS: list[int] = []


def proc_children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _is_gunicorn(pid: int) -> bool:
    """A gunicorn Python process (not the shell that `make serve` runs it from)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return "python" in Path(argv[0].decode()).name and any(arg.endswith(b"gunicorn") for arg in argv[:2])


def gunicorn_workers(root_pid: int) -> list[int]:
    """gunicorn worker pids under root_pid (the `make serve` process, or gunicorn's master itself)."""
    children = proc_children()
    found, stack = [], [root_pid]
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            stack.append(child)
            if _is_gunicorn(child) and _is_gunicorn(pid):
                found.append(child)
    return found


def worker_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


SERVER_ROOT: list[int] = []
DATABASE: dict = {}


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _postgres_backends() -> list[int]:
    """The PostgreSQL backends serving the bench database (the server's and the worker's)."""
    if not DATABASE:
        return []
    import psycopg

    try:
        with psycopg.connect(DATABASE["admin_url"], autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DATABASE["name"]],
            ).fetchall()
    except psycopg.Error:
        return []
    return [pid for (pid,) in rows]


def _reaped_cpu_seconds(pid: int) -> float:
    """CPU seconds of the children pid has waited for (cutime + cstime): recycled workers."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / CLK_TCK


def cpu_snapshot() -> dict:
    """CPU seconds so far of each gunicorn worker and each PostgreSQL backend of the bench database.

    A worker that gunicorn recycles (max_requests) within a scenario leaves the process table;
    its CPU then shows in the master's reaped-children time, counted under the master's key.
    """
    snapshot = {"workers": {}, "postgres": {}}
    if SERVER_ROOT:
        workers = gunicorn_workers(SERVER_ROOT[0])
        for pid in workers:
            snapshot["workers"][pid] = _cpu_seconds(pid) or 0.0
        parents = {child: parent for parent, kids in proc_children().items() for child in kids}
        for master in {parents[pid] for pid in workers if pid in parents}:
            snapshot["workers"][f"reaped by {master}"] = _reaped_cpu_seconds(master)
    for pid in _postgres_backends():
        snapshot["postgres"][pid] = _cpu_seconds(pid) or 0.0
    return snapshot


def cpu_delta(before: dict, after: dict, kind: str) -> float:
    return sum(seconds - before[kind].get(pid, 0.0) for pid, seconds in after[kind].items())


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_database(database_url: str, reset: bool) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    SERVER_PIDS.append(process.pid)
    return process


def stop_all() -> None:
    for pid in SERVER_PIDS:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    for pid in SERVER_PIDS:
        for _ in range(100):
            try:
                os.kill(pid, 0)
                os.waitpid(pid, os.WNOHANG)
            except (ProcessLookupError, ChildProcessError):
                break
            time.sleep(0.1)


async def wait_healthy(origin: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(origin + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    sys.exit(
        f"The server at {origin} did not answer /healthz within {seconds:.0f} s (see bench/results/*.log)"
    )


# ---------------------------------------------------------------- scenarios


def user_body(username: str, manager: str, n: int) -> dict:
    """Okta's create body (WIRE-EXAMPLES.md): nine mapped attributes, the extension, the manager's email."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "userName": username,
        "name": {"givenName": "Ava", "familyName": f"Nguyen{n}"},
        "emails": [{"primary": True, "value": username, "type": "work"}],
        "displayName": f"Ava Nguyen{n}",
        "title": "Sales Manager",
        "addresses": [{"type": "work", "locality": "Austin", "primary": True}],
        "locale": "en-US",
        "externalId": f"00u{uuid.uuid4().hex[:17]}",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
        ENTERPRISE: {
            "employeeNumber": f"P-{n}",
            "division": "Americas",
            "department": "Sales",
            "manager": {"value": manager},
        },
    }


def lookup_path(username: str) -> str:
    return "/Users?filter=" + quote(f'userName eq "{username}"') + "&startIndex=1&count=100"


async def warm(client: Client, path: str, seconds: float, concurrency: int) -> None:
    """Open keep-alive connections and wake every worker before measuring."""
    deadline = time.monotonic() + seconds
    count = 0

    async def one():
        nonlocal count
        while time.monotonic() < deadline and count < 2000:
            count += 1
            await client.call("warm", "GET", path)

    await asyncio.gather(*(one() for _ in range(concurrency)))


async def scenario_ceiling(ctx, size):
    client = ctx.clients[size]
    path = client.base_url + "/_bench/ceiling"
    await warm(client, path, ctx.warmup, ctx.concurrency)
    run = Run("ceiling", f"{slug_for(size)}, trivial authenticated JSON view")

    async def step(_i, _n):
        await client.call("ceiling GET", "GET", path)

    return [await drive(client, run, step, **ctx.bounds())]


async def scenario_okta_push(ctx, size):
    client = ctx.clients[size]
    slug = slug_for(size)
    tag = uuid.uuid4().hex[:6]
    await warm(client, lookup_path(seeded_username(slug, 1)), ctx.warmup, ctx.concurrency)
    run = Run("okta-push", f"{slug}, new users: lookup GET then POST")

    async def step(_i, n):
        username = f"push-{tag}-{n}@{slug}.push.example"
        found = await client.call("lookup (miss)", "GET", lookup_path(username), parse=True)
        if isinstance(found, dict) and found.get("totalResults") == 0:
            manager = seeded_username(slug, random.randrange(size))
            await client.call("create POST", "POST", "/Users", user_body(username, manager, n), expect=(201,))

    return [await drive(client, run, step, **ctx.bounds())]


async def collect_users(client: Client, wanted: int) -> list[dict]:
    """Existing users (their full resources) for PUT/PATCH/GET: the first pages, unmeasured."""
    users: list[dict] = []
    start = 1
    while len(users) < wanted:
        page = await client.call("setup", "GET", f"/Users?startIndex={start}&count=100", parse=True)
        if not isinstance(page, dict) or not page.get("Resources"):
            break
        users.extend(page["Resources"])
        start += 100
    return users


async def scenario_okta_mix(ctx, size):
    client = ctx.clients[size]
    slug = slug_for(size)
    pool = await collect_users(client, 3000)
    if len(pool) < 200:
        sys.exit(f"okta-mix needs existing users in {slug}; got {len(pool)}")
    # Deactivation targets are taken once each, from their own part of the pool, so every
    # deactivation is a real state change (bench_seed reactivates them before the next run).
    to_deactivate = pool[len(pool) // 2 :]
    to_update = pool[: len(pool) // 2]
    await warm(client, lookup_path(seeded_username(slug, 1)), ctx.warmup, ctx.concurrency)
    run = Run("okta-mix", f"{slug}, existing users: 60% lookup, 20% PUT, 10% deactivate, 10% GET")
    deactivations = iter(range(10**9))

    async def step(_i, n):
        roll = random.random()
        if roll < 0.6:
            username = seeded_username(slug, random.randrange(size))
            await client.call("lookup (hit)", "GET", lookup_path(username))
        elif roll < 0.8:
            user = dict(random.choice(to_update))
            user["title"] = f"Engineer {n}"
            await client.call("update PUT", "PUT", f"/Users/{user['id']}", user)
        elif roll < 0.9:
            user = to_deactivate[next(deactivations) % len(to_deactivate)]
            if n % 2:
                await client.call("deactivate PUT", "PUT", f"/Users/{user['id']}", {**user, "active": False})
            else:
                body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
                await client.call("deactivate PATCH", "PATCH", f"/Users/{user['id']}", body)
        else:
            user = random.choice(pool)
            await client.call("GET by id", "GET", f"/Users/{user['id']}")

    return [await drive(client, run, step, **ctx.bounds())]


async def scenario_lookup_scale(ctx, _size):
    runs = []
    for size in ctx.sizes:
        client = ctx.clients[size]
        slug = slug_for(size)
        await warm(client, lookup_path(seeded_username(slug, 1)), ctx.warmup, ctx.concurrency)
        run = Run(f"lookup-scale {slug}", f"{slug}, userName eq lookups of existing users")

        async def step(_i, _n, slug=slug, size=size, client=client):
            await client.call(
                "lookup (hit)", "GET", lookup_path(seeded_username(slug, random.randrange(size)))
            )

        runs.append(await drive(client, run, step, **ctx.bounds()))
    if len(runs) > 1:
        first, last = runs[0].op("lookup (hit)"), runs[-1].op("lookup (hit)")
        ratio = percentile(last.latencies, 99) / percentile(first.latencies, 99)
        runs[-1].notes.append(f"p99 {slug_for(ctx.sizes[-1])} / p99 {slug_for(ctx.sizes[0])} = {ratio:.2f}x")
    return runs


async def scenario_import(ctx, size):
    client = ctx.clients[size]
    slug = slug_for(size)
    await warm(client, "/Users?startIndex=1&count=100", ctx.warmup, ctx.concurrency)
    first = await client.call("setup", "GET", "/Users?startIndex=1&count=1", parse=True)
    total = first["totalResults"] if isinstance(first, dict) else size
    starts = list(range(1, total + 1, 100))
    run = Run("import", f"{slug}, every page of 100 ({len(starts)} pages), {ctx.concurrency} at a time")
    queue = iter(starts)

    async def step(_i, _n):
        start = next(queue, None)
        if start is None:  # every page is taken; the last ones are still in flight
            await asyncio.sleep(0.01)
            return
        await client.call("page of 100", "GET", f"/Users?startIndex={start}&count=100")

    bounds = ctx.bounds()
    bounds["max_requests"] = min(bounds["max_requests"], len(starts))
    bounds["duration"] = max(bounds["duration"], ctx.import_duration)
    result = await drive(client, run, step, **bounds)
    done = len(result.op("page of 100").latencies)
    if done < len(starts):
        result.notes.append(f"stopped by the bound after {done} of {len(starts)} pages")
    # First vs last page, one request at a time as Okta's import sends them.
    edges = Run("import edges", f"{slug}, first and last page, sequential, 20 each")
    client.run = edges
    for _ in range(20):
        await client.call("first page", "GET", "/Users?startIndex=1&count=100")
        await client.call("last page", "GET", f"/Users?startIndex={starts[-1]}&count=100")
    client.run = None
    ratio = percentile(edges.op("last page").latencies, 50) / percentile(edges.op("first page").latencies, 50)
    edges.notes.append(f"last page p50 / first page p50 = {ratio:.2f}x")
    return [result, edges]


SCENARIO_FUNCS = {
    "ceiling": scenario_ceiling,
    "okta-push": scenario_okta_push,
    "okta-mix": scenario_okta_mix,
    "lookup-scale": scenario_lookup_scale,
    "import": scenario_import,
}


# ---------------------------------------------------------------- output


def print_run(run: Run) -> None:
    print(f"\n== {run.name}: {run.label}")
    if run.elapsed:
        # Each worker's part: gthread workers keep the connections they accepted, so a run
        # whose keep-alive connections landed unevenly shows here (e.g. 95% + 5%).
        split = " + ".join(f"{share * 100:.0f}%" for share in run.worker_split)
        print(
            f"   {run.requests} requests in {run.elapsed:.1f} s = {run.rate:.1f} req/s, {run.errors} errors; "
            f"client CPU {run.client_cpu * 100:.0f}% of one core, server workers {run.server_cpu * 100:.0f}%"
            + (f" ({split})" if split else "")
        )
        if run.rate:
            workers, postgres = run.server_cpu / run.rate * 1000, run.postgres_cpu / run.rate * 1000
            print(
                f"   server CPU per request: {run.cpu_ms_per_request:.2f} ms "
                f"(gunicorn workers {workers:.2f}, PostgreSQL {postgres:.2f})"
            )
    print(
        f"   {'operation':<18}{'requests':>9}{'errors':>8}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'SQL/req':>9}{'max':>5}"
    )
    for name, stats in run.ops.items():
        q = stats.queries
        print(
            f"   {name:<18}{len(stats.latencies):>9}{stats.errors:>8}"
            f"{percentile(stats.latencies, 50) * 1000:>9.1f}{percentile(stats.latencies, 95) * 1000:>9.1f}"
            f"{percentile(stats.latencies, 99) * 1000:>9.1f}"
            f"{(sum(q) / len(q)) if q else float('nan'):>9.1f}{max(q) if q else 0:>5}"
        )
        for sample in stats.error_samples:
            print(f"      e.g. {sample}")
    for note in run.notes:
        print(f"   {note}")


def one_worker_served(run: Run) -> bool:
    """Did one of several workers do nearly all of the run's work (under a tenth of the other's)?"""
    split = run.worker_split
    return len(split) > 1 and split[0] > 0 and split[-1] < split[0] / 10


def run_order(scenarios: list[str]) -> list[str]:
    """With other scenarios, `ceiling` runs first, between every two and last: the host's speed
    drifts within a run (ceiling at 785 then 546 req/s in one run on the shared 2-core machine),
    so each scenario is compared with the ceiling measured just before and just after it."""
    if "ceiling" not in scenarios or len(scenarios) == 1:
        return scenarios
    order = ["ceiling"]
    for name in scenarios:
        if name != "ceiling":
            order += [name, "ceiling"]
    return order


def adjacent_ceiling(runs: list[Run], index: int) -> tuple[float, float]:
    """The mean rate and CPU per request of the `ceiling` runs nearest before and after runs[index]."""
    near = []
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(runs):
            if runs[position].name == "ceiling" and runs[position].rate:
                near.append(runs[position])
                break
            position += step
    if not near:
        return 0.0, 0.0
    cpus = [r.cpu_ms_per_request for r in near if r.cpu_ms_per_request]
    return sum(r.rate for r in near) / len(near), (sum(cpus) / len(cpus) if cpus else 0.0)


def print_summary(runs: list[Run], rss: dict) -> None:
    ceilings = [r.rate for r in runs if r.name == "ceiling" and r.rate]
    print("\n== summary")
    if ceilings:
        print(
            f"   ceiling: {', '.join(f'{c:.1f}' for c in ceilings)} req/s; each scenario's share is of "
            "the ceilings run just before and after it"
        )
    print(f"   {'scenario':<24}{'req/s':>9}{'% ceiling':>11}{'errors':>8}{'CPU ms/req':>12}{'% ceiling':>11}")
    for index, run in enumerate(runs):
        if not run.elapsed or run.name == "import edges":
            continue
        ceiling, ceiling_cpu = adjacent_ceiling(runs, index)
        if run.name == "ceiling":
            ceiling, ceiling_cpu = run.rate, run.cpu_ms_per_request
        share = f"{run.rate / ceiling * 100:.0f}%" if ceiling else "-"
        cpu = run.cpu_ms_per_request
        cpu_share = f"{ceiling_cpu / cpu * 100:.0f}%" if ceiling_cpu and cpu else "-"
        print(f"   {run.name:<24}{run.rate:>9.1f}{share:>11}{run.errors:>8}{cpu:>12.2f}{cpu_share:>11}")
    for run in runs:
        for note in run.notes:
            print(f"   {run.name}: {note}")
    idle = [run.name for run in runs if one_worker_served(run)]
    if idle:
        print(
            f"   WARNING: one gunicorn worker served (almost) nothing in {', '.join(idle)}: the client's "
            "keep-alive connections all landed on the other, which halves `ceiling` more than the SCIM "
            "scenarios. Shares of this run are not comparable; run it again (bench/README.md)."
        )
    if rss:
        print(
            "   gunicorn worker RSS after the runs: "
            + ", ".join(f"pid {p} {m:.0f} MiB" for p, m in rss.items())
        )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"   client process: {usage.ru_utime + usage.ru_stime:.1f} s CPU in total, "
        f"max RSS {usage.ru_maxrss / 1024:.0f} MiB"
    )


# ---------------------------------------------------------------- main


@dataclass
class Context:
    clients: dict
    sizes: list
    concurrency: int
    duration: float
    max_requests: int
    warmup: float
    import_duration: float

    def bounds(self) -> dict:
        return {"concurrency": self.concurrency, "duration": self.duration, "max_requests": self.max_requests}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", default="all", help=f"all, or comma-separated: {', '.join(SCENARIOS)}")
    parser.add_argument(
        "--size", default="100k", help="organization for ceiling/push/mix/import: 1k, 10k, 100k"
    )
    parser.add_argument("--sizes", default="1k,10k,100k", help="organizations to seed and for lookup-scale")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario (a bound)")
    parser.add_argument("--requests", type=int, default=20000, help="requests per scenario (a bound)")
    parser.add_argument(
        "--import-duration", type=float, default=60.0, help="seconds for the import (a bound)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per scenario")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8131")))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_perf_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    parser.add_argument("--reset-db", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--no-worker", action="store_true", help="do not start `make worker`")
    parser.add_argument(
        "--external", action="store_true", help="use a server already running on --port (see README)"
    )
    parser.add_argument(
        "--gunicorn-pid", type=int, help="with --external: gunicorn master pid, for worker RSS/CPU"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


async def amain(args) -> int:
    scenarios = SCENARIOS if args.scenario == "all" else [s.strip() for s in args.scenario.split(",")]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        sys.exit(f"Unknown scenario(s): {', '.join(sorted(unknown))}")
    sizes = sorted(SIZES[s.strip()] for s in args.sizes.split(","))
    size = SIZES[args.size]
    if size not in sizes:
        sizes = sorted({*sizes, size})
    origin = f"http://127.0.0.1:{args.port}"
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production"),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_QUEUE": "bench",
        "PORT": str(args.port),
        "HOST": "127.0.0.1",
        "QUERY_COUNT_HEADER": "1",
        "BENCH_CEILING": "1",
        # The per-connection limit (6,000 a minute by default) would turn the bench into a 429 test.
        "SCIM_RATE_LIMIT_PER_MINUTE": "100000000",
        # No recycling (gunicorn.conf.py's max_requests, memory hygiene over weeks): the bench sends
        # tens of thousands of requests a minute, so workers would restart inside scenarios, each
        # restart's pause and start-up CPU landing on whichever scenario it hits.
        "GUNICORN_MAX_REQUESTS": "0",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings",
    }
    started = time.monotonic()
    DATABASE.update(
        name=args.database_url.rsplit("/", 1)[1].split("?")[0],
        admin_url=args.database_url.rsplit("/", 1)[0] + "/postgres",
    )
    if not args.external:
        ensure_database(args.database_url, args.reset_db)
        manage(env, "migrate", "--noinput", "-v0")
    seed = manage(env, "bench_seed", *[f"--size={n}" for n in sizes])
    print(f"seeded in {time.monotonic() - started:.1f} s:\n" + seed.rstrip())
    if not args.external:
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True, timeout=30)
        server = start(["make", "serve"], env, results / "serve.log")
        SERVER_ROOT.append(server.pid)
        if not args.no_worker:
            beat = str(results / "celerybeat-schedule")
            start(
                ["make", "worker", f"WORKER_ARGS=--concurrency=1 --loglevel=warning -s {beat}"],
                env,
                results / "worker.log",
            )
    elif args.gunicorn_pid:
        SERVER_ROOT.append(args.gunicorn_pid)
    await wait_healthy(origin)
    connections = {}
    for n in sizes:
        out = manage(
            env, "create_scim_connection", slug_for(n), f"bench-{uuid.uuid4().hex[:8]}", f"--base={origin}"
        )
        connections[n] = json.loads(out.strip().splitlines()[-1])
    runs: list[Run] = []
    connector = aiohttp.TCPConnector(limit=args.concurrency * 2, limit_per_host=args.concurrency * 2)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        clients = {n: Client(session, c["base_url"], c["token"]) for n, c in connections.items()}
        ctx = Context(
            clients, sizes, args.concurrency, args.duration, args.requests, args.warmup, args.import_duration
        )
        print(
            f"\nserver {origin}, concurrency {args.concurrency}, "
            f"bounds {args.duration:.0f} s / {args.requests} requests per scenario"
        )
        for name in run_order(scenarios):
            for run in await SCENARIO_FUNCS[name](ctx, size):
                print_run(run)
                runs.append(run)
    rss = {}
    if SERVER_ROOT:
        rss = {pid: worker_rss_mib(pid) for pid in gunicorn_workers(SERVER_ROOT[0])}
    print_summary(runs, rss)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "runs": [
                        {
                            "name": r.name,
                            "rate": r.rate,
                            "adjacent_ceiling_rate": adjacent_ceiling(runs, i)[0],
                            "errors": r.errors,
                            "client_cpu": r.client_cpu,
                            "server_cpu": r.server_cpu,
                            "worker_split": r.worker_split,
                            "postgres_cpu": r.postgres_cpu,
                            "ops": {
                                k: {
                                    "requests": len(v.latencies),
                                    "p50_ms": percentile(v.latencies, 50) * 1000,
                                    "p95_ms": percentile(v.latencies, 95) * 1000,
                                    "p99_ms": percentile(v.latencies, 99) * 1000,
                                    "sql_max": max(v.queries) if v.queries else None,
                                }
                                for k, v in r.ops.items()
                            },
                            "notes": r.notes,
                        }
                        for i, r in enumerate(runs)
                    ],
                    "worker_rss_mib": rss,
                },
                indent=2,
            )
        )
    return 1 if any(r.errors for r in runs) else 0


def main() -> None:
    args = parse_args()
    # `timeout` and Ctrl-C must still stop the server and worker this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        code = asyncio.run(amain(args))
    finally:
        stop_all()
    sys.exit(code)


if __name__ == "__main__":
    main()
