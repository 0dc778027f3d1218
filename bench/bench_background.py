"""Background-work benchmark: SCIM pushes against `make serve` + `make worker` on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0
    # shared by the server and this command (tokens are keyed by it)
    export SECRET_KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")
    export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0  # make serve's production settings, over plain HTTP
    make serve; make worker            # each in a terminal of its own, with their shipped defaults
    make bench-background              # 10,000 users, 300 deactivations (BENCH_ARGS="--users 2000")

It creates a fresh organization (through the services, in this process) and one SCIM connection
per request in flight, so that the load stays under the shipped rate limit per connection (a 429
is honoured as Okta does). It pushes the users through SCIM in random order, each with a manager
from a random org chart (so many managers arrive after their reports, as Okta sends them), then
deactivates a sample through SCIM PATCH, all within --max-seconds. It prints:

- the push rate (users created per second, each an Okta-style lookup GET then POST);
- the time from the last SCIM response until every manager link is resolved (target < 5 s);
- p50/p99 of deactivation_applied_at minus the deactivation request's start (target p99 < 2 s).
"""

import argparse
import asyncio
import contextlib
import inspect
import json
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")

import django  # noqa: E402

django.setup()

from django.urls import reverse  # noqa: E402

from employees import services as employee_services  # noqa: E402
from employees.models import Employee  # noqa: E402
from integrations import services as integration_services  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures

SCIM_JSON = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Deadline(Exception):
    pass


def org_chart(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(email, manager email) pairs: a random tree, one root, fan-out of about five."""
    emails = [f"user{n:05d}@bench.example" for n in range(count)]
    people = [(emails[0], "")]
    for n in range(1, count):
        people.append((emails[n], emails[rng.randrange(max(1, n // 5 + 1))]))
    return people


def user_body(email: str, manager: str, n: int) -> dict:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": email,
        "name": {"givenName": "Bench", "familyName": f"User{n}"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"Bench User{n}",
        "title": "Engineer",
        "externalId": f"00ubench{n:08d}",
        "password": "placeholder-ignored",
        "active": True,
        ENTERPRISE: {"employeeNumber": f"E-{n}", "department": "Engineering"},
    }
    if manager:
        body[ENTERPRISE]["manager"] = {"value": manager}
    return body


async def send(client: httpx.AsyncClient, method: str, url: str, deadline: float, **kwargs) -> httpx.Response:
    """One request, honouring 429 Retry-After as Okta does, within the run's deadline."""
    while True:
        if time.monotonic() > deadline:
            raise Deadline(f"{method} {url}")
        response = await client.request(method, url, **kwargs)
        if response.status_code != 429:
            return response
        await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 5))


@contextlib.asynccontextmanager
async def scim_clients(url: str, connections: list):
    """One keep-alive httpx client per SCIM connection (each a NewConnection)."""
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for created in connections:
            path = reverse("scim:root", kwargs={"public_id": created.connection.public_id}).rstrip("/")
            headers = {"Authorization": f"Bearer {created.plaintext_token}", "Content-Type": SCIM_JSON}
            client = httpx.AsyncClient(base_url=url.rstrip("/") + path, headers=headers, timeout=60)
            clients.append(await stack.enter_async_context(client))
        yield clients


async def push(clients, users, deadline: float) -> tuple[dict[str, str], list[str]]:
    ids: dict[str, str] = {}
    errors: list[str] = []
    queue: asyncio.Queue = asyncio.Queue()
    for item in users:
        queue.put_nowait(item)

    async def one(client, n: int, email: str, manager: str) -> None:
        lookup = await send(
            client,
            "GET",
            "/Users",
            deadline,
            params={"filter": f'userName eq "{email}"', "startIndex": 1, "count": 100},
        )
        if lookup.status_code != 200 or lookup.json().get("totalResults"):
            errors.append(f"lookup {email}: {lookup.status_code}")
            return
        created = await send(client, "POST", "/Users", deadline, json=user_body(email, manager, n))
        if created.status_code != 201:
            errors.append(f"create {email}: {created.status_code} {created.text[:200]}")
            return
        ids[email] = created.json()["id"]

    async def runner(client) -> None:
        while not queue.empty():
            n, email, manager = queue.get_nowait()
            await one(client, n, email, manager)

    await asyncio.gather(*(runner(client) for client in clients))
    return ids, errors


async def deactivate(clients, ids: list[str], rate: float, deadline: float) -> dict[str, float]:
    """PATCH active=false (Okta catalog style) at about `rate` per second.

    Returns each user id's request start (epoch seconds, comparable with the database's timestamps).
    """
    started: dict[str, float] = {}
    semaphore = asyncio.Semaphore(len(clients))
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }

    async def one(client, user_id: str) -> None:
        async with semaphore:
            started[user_id] = time.time()
            response = await send(client, "PATCH", f"/Users/{user_id}", deadline, json=body)
            if response.status_code != 200:
                started.pop(user_id)
                print(
                    f"  deactivate {user_id}: {response.status_code} {response.text[:200]}", file=sys.stderr
                )

    tasks = []
    for n, user_id in enumerate(ids):
        tasks.append(asyncio.create_task(one(clients[n % len(clients)], user_id)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    return started


def pending_links(organization) -> int:
    return Employee.objects.filter(
        organization=organization, manager_link=Employee.ManagerLink.PENDING
    ).count()


def wait_for(predicate, deadline: float, interval: float = 0.05) -> float | None:
    started = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight, one connection each")
    parser.add_argument("--deactivations", type=int, default=300)
    parser.add_argument("--deactivation-rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="bound on the whole run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    rng = random.Random(args.seed)

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    # The organization's provisioning switch, named okta_enabled before it was provisioning_enabled.
    parameters = inspect.signature(employee_services.organization_create).parameters
    flag = "provisioning_enabled" if "provisioning_enabled" in parameters else "okta_enabled"
    organization = employee_services.organization_create(
        name=f"Bench {stamp}", slug=f"bench-{stamp}-{rng.randrange(10**6)}", **{flag: True}
    )
    connections = [
        integration_services.connection_create(organization=organization, name=f"Okta bench {n + 1}")
        for n in range(args.concurrency)
    ]

    chart = org_chart(args.users, rng)
    order = [(n, email, manager) for n, (email, manager) in enumerate(chart)]
    rng.shuffle(order)
    position = {email: i for i, (_, email, _) in enumerate(order)}
    after = sum(1 for _, email, manager in order if manager and position[manager] > position[email])
    print(f"organization {organization.slug}: {args.users} users, {after} pushed before their manager")

    async def run_push():
        async with scim_clients(args.url, connections) as clients:
            return await push(clients, order, deadline)

    push_started = time.monotonic()
    ids, errors = asyncio.run(run_push())
    last_response = time.monotonic()
    push_seconds = last_response - push_started
    if errors:
        print(f"{len(errors)} push errors, e.g. {errors[:3]}", file=sys.stderr)
    print(f"push: {len(ids)} users in {push_seconds:.1f} s = {len(ids) / push_seconds:.0f} users/s "
          f"({2 * len(ids) / push_seconds:.0f} requests/s, concurrency {args.concurrency})")  # fmt: skip

    pending_at_end = pending_links(organization)
    settled = wait_for(lambda: pending_links(organization) == 0, deadline)
    links_seconds = time.monotonic() - last_response if settled is not None else None
    resolved = Employee.objects.filter(
        organization=organization, manager_link=Employee.ManagerLink.RESOLVED
    ).count()
    print(f"manager links: {pending_at_end} pending at the last response; all {resolved} resolved "
          + (f"{links_seconds:.2f} s after the last request (target < 5 s)" if links_seconds is not None
             else "NOT within the time bound"))  # fmt: skip

    sample = rng.sample(sorted(ids.values()), min(args.deactivations, len(ids)))

    async def run_deactivations():
        async with scim_clients(args.url, connections) as clients:
            return await deactivate(clients, sample, args.deactivation_rate, deadline)

    started = asyncio.run(run_deactivations())
    email_of = {user_id: email for email, user_id in ids.items()}
    employees = Employee.objects.filter(organization=organization, status=Employee.Status.DEACTIVATED)

    def all_applied() -> bool:
        return not employees.filter(deactivation_applied_at__isnull=True).exists()

    wait_for(all_applied, deadline)
    applied = dict(
        employees.exclude(deactivation_applied_at=None).values_list("email", "deactivation_applied_at")
    )
    latencies = [
        applied[email_of[user_id]].timestamp() - at
        for user_id, at in started.items()
        if email_of[user_id] in applied
    ]
    if latencies:
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(
            f"deactivation: {len(latencies)} applied; request -> effects p50 {p50:.3f} s, "
            f"p99 {p99:.3f} s, max {max(latencies):.3f} s (target p99 < 2 s)"
        )
    else:
        print("deactivation: no effects applied within the time bound", file=sys.stderr)

    results = {
        "users": len(ids),
        "push_seconds": round(push_seconds, 2),
        "users_per_second": round(len(ids) / push_seconds, 1),
        "links_resolved_seconds_after_last_request": links_seconds and round(links_seconds, 3),
        "deactivations": len(latencies),
        "deactivation_p50": latencies and round(percentile(latencies, 0.5), 3),
        "deactivation_p99": latencies and round(percentile(latencies, 0.99), 3),
        "mean_deactivation": latencies and round(statistics.mean(latencies), 3),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"background-{stamp}.json").write_text(json.dumps(results, indent=2))
    ok = links_seconds is not None and links_seconds < 5 and latencies and percentile(latencies, 0.99) < 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
