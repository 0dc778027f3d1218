"""The bench's client: the SCIM scenarios, driven by asyncio + aiohttp over keep-alive connections.

`concurrency` tasks each send one request at a time until the duration or the request bound, after
an unmeasured warm-up of the same requests. Request n goes to SCIM connection n modulo their number:
each gets an even share, under the server's rate limit per connection as shipped (a 429 is an error).
"""

import asyncio
import itertools
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp
import orjson
from seed import BENCH_SLUG, seeded_email

SCENARIOS = ("ceiling", "okta-push", "okta-mix", "import")
DEFAULT_SCENARIOS = ("ceiling", "okta-push", "okta-mix")
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEACTIVATE_PATCH = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(max(math.ceil(len(ordered) * p / 100), 1), len(ordered)) - 1]


def latency(seconds: list[float]) -> dict:
    return {"p50_ms": percentile(seconds, 50) * 1000, "p99_ms": percentile(seconds, 99) * 1000}


@dataclass
class Measure:
    """One measured scenario run: latencies per operation, errors with a few samples."""

    name: str
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    cpu: tuple = ()  # the gunicorn workers' CPU seconds by pid, before and after (Load.run)

    def fail(self, sample: str) -> None:
        self.errors += 1
        if len(self.samples) < 3:
            self.samples.append(sample)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def summary(self) -> dict:
        every = [seconds for values in self.latencies.values() for seconds in values]
        return {
            "scenario": self.name,
            "requests": self.requests,
            "seconds": round(self.elapsed, 2),
            "rate": self.requests / self.elapsed if self.elapsed else 0.0,
            "errors": self.errors,
            **latency(every),
            "ops": {
                op: {"requests": len(values), **latency(values)} for op, values in self.latencies.items()
            },
            "error_samples": self.samples,
            "notes": self.notes,
        }


class ScimConnection:
    """One SCIM connection's base URL and token, over the session's shared keep-alive pool."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, close_now=lambda: False):
        self.session = session
        self.close_now = close_now
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
        self.body_headers = {**self.headers, "Content-Type": "application/scim+json"}

    async def call(self, measure, op: str, method: str, path: str, body=None, expect: int = 200):
        """Send one request; record it in `measure` (None: unmeasured). The parsed body when expected."""
        # orjson: the client shares the 2 cores with the server and must stay light.
        data = orjson.dumps(body) if body is not None else None
        headers = self.body_headers if data is not None else self.headers
        if self.close_now():
            headers = {**headers, "Connection": "close"}
        started = time.perf_counter()
        status, raw, failure = 0, b"", ""
        url = self.base_url + path
        try:
            async with self.session.request(method, url, data=data, headers=headers) as response:
                raw = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            failure = repr(exc)
        if status != expect:
            failure = f"{method} {path[:70]} -> {status} {(failure or raw.decode('utf-8', 'replace'))[:160]}"
        if measure is not None:
            measure.latencies.setdefault(op, []).append(time.perf_counter() - started)
            if failure:
                measure.fail(failure)
        return orjson.loads(raw) if not failure and raw else None


def lookup_path(username: str) -> str:
    return "/Users?filter=" + quote(f'userName eq "{username}"') + "&startIndex=1&count=100"


def okta_user(username: str, manager: str, n: int) -> dict:
    """Okta's create body: the mapped attributes, the enterprise extension, the manager's email."""
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


class Load:
    """The scenarios through `connections` (all of organization `bench`); `settings` as run.py parses them."""

    def __init__(self, connections: list[ScimConnection], settings, rng_seed: int):
        self.connections = connections
        self.settings = settings
        self.size = settings.size
        self.rng = random.Random(rng_seed)  # the same draws on both sides of a comparison
        self.counter = itertools.count()

    def connection(self, n: int) -> ScimConnection:
        return self.connections[n % len(self.connections)]

    async def run(self, name: str, worker_cpu) -> Measure:
        """The scenario's warm-up, then its measured run, with the gunicorn workers' CPU seconds
        (`worker_cpu()`, by pid) before and after the measured run in `measure.cpu`."""
        scenarios = {"ceiling": self.ceiling, "okta-push": self.okta_push, "okta-mix": self.okta_mix}
        step = await {**scenarios, "import": self.import_pages}[name]()
        warm = Measure(f"{name} warm-up")
        await self.drive(step, warm, self.settings.warmup, 10**9)
        measure = Measure(name)
        before = worker_cpu()
        await self.drive(step, measure, self.settings.duration, self.settings.requests)
        measure.cpu = (before, worker_cpu())
        if warm.errors:
            measure.notes.append(f"{warm.errors} errors in the warm-up, e.g. {warm.samples[0]}")
        return measure

    async def drive(self, step, measure: Measure, seconds: float, max_requests: int) -> None:
        deadline = time.monotonic() + seconds

        async def task():
            while time.monotonic() < deadline and measure.requests < max_requests:
                await step(next(self.counter), measure)

        started = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(self.settings.concurrency)))
        measure.elapsed = time.perf_counter() - started

    def seeded(self) -> str:
        return seeded_email(BENCH_SLUG, self.rng.randrange(self.size))

    # ------------------------------------------------------------ scenarios: each returns its step

    async def ceiling(self):
        """The framework + auth yardstick: an authenticated request that touches no employee."""

        async def step(n, measure):
            await self.connection(n).call(measure, "ServiceProviderConfig", "GET", "/ServiceProviderConfig")

        return step

    async def okta_push(self):
        """Okta's create: a userName lookup that misses, then POST /Users."""
        tag = uuid.uuid4().hex[:8]

        async def step(n, measure):
            connection, username = self.connection(n), f"push-{tag}-{n}@{BENCH_SLUG}.push.example"
            found = await connection.call(measure, "lookup (miss)", "GET", lookup_path(username))
            if found is None:
                return
            if found.get("totalResults") != 0:
                measure.fail(f"the lookup of new user {username} found {found.get('totalResults')}")
                return
            body = okta_user(username, self.seeded(), n)
            await connection.call(measure, "create POST", "POST", "/Users", body, expect=201)

        return step

    async def okta_mix(self):
        """Existing users: 60% lookups, 20% full PUTs, 10% deactivations (PUT or PATCH), 10% GETs."""
        users = [user for user in await self.collect(20_000) if user.get("active")]
        if len(users) < 300:
            raise RuntimeError(f"okta-mix needs active users; found {len(users)}")
        # Deactivation targets come from their own part of the pool, each used once while they
        # last (a round deactivates about 1,500 at today's rates), so that each changes state.
        split = min(1000, len(users) // 2)
        keep, targets = users[:split], users[split:]
        taken = itertools.count()

        async def step(n, measure):
            connection, roll = self.connection(n), self.rng.random()
            if roll < 0.6:
                await connection.call(measure, "lookup (hit)", "GET", lookup_path(self.seeded()))
            elif roll < 0.8:
                user = {**self.rng.choice(keep), "title": f"Engineer {n}"}
                await connection.call(measure, "update PUT", "PUT", f"/Users/{user['id']}", user)
            elif roll < 0.9:
                index = next(taken)
                if index == len(targets):
                    measure.notes.append(f"all {len(targets)} deactivation targets used; repeating them")
                user = targets[index % len(targets)]
                if n % 2:
                    body = {**user, "active": False}
                    await connection.call(measure, "deactivate PUT", "PUT", f"/Users/{user['id']}", body)
                else:
                    path = f"/Users/{user['id']}"
                    await connection.call(measure, "deactivate PATCH", "PATCH", path, DEACTIVATE_PATCH)
            else:
                user = self.rng.choice(keep)
                await connection.call(measure, "GET by id", "GET", f"/Users/{user['id']}")

        return step

    async def import_pages(self):
        """Okta's import: unfiltered pages of 100, from the first to the last and round again."""
        first = await self.connection(0).call(None, "", "GET", "/Users?startIndex=1&count=1")
        starts = itertools.cycle(range(1, (first or {}).get("totalResults", self.size) + 1, 100))

        async def step(n, measure):
            path = f"/Users?startIndex={next(starts)}&count=100"
            await self.connection(n).call(measure, "page of 100", "GET", path)

        return step

    async def collect(self, wanted: int) -> list[dict]:
        """Existing users' full resources, for PUT/PATCH/GET: the first pages, unmeasured."""
        starts = range(1, min(wanted, self.size) + 1, 100)
        pages = await asyncio.gather(
            *(
                self.connection(n).call(None, "", "GET", f"/Users?startIndex={start}&count=100")
                for n, start in enumerate(starts)
            )
        )
        return [user for page in pages if page for user in page.get("Resources", [])]


async def measure_round(targets: list[tuple[str, str]], settings, rng_seed: int, worker_cpu) -> list[dict]:
    """One round: each scenario between two `ceiling` runs (the host's speed drifts within a round),
    its share of the ceiling of the mean of those two. `targets`: (base URL, token) of each SCIM
    connection; `worker_cpu()`: CPU seconds by gunicorn worker, for each worker's share of a run.
    """
    order = ["ceiling"] + [run for name in settings.scenarios[1:] for run in (name, "ceiling")]
    runs = []
    connector = aiohttp.TCPConnector(limit=settings.concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        # Every k-th request asks the server to close its connection (`Connection: close`), so that
        # each keep-alive connection serves about --reconnect-every requests: see bench/README.md.
        sent, every = itertools.count(1), max(1, settings.reconnect_every // settings.concurrency)
        close_now = (lambda: next(sent) % every == 0) if settings.reconnect_every else (lambda: False)
        load = Load(
            [ScimConnection(session, url, token, close_now) for url, token in targets], settings, rng_seed
        )
        for name in order:
            measure = await load.run(name, worker_cpu)
            cpu, after = measure.cpu
            used = sorted((seconds - cpu.get(pid, 0.0) for pid, seconds in after.items()), reverse=True)
            # A worker recycled by gunicorn (max_requests) took its CPU time with it: no verdict then.
            recycled = set(after) != set(cpu)
            if len(used) > 1 and used[-1] < used[0] / 10 and not recycled:
                measure.notes.append("one gunicorn worker served (almost) nothing: compare with care")
            split = "+".join(f"{seconds / (sum(used) or 1):.0%}" for seconds in used)
            split += " (one recycled)" if recycled else ""
            # The web processes' CPU per request: what the client cannot see, and what a profile
            # (bench/cpu_profile.py) should explain.
            cpu_ms = 1000 * sum(used) / measure.requests if measure.requests and not recycled else None
            runs.append({**measure.summary(), "worker_split": split, "cpu_ms": cpu_ms})
    for index, run in enumerate(runs):
        beside = [
            runs[i]["rate"] for i in (index - 1, index + 1) if 0 <= i < len(runs) and order[i] == "ceiling"
        ]
        ceiling = run["rate"] if order[index] == "ceiling" else sum(beside) / len(beside)
        run["share_of_ceiling"] = run["rate"] / ceiling if ceiling else float("nan")
    return runs
