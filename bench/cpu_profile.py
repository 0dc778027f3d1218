"""Where a SCIM request's CPU goes, per operation, in one process (Django's test client).

    make bench-profile                                         # the working tree
    make bench-profile BENCH_ARGS="--before 6effee6"           # that commit too, side by side
    make bench-profile BENCH_ARGS="--op put --top 30"          # one operation's profile
    make bench-profile BENCH_ARGS="--op ceiling,create,parts"  # a create beside its parts

Each side gets its own PostgreSQL database (portal_profile_before / portal_profile_after, dropped
and created) and Redis db (7 / 8), migrated and seeded by that side's own code, with the settings
of `make serve`. It prints the CPU time per request of each operation (the least of five batches),
and with --top the functions that took the most of it (cProfile, CPU time). What it leaves out is
the database's and Redis's own CPU, which `make bench` measures with the rest. `parts` (the
working tree only) times alone what any create or update written through the ORM must do.
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OPS = ("ceiling", "lookup", "get", "put", "patch", "create")
# Not requests: the pieces of a create that an implementation writing through the ORM cannot
# skip, each timed alone (--op parts). They do not run on a --before side.
PARTS = ("parse", "insert", "insert+link", "update")
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def user_body(username: str, title: str = "Engineer") -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": username,
        "name": {"givenName": "Ava", "familyName": "Nguyen"},
        "emails": [{"primary": True, "value": username, "type": "work"}],
        "displayName": "Ava Nguyen",
        "title": title,
        "addresses": [{"type": "work", "locality": "Austin", "primary": True}],
        "externalId": "00u18ep2sjmnGT1wk698",
        "active": True,
        ENTERPRISE: {"employeeNumber": "E-1", "division": "Americas", "department": "Sales",
                     "manager": {"value": "p1@profile.example"}},
    }  # fmt: skip


def measure(op: str, requests: int, top: int, sort: str = "cumulative") -> dict:
    """Run in a side's checkout, with its Django settings loaded: CPU per request of `op`."""
    import django

    django.setup()
    from django.test import Client
    from django.urls import get_resolver

    from employees.models import Employee, Organization
    from integrations import services
    from integrations.activity_log import activity_log

    flag = "provisioning_enabled" if hasattr(Organization, "provisioning_enabled") else "okta_enabled"
    organization, _ = Organization.objects.get_or_create(slug="profile", defaults={"name": "P", flag: True})
    if not Employee.objects.filter(organization=organization).exists():
        Employee.objects.bulk_create(
            Employee(organization=organization, username=f"p{i}@profile.example",
                     email=f"p{i}@profile.example", first_name="P", last_name=str(i))
            for i in range(2000)
        )  # fmt: skip
    created = services.connection_create(organization=organization, name=f"profile-{time.time_ns()}")
    base = f"/scim/v2/{created.connection.public_id}/Users"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {created.plaintext_token}"}
    people = list(
        Employee.objects.filter(organization=organization, username__startswith="p")
        .order_by("pk")
        .values_list("pk", "username")[:2000]
    )
    client, stamp = Client(), time.time_ns()
    scim = "application/scim+json"

    def request(i: int):
        pk, username = people[i % len(people)]
        if op == "ceiling":  # what every request pays: middleware, token, rate limit, activity
            return client.get(base.removesuffix("Users") + "ServiceProviderConfig", **auth)
        if op == "lookup":
            query = {"filter": f'userName eq "{username}"', "startIndex": 1, "count": 100}
            return client.get(base, query, **auth)
        if op == "get":
            return client.get(f"{base}/{pk}", **auth)
        if op == "put":
            body = json.dumps(user_body(username, f"Title {i}"))
            return client.put(f"{base}/{pk}", body, content_type=scim, **auth)
        if op == "patch":  # Okta's catalog (de)activation, alternating
            operation = {"op": "replace", "value": {"active": i % 2 == 1}}
            body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [operation]}
            return client.patch(f"{base}/{pk}", json.dumps(body), content_type=scim, **auth)
        return client.post(
            base, json.dumps(user_body(f"new{stamp}-{i}@profile.example")), content_type=scim, **auth
        )

    # Enough bodies for the warm-up, the five batches and a profile.
    one = _part(op, organization, created.connection, stamp, 50 + 6 * requests) if op in PARTS else request
    # As gunicorn's master does once it has loaded the application (gunicorn.conf.py): what is
    # loaded so far stays out of the collector's way.
    get_resolver().url_patterns  # noqa: B018
    gc.freeze()
    for i in range(50):  # warm: imports, prepared statements, caches
        assert one(i).status_code < 300
    batches, done = [], 50
    for _ in range(5):
        started = time.process_time()
        for i in range(done, done + requests):
            assert one(i).status_code < 300
        done += requests
        batches.append((time.process_time() - started) / requests * 1000)
    activity_log.flush()
    # The least disturbed batch: other work on the host only ever adds to a batch's time.
    result = {"op": op, "cpu_ms": min(batches)}
    if top:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for i in range(done, done + requests):
            one(i)
        profile.disable()
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(sort).print_stats(top)
        result["profile"] = text.getvalue()
    return result


def _part(op: str, organization, connection, stamp: int, count: int):
    """One piece of a write: scim2-models' parse of Okta's body into the portal's fields; the
    employee's INSERT by save() (alone, in autocommit); that INSERT and the provisioning link's in
    one transaction (so BEGIN and COMMIT too); or an update: in one transaction the employee read
    under a row lock and save() of a new title."""
    from types import SimpleNamespace

    from django.db import transaction
    from scim2_models import Context

    from employees.models import Employee
    from integrations.models import ProvisionedEmployee
    from integrations.scim.mapping import user_fields
    from integrations.scim.parsing import resource_parse
    from integrations.scim.schemas import ScimUser

    done = SimpleNamespace(status_code=200)

    def fields(i: int) -> dict:
        body = user_body(f"part{stamp}-{i}@profile.example")
        found = user_fields(resource_parse(ScimUser, body, Context.RESOURCE_CREATION_REQUEST))
        return {key: value for key, value in found.items() if key != "manager_email"}

    def one(i: int):
        if op == "parse":
            fields(i)
            return done
        if op == "update":
            with transaction.atomic():
                employee = Employee.objects.select_for_update().get(pk=people[i % len(people)])
                employee.job_title = f"Title {i}"
                employee.save(update_fields=["job_title", "updated_at"])
            return done
        employee = Employee(organization=organization, **made.pop())
        if op == "insert":
            employee.save(force_insert=True)
            return done
        with transaction.atomic():
            employee.save(force_insert=True)
            ProvisionedEmployee.objects.create(employee=employee, connection=connection, provided_fields=[])
        return done

    # The bodies are parsed before the timing of a write starts.
    made = [fields(i) for i in range(count)] if "insert" in op else []
    staff = Employee.objects.filter(organization=organization).values_list("pk", flat=True)
    people = list(staff[:2000]) if op == "update" else []
    return one


def database(name: str) -> str:
    for statement in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def side(label: str, checkout: Path, redis_db: int, args) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database(f"portal_profile_{label}"),
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "SECRET_KEY": "profile-only-secret-key-not-for-production",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "engagedly_portal.settings",
    }
    python = str(ROOT / ".venv/bin/python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=checkout, env=env, check=True)
    figures = {}
    for op in args.ops:
        if op in PARTS and label == "before":
            continue
        command = [
            python,
            __file__,
            "--measure",
            op,
            "--requests",
            str(args.requests),
            "--top",
            str(args.top),
            "--sort",
            args.sort,
        ]
        out = subprocess.run(command, cwd=checkout, env=env, check=True, capture_output=True, text=True)
        figures[op] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", help="a git ref to profile beside the working tree")
    parser.add_argument("--op", default=",".join(OPS), help=f"of {','.join(OPS)}; parts: {','.join(PARTS)}")
    parser.add_argument("--requests", type=int, default=200, help="requests per batch (five batches)")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions per op")
    parser.add_argument("--sort", default="cumulative", help="--top's order: cumulative, tottime")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(measure(args.measure, args.requests, args.top, args.sort)))
        return
    args.ops = [op for name in args.op.split(",") for op in (PARTS if name == "parts" else (name,))]
    sides = {"after": side("after", ROOT, 8, args)}
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="portal-profile-")) / "before"
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(worktree), args.before], cwd=ROOT, check=True
        )
        try:
            sides = {"before": side("before", worktree, 7, args), **sides}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    print(f"{'op':<12}" + "".join(f"{label + ' CPU ms':>18}" for label in sides))
    for op in args.ops:
        cells = (f"{figures[op]['cpu_ms']:.2f}" if op in figures else "" for figures in sides.values())
        print(f"{op:<12}" + "".join(f"{cell:>18}" for cell in cells))
    for label, figures in sides.items():
        for op, figure in figures.items():
            if figure.get("profile"):
                print(f"\n== {label} {op}\n{figure['profile']}")


if __name__ == "__main__":
    main()
