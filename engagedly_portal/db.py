"""Statements built once per process from a model, for the few writes on the SCIM hot path.

The ORM compiles an INSERT anew on every save (about a quarter of a SCIM create's CPU); the
statement only depends on the model, so it is built here once and reused. Values are prepared
exactly as the ORM prepares them (each field's pre_save and get_db_prep_save).
"""

import functools
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import CharField, Model, TextField


@contextmanager
def statement_cursor(db=None):
    """A cursor for one statement whose rows are read at once (the hot paths' INSERT, UPDATE, SELECT).

    On PostgreSQL the connection's kept cursor (engagedly_portal.postgresql.base); elsewhere a
    cursor of its own, closed after.
    """
    db = db or _current()
    kept = getattr(db, "kept_cursor", None)
    if kept is not None:
        yield kept()
        return
    with db.cursor() as cursor:
        yield cursor


def _current():
    """This thread's default database connection itself. `django.db.connection` is a proxy that
    looks the connection up in a context-local store on every attribute read, and preparing a
    row's values reads it once a field."""
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def model_columns(model: type[Model]) -> tuple:
    """The fields an INSERT of `model` writes: every concrete field but the primary key."""
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@functools.cache
def _insert(model: type[Model], vendor: str, returning: bool) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in model_columns(model))
    placeholders = ", ".join(["%s"] * len(model_columns(model)))
    # Table and column names come from the model; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql


def insert_statement(model: type[Model], *, returning: bool = False) -> tuple[str, tuple]:
    """`INSERT INTO <table> (<every column but the primary key>) VALUES (...)` and those fields.

    With `returning`, the statement gives back the new primary key (PostgreSQL and SQLite 3.35+).
    """
    return _insert(model, connection.vendor, returning), model_columns(model)


@functools.cache
def _copy(model: type[Model]) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in model_columns(model))
    # Each column's type without its modifier (varchar(500) → varchar), as psycopg names them.
    types = tuple(field.db_type(connection).split("(")[0] for field in model_columns(model))
    return f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)", types


def copy_statement(model: type[Model]) -> tuple[str, tuple, tuple]:
    """PostgreSQL's `COPY <table> (<the columns of insert_statement>) FROM STDIN` in binary
    format, those fields, and their column types for psycopg's Copy.set_types.

    Binary rows cost about a third of the client CPU of text ones (values are packed, not
    formatted), and PostgreSQL reads a timestamp without parsing it. Every value must then be
    of its column's exact type: integers within range, aware datetimes, strings.
    """
    sql, types = _copy(model)
    return sql, model_columns(model), types


@functools.lru_cache(maxsize=256)
def _update(model: type[Model], vendor: str, names: tuple, conditions: tuple) -> tuple[str, tuple, tuple]:
    meta = model._meta
    quote = connection.ops.quote_name
    set_fields = tuple(meta.get_field(name) for name in names)
    where_fields = tuple((meta.get_field(name), is_null) for name, is_null in conditions)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in set_fields)
    tests = " AND ".join(
        f"{quote(field.column)} IS NULL" if is_null else f"{quote(field.column)} = %s"
        for field, is_null in where_fields
    )
    # Table and column names come from the model; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {tests}"  # noqa: S608
    return sql, set_fields, tuple(field for field, is_null in where_fields if not is_null)


def rows_update(model: type[Model], *, where: dict, values: dict) -> int:
    """`filter(**where).update(**values)` for exact matches, with the statement built once per shape.

    Keys are field names or attnames (`manager_id`); a None in `where` matches NULL. Values are
    prepared as QuerySet.update prepares them. Returns the number of rows updated.
    """
    db = _current()
    conditions = tuple((name, value is None) for name, value in where.items())
    sql, set_fields, where_fields = _update(model, db.vendor, tuple(values), conditions)
    tested = [value for value in where.values() if value is not None]
    params = [
        field.get_db_prep_save(value, db) for field, value in zip(set_fields, values.values(), strict=True)
    ]
    params += [field.get_db_prep_value(value, db) for field, value in zip(where_fields, tested, strict=True)]
    with statement_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@functools.cache
def _text_columns(model: type[Model]) -> tuple[bool, ...]:
    return tuple(isinstance(field, CharField | TextField) for field in model_columns(model))


def instance_insert(instance: Model) -> None:
    """Save a new instance with one prebuilt INSERT, as save(force_insert=True) would write it.

    No pre_save/post_save signals are sent: use it only for models that have no receivers.
    Integrity errors are raised as the ORM raises them (django.db.IntegrityError).
    """
    db = _current()
    sql, columns = insert_statement(type(instance), returning=True)
    values = [field.pre_save(instance, True) for field in columns]
    # A str for a text column is what the field's preparation returns anyway (CharField's
    # to_python): skipping the call for those is about half the preparation of an employee row.
    values = [
        value if type(value) is str and text else field.get_db_prep_save(value, db)
        for field, text, value in zip(columns, _text_columns(type(instance)), values, strict=True)
    ]
    with statement_cursor(db) as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = db.alias
