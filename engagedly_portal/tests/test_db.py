"""Prebuilt INSERTs write what the ORM's save would, and fail as it fails."""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from employees.models import Employee
from engagedly_portal.db import insert_statement, instance_insert


def _employee(org, email, **fields):
    return Employee(
        organization=org, email=email, username=email, first_name="Ada", last_name="Lovelace", **fields
    )


def test_instance_insert_writes_the_row_save_would_write(acme, outsider_org):
    by_orm = _employee(
        outsider_org, "ada@globex.example", job_title="Engineer", manager_email="b@globex.example"
    )
    by_orm.save(force_insert=True)
    prebuilt = _employee(acme, "ada@acme.example", job_title="Engineer", manager_email="b@globex.example")

    instance_insert(prebuilt)

    assert prebuilt.pk is not None and not prebuilt._state.adding
    stored, reference = Employee.objects.get(pk=prebuilt.pk), Employee.objects.get(pk=by_orm.pk)
    differing = {"id", "organization", "email", "username", "created_at", "updated_at"}
    left, right = model_to_dict(stored), model_to_dict(reference)
    assert {k: v for k, v in left.items() if k not in differing} == {
        k: v for k, v in right.items() if k not in differing
    }
    # auto_now_add / auto_now are filled as save fills them, on the instance and in the row.
    assert stored.created_at == prebuilt.created_at and stored.updated_at == prebuilt.updated_at
    assert stored.created_at is not None and stored.version == 1


def test_instance_insert_raises_integrity_error_and_writes_nothing(acme):
    instance_insert(_employee(acme, "dup@acme.example"))
    with pytest.raises(IntegrityError), transaction.atomic():
        instance_insert(_employee(acme, "dup@acme.example"))
    assert Employee.objects.filter(organization=acme, email="dup@acme.example").count() == 1


def test_insert_statement_names_every_column_but_the_key():
    sql, columns = insert_statement(Employee)
    assert [field.name for field in columns] == [
        f.name for f in Employee._meta.concrete_fields if f.name != "id"
    ]
    assert "RETURNING" not in sql
    assert insert_statement(Employee, returning=True)[0].endswith('RETURNING "id"')


def test_rows_update_matches_exactly_and_on_null(acme):
    from django.utils import timezone

    from engagedly_portal.db import rows_update

    first, second = _employee(acme, "a@acme.example"), _employee(acme, "b@acme.example")
    first.save()
    second.save()
    Employee.objects.filter(pk=second.pk).update(deactivation_applied_at=timezone.now())

    # A stale version matches nothing and writes nothing.
    assert rows_update(Employee, where={"id": first.pk, "version": 7}, values={"job_title": "Nope"}) == 0
    # None tests IS NULL: only the row whose deactivation_applied_at is NULL matches.
    where = {"version": 1, "deactivation_applied_at": None}
    assert (
        rows_update(Employee, where={"id": first.pk, **where}, values={"job_title": "Lead", "version": 2})
        == 1
    )
    assert rows_update(Employee, where={"id": second.pk, **where}, values={"job_title": "Lead"}) == 0
    # attnames and foreign keys, prepared as QuerySet.update prepares them.
    assert (
        rows_update(Employee, where={"id": second.pk}, values={"manager_id": first.pk, "job_title": "Dev"})
        == 1
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.job_title, first.version) == ("Lead", 2)
    assert (second.job_title, second.manager_id, second.version) == ("Dev", first.pk, 1)
