"""Seed the benchmark's organizations with a checkout's own Django code (run by bench/run.py).

    cd <checkout> && .venv/bin/python <this file> --size 10000 --other 10000

Organization `bench`, the one the scenarios drive, and `bench-other`, whose rows share the tables
so that every query must really be scoped, both with their SCIM flag on. Employee i of organization
S is `user<i>@<S>.bench.example` and reports to employee i // 10, so the client can address
existing users without asking the server first.

Rows go in with the ORM's bulk_create one level of the org chart at a time (employees 0, 1-9,
10-99, ...), so each level's managers already have their ids, with the two organizations
interleaved in id order as real tenants are. Only the fields every version of the product has are
required (username, email, names, job title, department, manager_email); the others are set when
the model has them. The organization's flag is `provisioning_enabled` or, before that name,
`okta_enabled`. No provisioning link is written: the seeded people are employees no connection
has claimed yet, as if added by hand.
"""

import argparse
import itertools
import json
import os
import sys
import time

BENCH_SLUG = "bench"
OTHER_SLUG = "bench-other"
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Product", "Legal"]
CITIES = ["Austin", "New York", "Dublin", "Berlin", "Chicago", "Remote", "Pune", "Sydney"]
FIRST = ["Ava", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Mia", "Ethan", "Grace", "Henry", "Priya", "Tomás"]
LAST = ["Nguyen", "Reid", "Shah", "García", "Kim", "Rossi", "Brown", "Tanaka", "Davis", "Lopez", "Clark"]


def seeded_email(slug: str, i: int) -> str:
    return f"user{i}@{slug}.bench.example"


def chart_levels(size: int):
    """Employee numbers by level of the org chart: [0], [1, 10), [10, 100), ... up to size."""
    low, high = 0, 1
    while low < size:
        yield range(low, min(high, size))
        low, high = high, high * 10


def field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


def employee_values(fields: set[str], slug: str, i: int, manager, now) -> dict:
    email = seeded_email(slug, i)
    values = {
        "username": email,
        "email": email,
        "first_name": FIRST[i % len(FIRST)],
        "last_name": LAST[(i // len(FIRST)) % len(LAST)],
        "job_title": "Manager" if i % 7 == 0 else "Engineer",
        "department": DEPARTMENTS[i % len(DEPARTMENTS)],
        "manager_email": manager.email if manager else "",
    }
    optional = {
        "display_name": f"{values['first_name']} {values['last_name']}",
        "business_unit": "Americas" if i % 2 else "EMEA",
        "location_city": CITIES[i % len(CITIES)],
        "employee_number": f"E{i}",
        "activated_at": now,
        "manager": manager,
        # The link as the background resolution leaves it, so the worker has nothing to catch up on.
        "manager_link": "resolved" if manager else "none",
    }
    values.update((name, value) for name, value in optional.items() if name in fields)
    return values


def seed(sizes: dict[str, int]) -> dict:
    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    organization_model = apps.get_model("employees", "Organization")
    employee_model = apps.get_model("employees", "Employee")
    flag = (
        "provisioning_enabled"
        if "provisioning_enabled" in field_names(organization_model)
        else "okta_enabled"
    )
    fields = field_names(employee_model)
    now = timezone.now()
    organizations = {
        slug: organization_model.objects.create(name=f"Bench {slug}", slug=slug, **{flag: True})
        for slug in sizes
    }
    created: dict[str, dict[int, object]] = {slug: {} for slug in sizes}
    levels = {slug: list(chart_levels(size)) for slug, size in sizes.items()}
    for depth in range(max(len(chart) for chart in levels.values())):
        per_org = []
        for slug, chart in levels.items():
            batch = []
            for i in chart[depth] if depth < len(chart) else ():
                manager = created[slug][i // 10] if i else None
                values = employee_values(fields, slug, i, manager, now)
                batch.append((slug, i, employee_model(organization=organizations[slug], **values)))
            per_org.append(batch)
        rows = [row for row in itertools.chain(*itertools.zip_longest(*per_org)) if row is not None]
        employee_model.objects.bulk_create([employee for _, _, employee in rows], batch_size=2000)
        for slug, i, employee in rows:
            created[slug][i] = employee
    with connection.cursor() as cursor:
        # What autovacuum would do in time: fresh statistics and a visibility map for index-only
        # scans; then the seeding's dirty pages written now, not by a checkpoint mid-scenario.
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(employee_model._meta.db_table)}")
        cursor.execute("CHECKPOINT")
    return {"flag": flag, "employees": {slug: len(rows) for slug, rows in created.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000, help=f"employees of {BENCH_SLUG}")
    parser.add_argument("--other", type=int, default=10_000, help=f"employees of {OTHER_SLUG}")
    args = parser.parse_args()
    # The checkout being measured is the working directory: its code, not this file's neighbours.
    sys.path[0] = os.getcwd()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")
    import django

    django.setup()
    started = time.monotonic()
    result = seed({BENCH_SLUG: args.size, OTHER_SLUG: args.other})
    print(json.dumps({**result, "seconds": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    main()
