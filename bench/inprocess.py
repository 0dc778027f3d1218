"""CPU per SCIM operation in one process, through Django's WSGI handler: `make bench-inprocess`.

`make bench` measures the server as it runs (gunicorn, threads, the client on the same cores),
where the host moves figures by ±20% from one run to the next. This one strips that away to
compare code: each operation is called through the real WSGI application (every middleware, the
SCIM token check, Redis, PostgreSQL, the activity record written by its background thread) from
one thread, and its CPU time is that of the whole process. Each figure is the lowest of five
batches, which keeps it steady within a few percent from run to run.

It needs the bench database seeded (`make bench` once, or `manage.py bench_seed`); it creates a
connection in `bench-100k` and pushes new users into it, which the next `bench_seed` removes.
"""

import argparse
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
BATCHES = 5


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


def measure(name: str, step, count: int) -> float:
    """The lowest CPU ms per call of `step(i)` over BATCHES batches (after a warm-up)."""
    for i in range(20):
        step(10_000_000 + i)
    best, per_batch = float("inf"), max(count // BATCHES, 1)
    for batch in range(BATCHES):
        started = time.process_time()
        for i in range(batch * per_batch, (batch + 1) * per_batch):
            step(i)
        best = min(best, (time.process_time() - started) / per_batch * 1000)
    print(f"   {name:18s} {best:6.3f} ms")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500, help="calls per operation")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_perf_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    args = parser.parse_args()
    setup(args.database_url, args.redis_url)

    from employees.models import Organization
    from integrations import services
    from integrations.activity_log import activity_log

    organization = Organization.objects.filter(slug="bench-100k").first()
    if organization is None:
        sys.exit("No bench-100k organization: run `make bench` (or manage.py bench_seed) first.")
    created = services.connection_create(organization=organization, name=f"inprocess-{uuid.uuid4().hex[:8]}")
    client = Wsgi(f"/scim/v2/{created.connection.public_id}", created.plaintext_token)
    run, users = uuid.uuid4().hex[:8], []

    def expect(status: int, answer: tuple[int, bytes]) -> bytes:
        if answer[0] != status:
            sys.exit(f"expected {status}, got {answer[0]}: {answer[1][:300]!r}")
        return answer[1]

    def create(i):
        import orjson

        body = user_body(f"inproc-{run}-{i}@example.com", MANAGER, i)
        users.append((orjson.loads(expect(201, client.call("POST", "/Users", body)))["id"], body))

    def put(i):
        pk, body = users[i % len(users)]
        expect(200, client.call("PUT", f"/Users/{pk}", {**body, "title": f"Title {i}"}))

    def deactivate(i):  # Okta's catalog deactivation, each user once
        pk, _ = users[(i * 7 + 3) % len(users)]
        operation = {"op": "replace", "value": {"active": False}}
        expect(200, client.call("PATCH", f"/Users/{pk}", {"schemas": [PATCH], "Operations": [operation]}))

    n = args.requests
    print(f"CPU per request in one process (lowest of {BATCHES} batches of {n // BATCHES}), bench-100k:")
    ops = {
        "ceiling": measure("ceiling", lambda i: expect(200, client.call("GET", "/_bench/ceiling")), n),
        "lookup (miss)": measure(
            "lookup (miss)",
            lambda i: expect(200, client.call("GET", lookup_path(f"none-{run}-{i}@x.example"))),
            n,
        ),
        "lookup (hit)": measure(
            "lookup (hit)",
            lambda i: expect(
                200, client.call("GET", lookup_path(f"user{i * 7 % 90000}@bench-100k.bench.example"))
            ),
            n,
        ),
        "create POST": measure("create POST", create, n),
        "GET by id": measure(
            "GET by id", lambda i: expect(200, client.call("GET", f"/Users/{users[i % len(users)][0]}")), n
        ),
        "update PUT": measure("update PUT", put, n),
        "deactivate PATCH": measure("deactivate PATCH", deactivate, n),
    }
    activity_log.close()
    ceiling = ops["ceiling"]
    push = (ops["lookup (miss)"] + ops["create POST"]) / 2
    mix = (
        0.6 * ops["lookup (hit)"]
        + 0.1 * ops["GET by id"]
        + 0.2 * ops["update PUT"]
        + 0.1 * ops["deactivate PATCH"]
    )
    print(f"   okta-push mix of these: {push:.3f} ms, ceiling ÷ it {ceiling / push:.0%}")
    print(f"   okta-mix mix of these:  {mix:.3f} ms, ceiling ÷ it {ceiling / mix:.0%}")


if __name__ == "__main__":
    main()
