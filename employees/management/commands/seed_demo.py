"""Seed the demo organization "Acme": about 20 employees with managers, teams, and an admin."""

import os
import secrets
import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from employees import services
from employees.models import Employee, Organization
from sso.settings_services import sso_configuration_start

ADMIN_EMAIL = "admin@acme.example"

# (first, last, title, department, city, manager index or None)
PEOPLE = [
    ("Helen", "Cho", "Chief Executive Officer", "Leadership", "Austin", None),
    ("Marcus", "Reid", "VP Engineering", "Engineering", "Austin", 0),
    ("Priya", "Shah", "VP Sales", "Sales", "New York", 0),
    ("Tomás", "García", "VP People", "People", "Austin", 0),
    ("Ava", "Nguyen", "Engineering Manager", "Engineering", "Austin", 1),
    ("Liam", "O'Brien", "Senior Engineer", "Engineering", "Dublin", 4),
    ("Sofia", "Rossi", "Engineer", "Engineering", "Dublin", 4),
    ("Noah", "Kim", "Engineer", "Engineering", "Austin", 4),
    ("Emma", "Schmidt", "QA Engineer", "Engineering", "Berlin", 4),
    ("Olivia", "Brown", "Sales Manager", "Sales", "New York", 2),
    ("James", "Wilson", "Account Executive", "Sales", "New York", 9),
    ("Mia", "Tanaka", "Account Executive", "Sales", "Chicago", 9),
    ("Ethan", "Davis", "Sales Development Rep", "Sales", "Chicago", 9),
    ("Isabella", "Lopez", "HR Business Partner", "People", "Austin", 3),
    ("Lucas", "Martin", "Recruiter", "People", "Austin", 13),
    ("Amelia", "Clark", "Product Manager", "Product", "Austin", 1),
    ("Henry", "Lewis", "Designer", "Product", "Remote", 15),
    ("Charlotte", "Walker", "Finance Manager", "Finance", "New York", 0),
    ("Benjamin", "Hall", "Accountant", "Finance", "New York", 17),
    ("Grace", "Young", "Office Manager", "Operations", "Austin", 3),
]


# Teams made in the portal: (name, indexes into PEOPLE).
TEAMS = [
    ("Platform squad", (4, 5, 6, 7, 8)),
    ("Revenue leadership", (2, 9, 17)),
    ("Hiring committee", (3, 13, 14, 1)),
]


# Custom profile fields: (key, label, type, options, value by index into PEOPLE).
CUSTOM_FIELDS = [
    (
        "workLocation",
        "Work location",
        "choice",
        ["Office", "Hybrid", "Remote"],
        {0: "Office", 4: "Hybrid", 16: "Remote"},
    ),
    ("startDate", "Start date", "date", [], {0: "2015-04-01", 1: "2017-09-18", 5: "2021-06-07"}),
]


def _ascii(name: str) -> str:
    """Email-safe form of a name: "García" -> "garcia", "O'Brien" -> "obrien"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class Command(BaseCommand):
    help = "Create the demo organization Acme with employees and an admin (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give the demo admin a new random password (DEMO_PASSWORD sets a chosen one).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        organization, _ = Organization.objects.get_or_create(
            slug="acme", defaults={"name": "Acme", "provisioning_enabled": True}
        )
        people: list[Employee] = []
        for index, (first, last, title, department, city, _manager) in enumerate(PEOPLE):
            email = f"{_ascii(first)}.{_ascii(last)}@acme.example"
            employee = Employee.objects.filter(organization=organization, email__iexact=email).first()
            if employee is None:
                employee = services.employee_create(
                    organization=organization,
                    email=email,
                    first_name=first,
                    last_name=last,
                    job_title=title,
                    department=department,
                    location_city=city,
                    employee_number=f"E-{1000 + index}",
                    business_unit="Americas" if city not in {"Dublin", "Berlin"} else "EMEA",
                )
            people.append(employee)
        for employee, row in zip(people, PEOPLE, strict=True):
            manager = people[row[5]] if row[5] is not None else None
            if employee.manager_id != (manager.pk if manager else None):
                services.employee_set_manager(employee=employee, manager=manager)

        for key, label, field_type, choices, values in CUSTOM_FIELDS:
            if not organization.custom_fields.filter(key__iexact=key).exists():
                services.custom_field_create(
                    organization=organization, key=key, label=label, field_type=field_type, choices=choices
                )
                for index, value in values.items():
                    services.employee_set_custom_values(employee=people[index], values={key: value})
        for name, members in TEAMS:
            if not organization.teams.filter(name=name).exists():
                member_ids = [people[i].pk for i in members]
                services.team_create(organization=organization, name=name, member_ids=member_ids)

        admin = Employee.objects.filter(organization=organization, email__iexact=ADMIN_EMAIL).first()
        if admin is None:
            admin = services.employee_create(
                organization=organization,
                email=ADMIN_EMAIL,
                first_name="Alex",
                last_name="Admin",
                job_title="HR Administrator",
                department="People",
                location_city="Austin",
                is_org_admin=True,
            )
            services.employee_set_manager(employee=admin, manager=people[3])
        password = self._password_to_set(admin, reset=options["reset_password"])
        if password is not None:
            # Through the service: an admin an identity provider pushed earlier has no account yet.
            admin = services.employee_set_password(employee=admin, password=password)
        # Settings > Integrations > SSO shows the values to paste into Okta from the start.
        sso_configuration_start(organization=organization)
        # The demo admin is also support staff, so Django admin opens with the same account.
        get_user_model().objects.filter(pk=admin.user_id).update(is_staff=True, is_superuser=True)
        shown = password or "unchanged (printed when it was set; `make run DEMO_RESET=1` sets a new one)"
        origin = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organization: {organization.name} ({organization.employees.count()} employees)\n"
                f"Sign in at {origin}/ as\n"
                f"  email:    {ADMIN_EMAIL}\n  password: {shown}\n"
                f"Single sign-on settings: {origin}/settings/integrations/sso/"
            )
        )

    def _password_to_set(self, admin: Employee, *, reset: bool) -> str | None:
        """The password to give the admin, or None to keep theirs.

        Setting a password signs the admin out everywhere (Django ties sessions to its hash), so a
        rerun keeps the one the admin has: only a first run, DEMO_PASSWORD or a reset sets one.
        """
        chosen = os.environ.get("DEMO_PASSWORD")
        user = admin.user
        has_password = user is not None and user.has_usable_password()
        if chosen:
            return None if has_password and user.check_password(chosen) else chosen
        if reset or not has_password:
            return secrets.token_urlsafe(12)
        return None
