"""Statements built once per process from a model, for the few writes on the SCIM hot path.

The ORM compiles an INSERT anew on every save (about a quarter of a SCIM create's CPU); the
statement only depends on the model, so it is built here once and reused. Values are prepared
exactly as the ORM prepares them (each field's pre_save and get_db_prep_save).
"""

import functools

from django.db import connection
from django.db.models import Model


@functools.cache
def _insert(model: type[Model], vendor: str, returning: bool) -> tuple[str, tuple]:
    meta = model._meta
    columns = tuple(field for field in meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, columns


def insert_statement(model: type[Model], *, returning: bool = False) -> tuple[str, tuple]:
    """`INSERT INTO <table> (<every column but the primary key>) VALUES (...)` and those fields.

    With `returning`, the statement gives back the new primary key (PostgreSQL and SQLite 3.35+).
    """
    return _insert(model, connection.vendor, returning)


@functools.cache
def _copy(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    _, columns = _insert(model, "postgresql", False)
    names = ", ".join(quote(field.column) for field in columns)
    return f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"


def copy_statement(model: type[Model]) -> tuple[str, tuple]:
    """PostgreSQL's `COPY <table> (<the columns of insert_statement>) FROM STDIN`, and those fields."""
    return _copy(model), insert_statement(model)[1]


def instance_insert(instance: Model) -> None:
    """Save a new instance with one prebuilt INSERT, as save(force_insert=True) would write it.

    No pre_save/post_save signals are sent: use it only for models that have no receivers.
    Integrity errors are raised as the ORM raises them (django.db.IntegrityError).
    """
    sql, columns = insert_statement(type(instance), returning=True)
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
