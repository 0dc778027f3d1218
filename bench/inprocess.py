"""CPU per SCIM operation in one process, through Django's WSGI handler: `make bench-inprocess`.

`make bench` measures the server as it runs (gunicorn, threads, the client on the same cores),
where the host moves figures by ±20% from one run to the next. This one strips that away to
compare code: each operation is called through the real WSGI application (every middleware, the
SCIM token check, Redis, PostgreSQL, the activity record written by its background thread) from
one thread, and its CPU time is that of the whole process. The operations take turns, a batch of
each per round over ROUNDS rounds, so a noisy stretch of the host falls on all of them rather than
on one; each figure is an operation's lowest batch, with its median beside it.

It needs the bench database seeded (`make bench` once, or `manage.py bench_seed`); it creates a
connection in `bench-100k`, pushes new users into it and deactivates seeded users, all of which
the next `bench_seed` undoes.
"""

import argparse
import gc
import io
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import lookup_path, user_body  # noqa: E402  (Okta's bodies, as `make bench` sends them)

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MANAGER = "user5@bench-100k.bench.example"
ROUNDS = 9


def setup(database_url: str, redis_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        BENCH_CEILING="1",
        SCIM_RATE_LIMIT_PER_MINUTE="100000000",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="engagedly_portal.settings",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    import django

    django.setup()


class Wsgi:
    """Calls the WSGI application as a server would, with a bearer token."""

    def __init__(self, base: str, token: str):
        from django.core.wsgi import get_wsgi_application

        self.app, self.base, self.token = get_wsgi_application(), base, token

    def call(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        import orjson

        path, _, query = (self.base + path).partition("?")
        data = orjson.dumps(body) if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8131",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8131",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        if body is not None:
            environ["CONTENT_TYPE"] = "application/scim+json"
        status = []
        content = b"".join(self.app(environ, lambda s, h, e=None: status.append(s)))
        return int(status[0].split()[0]), content


def measure(steps: dict, count: int, settle) -> dict[str, list[float]]:
    """Each operation's CPU ms per call of `step(i)` in each batch, lowest first; the operations'
    batches take turns.

    `settle()` ends each batch inside its timing: the batch's activity records are written then,
    so their CPU counts for the operation that made them, not for whichever batch a tick of the
    writer thread would have fallen in.
    """
    for step in steps.values():  # warm-up
        for i in range(20):
            step(10_000_000 + i)
    per_batch = max(count // ROUNDS, 1)
    batches: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(ROUNDS):
        for name, step in steps.items():
            started = time.process_time()
            for i in range(round_ * per_batch, (round_ + 1) * per_batch):
                step(i)
            settle()
            batches[name].append((time.process_time() - started) / per_batch * 1000)
            gc.collect()  # untimed: each batch's collections are its own allocations'
    for name, times in batches.items():
        times.sort()
        print(f"   {name:18s} {times[0]:6.3f} ms   (median {times[len(times) // 2]:.3f})")
    return batches


def operations(count: int) -> dict:
    """The measured operations, each `step(i)` one request through the WSGI application.

    Creates a connection in `bench-100k`; "create POST" pushes new users, which "GET by id" and
    "update PUT" then use (so they run after it), and "deactivate PATCH" takes a different seeded
    active user each call (up to `count` + 200 of them).
    """
    import orjson

    from employees.models import Employee, Organization
    from integrations import services

    organization = Organization.objects.filter(slug="bench-100k").first()
    if organization is None:
        sys.exit("No bench-100k organization: run `make bench` (or manage.py bench_seed) first.")
    created = services.connection_create(organization=organization, name=f"inprocess-{uuid.uuid4().hex[:8]}")
    client = Wsgi(f"/scim/v2/{created.connection.public_id}", created.plaintext_token)
    run, users = uuid.uuid4().hex[:8], []
    # Deactivations take seeded users (the next bench_seed reactivates them); the PUTs take the
    # users this run created, which stay active, so that every PUT is a plain profile update.
    active = list(
        Employee.objects.filter(organization=organization, status=Employee.Status.ACTIVE)
        .filter(username__endswith="@bench-100k.bench.example")
        .values_list("pk", flat=True)[: count + 200]
    )

    def expect(status: int, answer: tuple[int, bytes]) -> bytes:
        if answer[0] != status:
            sys.exit(f"expected {status}, got {answer[0]}: {answer[1][:300]!r}")
        return answer[1]

    def create(i):
        body = user_body(f"inproc-{run}-{i}@example.com", MANAGER, i)
        users.append((orjson.loads(expect(201, client.call("POST", "/Users", body)))["id"], body))

    def put(i):
        pk, body = users[i % len(users)]
        expect(200, client.call("PUT", f"/Users/{pk}", {**body, "title": f"Title {i}"}))

    def deactivate(i):  # Okta's catalog deactivation, each of a different seeded user still active
        operation = {"op": "replace", "value": {"active": False}}
        body = {"schemas": [PATCH], "Operations": [operation]}
        expect(200, client.call("PATCH", f"/Users/{active.pop()}", body))

    return {
        "ceiling": lambda i: expect(200, client.call("GET", "/_bench/ceiling")),
        "lookup (miss)": lambda i: expect(200, client.call("GET", lookup_path(f"none-{run}-{i}@x.example"))),
        "lookup (hit)": lambda i: expect(
            200, client.call("GET", lookup_path(f"user{i * 7 % 90000}@bench-100k.bench.example"))
        ),
        "create POST": create,
        "GET by id": lambda i: expect(200, client.call("GET", f"/Users/{users[i % len(users)][0]}")),
        "update PUT": put,
        "deactivate PATCH": deactivate,
    }


def shares(cpu: dict) -> tuple[float, float, float, float]:
    """okta-push's and okta-mix's mixes of the operations' figures, and ceiling's share of each."""
    push = (cpu["lookup (miss)"] + cpu["create POST"]) / 2
    mix = (
        0.6 * cpu["lookup (hit)"]
        + 0.1 * cpu["GET by id"]
        + 0.2 * cpu["update PUT"]
        + 0.1 * cpu["deactivate PATCH"]
    )
    return push, cpu["ceiling"] / push, mix, cpu["ceiling"] / mix


def arguments(doc: str, requests: int, requests_help: str) -> argparse.ArgumentParser:
    """The options the in-process benchmarks share: calls per operation and where the bench data is."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=requests, help=requests_help)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_perf_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    return parser


def main() -> None:
    args = arguments(__doc__, 1500, "calls per operation").parse_args()
    setup(args.database_url, args.redis_url)

    from integrations.activity_log import activity_log

    steps = operations(args.requests)
    n = args.requests
    print(f"CPU per request in one process, {ROUNDS} batches of {n // ROUNDS} taking turns, bench-100k:")
    ops = measure(steps, n, settle=activity_log.flush)
    activity_log.close()
    for label, pick in (("lowest", 0), ("median", ROUNDS // 2)):
        push, push_share, mix, mix_share = shares({name: times[pick] for name, times in ops.items()})
        print(
            f"   {label}: okta-push mix of these {push:.3f} ms, ceiling ÷ it {push_share:.0%}; "
            f"okta-mix {mix:.3f} ms, ceiling ÷ it {mix_share:.0%}"
        )


if __name__ == "__main__":
    main()
