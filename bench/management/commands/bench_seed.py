"""Seed the benchmark organizations quickly, and reset what the previous run changed.

Organizations `bench-1k`, `bench-10k`, `bench-100k` (one per --size) and `bench-other` (a second
organization holding data, so every query must really be scoped). Employee i of organization S has
userName `user<i>@<S>.bench.example`, employee number `E<i>` and reports to employee i // 10, so the
benchmark client can address existing users without asking the server first.

Rows go in with bulk_create in large batches (100,000 employees and their sign-in accounts in a few
seconds on PostgreSQL); the manager links are set afterwards with one UPDATE that joins on the
employee number. Running it again only tops organizations up, reactivates employees a previous run
deactivated, and deletes the users a previous run pushed, so every run starts from the same state.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from employees.models import Employee, Organization
from integrations.models import Connection

BATCH = 5000
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Product", "Legal"]
CITIES = ["Austin", "New York", "Dublin", "Berlin", "Chicago", "Remote", "Pune", "Sydney"]
FIRST = ["Ava", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Mia", "Ethan", "Grace", "Henry", "Priya", "Tomás"]
LAST = ["Nguyen", "Reid", "Shah", "García", "Kim", "Rossi", "Brown", "Tanaka", "Davis", "Lopez", "Clark"]


def insert_series(
    model, *, template, start: int, stop: int, expressions: dict, join: tuple[str, list] = ("", [])
) -> None:
    """INSERT ... SELECT over generate_series(start, stop - 1) AS i: the rows are built inside PostgreSQL.

    Columns named in `expressions` get that SQL (with its params); every other column gets the value
    the model itself would save for `template` (defaults, auto_now_add), so a new field with a default
    needs no change here.
    """
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in expressions:
            sql, sql_params = expressions[field.attname]
            selects.append(sql)
            params.extend(sql_params)
        else:
            selects.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(template, True), connection))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} "
            f"FROM generate_series(%s::int, %s::int) AS i {join[0]}",
            [*params, start, stop - 1, *join[1]],
        )


def org_slug(size: int) -> str:
    return f"bench-{size // 1000}k" if size % 1000 == 0 and size >= 1000 else f"bench-{size}"


def seeded_username(slug: str, i: int) -> str:
    return f"user{i}@{slug}.bench.example"


class Command(BaseCommand):
    help = "Seed the benchmark organizations (bench-1k, -10k, -100k, bench-other) and reset their state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=int, action="append", help="Employees of one organization, repeatable"
        )
        parser.add_argument("--other", type=int, default=20000, help="Employees of bench-other")

    def handle(self, *args, size, other, **options):
        sizes = size or [1000, 10000, 100000]
        orgs = [(org_slug(n), n) for n in sizes] + [("bench-other", other)]
        for slug, count in orgs:
            started = time.monotonic()
            organization, _ = Organization.objects.get_or_create(
                slug=slug, defaults={"name": f"Bench {slug}", "okta_enabled": True}
            )
            if not organization.okta_enabled:
                organization.okta_enabled = True
                organization.save(update_fields=["okta_enabled"])
            reset = self._reset(organization)
            added = self._top_up(organization, count)
            self.stdout.write(
                f"{slug}: {count} employees ({added} added, {reset}) in {time.monotonic() - started:.1f}s"
            )
        with connection.cursor() as cursor:
            # As autovacuum would in time (and a server may run without it): fresh statistics, a
            # visibility map that lets index-only scans skip the table, and the rows the previous
            # run's changes and deletions left dead made reusable, so each run starts from the same
            # state instead of a table and indexes that grow from run to run.
            for table in ("employees_employee", "auth_user", "integrations_scimrequest"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            # The seeding's dirty pages written now, not by a checkpoint in the middle of a scenario.
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:  # needs a superuser or pg_checkpoint: then the server's own timing
                self.stdout.write("CHECKPOINT not allowed for this database user; skipped.")

    def _reset(self, organization: Organization) -> str:
        """Undo a previous run: its pushed users, deactivations, edits and activity records."""
        employees = Employee.objects.filter(organization=organization)
        pushed = employees.exclude(username__endswith=f"@{organization.slug}.bench.example")
        user_ids = list(pushed.exclude(user=None).values_list("user_id", flat=True))
        deleted = pushed.count()
        with transaction.atomic():
            pushed.delete()
            get_user_model().objects.filter(pk__in=user_ids).delete()
            # Connections of earlier runs go, with their activity records (one fast DELETE each).
            Connection.objects.filter(organization=organization).delete()
        reactivated = employees.exclude(status=Employee.Status.ACTIVE).update(
            status=Employee.Status.ACTIVE, deactivated_at=None, deactivation_applied_at=None
        )
        get_user_model().objects.filter(employee__organization=organization, is_active=False).update(
            is_active=True
        )
        return f"{deleted} pushed users removed, {reactivated} reactivated"

    def _top_up(self, organization: Organization, count: int) -> int:
        slug = organization.slug
        have = Employee.objects.filter(organization=organization).count()
        if have >= count:
            self._link_managers(organization)
            return 0
        User = get_user_model()
        now = timezone.now()
        email = ("%s || i || %s", ["user", f"@{slug}.bench.example"])
        with transaction.atomic():
            insert_series(
                User,
                # Unusable password: seeded people sign in through SSO.
                template=User(password="!bench-seeded", date_joined=now),
                start=have,
                stop=count,
                expressions={"username": ("%s || i", [f"b-{slug}-"]), "email": email},
            )
            first = ("(%s::text[])[i %% %s + 1]", [FIRST, len(FIRST)])
            last = ("(%s::text[])[(i / %s) %% %s + 1]", [LAST, len(FIRST), len(LAST)])
            insert_series(
                Employee,
                template=Employee(organization=organization, activated_at=now),
                start=have,
                stop=count,
                join=("JOIN auth_user AS u ON u.username = %s || i", [f"b-{slug}-"]),
                expressions={
                    "user_id": ("u.id", []),
                    "username": email,
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "display_name": (f"{first[0]} || ' ' || {last[0]}", first[1] + last[1]),
                    "job_title": ("CASE WHEN i %% 7 = 0 THEN 'Manager' ELSE 'Engineer' END", []),
                    "department": ("(%s::text[])[i %% %s + 1]", [DEPARTMENTS, len(DEPARTMENTS)]),
                    "business_unit": ("CASE WHEN i %% 2 = 1 THEN 'Americas' ELSE 'EMEA' END", []),
                    "location_city": ("(%s::text[])[i %% %s + 1]", [CITIES, len(CITIES)]),
                    "employee_number": ("'E' || i", []),
                    "external_id": ("%s || lpad(i::text, 10, '0')", [f"00u{organization.pk:04d}"]),
                },
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE employees_employee")
        self._link_managers(organization)
        return count - have

    def _link_managers(self, organization: Organization) -> None:
        # Employee i reports to employee i // 10: resolve the numbers here, then one UPDATE over arrays.
        rows = list(
            Employee.objects.filter(organization=organization, manager__isnull=True)
            .exclude(employee_number="E0")
            .values_list("pk", "employee_number")
        )
        if not rows:
            return
        by_number = dict(
            Employee.objects.filter(organization=organization).values_list("employee_number", "pk")
        )
        emails = dict(Employee.objects.filter(organization=organization).values_list("pk", "email"))
        ids, managers, manager_emails = [], [], []
        for pk, number in rows:
            if not number.startswith("E") or number == "E0":
                continue
            manager_pk = by_number.get(f"E{int(number[1:]) // 10}")
            if manager_pk is not None:
                ids.append(pk)
                managers.append(manager_pk)
                manager_emails.append(emails[manager_pk])
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE employees_employee AS e
                SET manager_id = v.manager_id, manager_email = v.manager_email, manager_link = %s
                FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, manager_id, manager_email)
                WHERE e.id = v.id
                """,
                [Employee.ManagerLink.RESOLVED, ids, managers, manager_emails],
            )
