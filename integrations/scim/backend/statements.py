"""The user reads behind nearly every provider request, as plain SQL: on PostgreSQL each row
becomes an Employee through Model.from_db(), elsewhere through Manager.raw().

A userName lookup precedes every create, and every GET, PUT, PATCH and DELETE reads one user by
id (a write under a row lock). Building and compiling the ORM's queryset for these took most of
such a request's CPU (bench/README.md); written out once here they are the same rows as
user_reads' querysets: what the connection sees (user_reads._employees: its organization, not
deleted by a provider, not owned by another live connection), with the same annotations.
integrations/tests/test_scim_statements.py holds both to the same answer on every case of that rule.
"""

import json
from dataclasses import dataclass
from functools import cache

from django.db import connection

from employees import services
from employees.models import Employee
from integrations.models import ProvisionedDeactivation

from .common import Scope

# What a User resource shows (integrations.scim.mapping.user_render): reads that only render load
# just these, each once.
_SHOWN = (
    "external_id", "username", "first_name", "last_name", "display_name", "job_title", "status", "email",
    "location_city", "employee_number", "business_unit", "department", "manager_email", "created_at",
    "updated_at", "version", "custom_values",
)  # fmt: skip
RENDERED = tuple(dict.fromkeys((*_SHOWN, *services.PROFILE_FIELDS)))

# Parameters: the organization, this connection.
_VISIBLE = """
    e.organization_id = %s AND e.provider_deleted_at IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM integrations_provisionedemployee l
        JOIN integrations_connection c ON c.id = l.connection_id
        WHERE l.employee_id = e.id AND c.deleted_at IS NULL AND l.connection_id <> %s
    )"""
# Parameter: the held state (integrations.brake.held_annotation).
_HELD = """EXISTS (
        SELECT 1 FROM integrations_provisioneddeactivation h WHERE h.employee_id = e.id AND h.state = %s
    ) AS deactivation_held"""
# What the owning connection provides (integrations.ownership.provided_annotation).
_PROVIDED = """(
        SELECT l.provided_fields FROM integrations_provisionedemployee l WHERE l.employee_id = e.id
    ) AS provided_fields"""


@dataclass(frozen=True)
class _Loading:
    attnames: list[str]  # the model fields a row holds, in the model's order
    positions: list[int]  # where each is in the row
    converted: list[tuple[int, object]]  # (index in attnames, field) of fields that convert (JSON)
    extras: list[tuple[str, int]]  # annotations: (name, position)


def _loading(names: list[str]) -> _Loading:
    fields = [field for field in Employee._meta.concrete_fields if field.column in names]
    columns = {field.column for field in fields}
    return _Loading(
        attnames=[field.attname for field in fields],
        positions=[names.index(field.column) for field in fields],
        converted=[(i, field) for i, field in enumerate(fields) if hasattr(field, "from_db_value")],
        extras=[(name, position) for position, name in enumerate(names) if name not in columns],
    )


@dataclass(frozen=True)
class _Statement:
    sql: str
    loading: _Loading  # how its rows become instances: it names its columns, so they are known


def _instance(loading: _Loading, row: tuple) -> Employee:
    values = [row[position] for position in loading.positions]
    for index, field in loading.converted:
        values[index] = field.from_db_value(values[index], None, connection)
    employee = Employee.from_db(connection.alias, loading.attnames, values)
    for name, position in loading.extras:
        setattr(employee, name, row[position])
    return employee


def _rows(statement: _Statement, scope: Scope, *values) -> list[Employee]:
    params = (ProvisionedDeactivation.State.HELD, scope.organization.pk, scope.connection.pk, *values)
    if connection.vendor != "postgresql":
        # SQLite returns dates as text: raw() applies its converters.
        return [_annotated(employee) for employee in Employee.objects.raw(statement.sql, params)]
    # On PostgreSQL the fields' own from_db_value() (JSON, which arrives as text) is all there is
    # to convert: Model.from_db() builds the instance as raw() would, without raw()'s resolving of
    # columns to fields on every query.
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    return [_annotated(_instance(statement.loading, row)) for row in rows]


def _annotated(employee: Employee) -> Employee:
    # The annotations as the database returns them: the flag 0/1 on SQLite, JSON as text.
    employee.deactivation_held = bool(employee.deactivation_held)
    if isinstance(getattr(employee, "provided_fields", None), str):
        employee.provided_fields = json.loads(employee.provided_fields)
    return employee


def _statement_of(fields, condition: str, *, write: bool = False) -> _Statement:
    """The visible employees that meet `condition`, with their `fields` and the annotations;
    for a write also what the owner provides, with the rows locked."""
    names = [Employee._meta.get_field(name).column for name in fields]
    selected = [f"e.{column}" for column in names]
    if write:
        selected.append(_PROVIDED)
        names.append("provided_fields")
    selected.append(_HELD)
    names.append("deactivation_held")
    # Only PostgreSQL locks rows; SQLite serialises every writer on the database instead.
    locked = " FOR UPDATE OF e" if write and connection.vendor == "postgresql" else ""
    # Built from this module's constants and the model's columns only; values are always parameters.
    sql = f"SELECT {', '.join(selected)} FROM employees_employee e WHERE {_VISIBLE} AND {condition}{locked}"  # noqa: S608
    return _Statement(sql, _loading(names))


@cache
def _statement(name: str) -> _Statement:
    if name == "by_pk_locked":
        return _statement_of(
            [field.name for field in Employee._meta.concrete_fields], "e.id = %s", write=True
        )
    condition = "e.id = %s" if name == "by_pk" else "lower(e.username) = %s"
    return _statement_of(("id", *RENDERED), condition)


def by_pk(scope: Scope, pk: int, *, lock: bool) -> Employee | None:
    """The visible employee `pk`: what its resource shows, or all of it locked for a write."""
    found = _rows(_statement("by_pk_locked" if lock else "by_pk"), scope, pk)
    return found[0] if found else None


def by_username(scope: Scope, username: str) -> list[Employee]:
    """The visible employee whose userName is `username`, whatever its case (none or one)."""
    return _rows(_statement("by_username"), scope, username.lower())
