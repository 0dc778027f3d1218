"""The SCIM user reads written as SQL (backend/statements.py) and the ORM querysets that list and
filter users (backend/user_reads.py) apply one rule of who a connection sees: every case of it,
through both, gives the same rows with the same held flag and provided fields."""

import pytest
from django.db import transaction
from django.utils import timezone

from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import services
from integrations.models import ProvisionedDeactivation, ProvisionedEmployee
from integrations.ownership import provided_annotation
from integrations.scim.backend import statements
from integrations.scim.backend.common import Scope
from integrations.scim.backend.user_reads import _employees


@pytest.fixture
def cases(acme, outsider_org, acme_connection):
    this = acme_connection.connection
    other = services.connection_create(organization=acme, name="Okta EU").connection
    gone = services.connection_create(organization=acme, name="Old Okta").connection
    services.connection_delete(connection=gone)
    people = {
        name: EmployeeFactory(organization=acme, username=f"{name}@acme.io", email=f"{name}@acme.io")
        for name in ("unowned", "mine", "theirs", "orphaned", "deleted", "held", "held_theirs")
    }
    people["outsider"] = EmployeeFactory(
        organization=outsider_org, username="outsider@acme.example", email="outsider@acme.example"
    )
    for name, connection, provided in (
        ("mine", this, ["job_title", "email"]),
        ("theirs", other, ["email"]),
        ("orphaned", gone, ["department"]),
        ("held", this, []),
        ("held_theirs", other, []),
    ):
        ProvisionedEmployee.objects.create(
            employee=people[name], connection=connection, provided_fields=provided
        )
    Employee.objects.filter(pk=people["deleted"].pk).update(provider_deleted_at=timezone.now())
    for name, connection in (("held", this), ("held_theirs", other), ("mine", this)):
        ProvisionedDeactivation.objects.create(
            connection=connection,
            employee=people[name],
            created_at=timezone.now(),
            state="held" if name != "mine" else "released",
        )
    return Scope(token=None, connection=this, organization=acme), people


def _orm(scope, **condition):
    with_provided = _employees(scope).annotate(provided_fields=provided_annotation())
    return [(e.pk, bool(e.deactivation_held), e.provided_fields) for e in with_provided.filter(**condition)]


def _sql(employees, *, provided=True):
    return [(e.pk, e.deactivation_held, e.provided_fields if provided else None) for e in employees]


def test_seen_by_the_connection_as_the_orm_sees_them(cases):
    scope, people = cases
    seen = {pk for pk, _, _ in _orm(scope)}
    assert seen == {people[name].pk for name in ("unowned", "mine", "orphaned", "held")}
    for name, employee in people.items():
        expected = _orm(scope, pk=employee.pk)
        unlocked = [(pk, held, None) for pk, held, _ in expected]
        shown = statements.by_pk(scope, employee.pk, lock=False)
        assert _sql([shown] if shown else [], provided=False) == unlocked, name
        with transaction.atomic():
            locked = statements.by_pk(scope, employee.pk, lock=True)
        assert _sql([locked] if locked else []) == expected, name
        found = statements.by_username(scope, employee.username.upper())
        assert _sql(found, provided=False) == unlocked, name


def test_the_held_flag_and_what_the_owner_provides(cases):
    scope, people = cases
    with transaction.atomic():
        held = statements.by_pk(scope, people["held"].pk, lock=True)
        mine = statements.by_pk(scope, people["mine"].pk, lock=True)
        unowned = statements.by_pk(scope, people["unowned"].pk, lock=True)
    assert (held.deactivation_held, mine.deactivation_held, unowned.deactivation_held) == (True, False, False)
    assert (mine.provided_fields, unowned.provided_fields) == (["job_title", "email"], None)


def test_a_read_to_render_loads_what_the_resource_shows_and_a_locked_read_everything(cases):
    scope, people = cases
    Employee.objects.filter(pk=people["mine"].pk).update(
        custom_values={"team": "Blue", "since": "2024-05-01"},
        profile_extras={"ims": [{"value": "ava", "type": "slack"}]},
    )
    shown = statements.by_pk(scope, people["mine"].pk, lock=False)
    assert shown.get_deferred_fields() == {
        f.attname for f in Employee._meta.concrete_fields if f.name not in ("id", *statements.RENDERED)
    }
    with transaction.atomic():
        locked = statements.by_pk(scope, people["mine"].pk, lock=True)
    assert locked.get_deferred_fields() == set()
    # Every value as the ORM loads it, dates, JSON and all.
    stored = Employee.objects.get(pk=people["mine"].pk)
    assert field_values(locked) == field_values(stored)
    assert field_values(shown) == {name: field_values(stored)[name] for name in field_values(shown)}
    assert statements.by_username(scope, "MINE@acme.io")[0].updated_at == stored.updated_at


def field_values(employee) -> dict:
    return {
        f.attname: getattr(employee, f.attname)
        for f in Employee._meta.concrete_fields
        if f.attname not in employee.get_deferred_fields()
    }


def test_a_missing_id_or_name_finds_nothing(cases):
    scope, _ = cases
    assert statements.by_pk(scope, 2**62, lock=False) is None
    assert statements.by_username(scope, "nobody@acme.example") == []
