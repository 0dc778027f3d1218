"""Writes for connections and their tokens. Every function is scoped to one organization."""

import functools
from dataclasses import dataclass
from enum import Enum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from employees.models import Organization
from engagedly_portal.db import copy_statement, insert_statement, model_columns

from .auth_epoch import auth_epoch_bump
from .models import TOKEN_PREFIX, Connection, ConnectionToken, ScimRequest
from .scim.activity import recorded_path

MAX_LIVE_TOKENS = 2


@dataclass(frozen=True)
class IssuedToken:
    token: ConnectionToken
    plaintext: str  # shown once, never stored


@dataclass(frozen=True)
class NewConnection:
    connection: Connection
    plaintext_token: str


def _validate_name(*, organization: Organization, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the connection."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    if Connection.objects.filter(
        organization=organization, deleted_at__isnull=True, name__iexact=name
    ).exists():
        raise ValidationError({"name": "A connection with this name already exists."})
    return name


@transaction.atomic
def connection_create(*, organization: Organization, name: str, created_by=None) -> NewConnection:
    name = _validate_name(organization=organization, name=name)
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                organization=organization, name=name, created_by=created_by
            )
    except IntegrityError as exc:  # a concurrent create with the same name
        raise ValidationError({"name": "A connection with this name already exists."}) from exc
    issued = token_issue(connection=connection, created_by=created_by)
    return NewConnection(connection=connection, plaintext_token=issued.plaintext)


@transaction.atomic
def token_issue(*, connection: Connection, created_by=None) -> IssuedToken:
    """A new token for the connection; the old one stays valid until revoked (rotation without downtime)."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if connection.is_deleted:
        raise ValidationError("This connection has been deleted.")
    live = connection.tokens.filter(revoked_at__isnull=True).count()
    if live >= MAX_LIVE_TOKENS:
        raise ValidationError(
            f"A connection can have at most {MAX_LIVE_TOKENS} live tokens. Revoke the old one first."
        )
    token = ConnectionToken(connection=connection, created_by=created_by)
    plaintext = token.set_secret()
    token.save()
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def token_revoke(*, token: ConnectionToken) -> ConnectionToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    # SCIM workers that cached the token drop it on its next use (integrations/auth_epoch.py).
    auth_epoch_bump()
    return token


@transaction.atomic
def connection_delete(*, connection: Connection) -> Connection:
    """Stop syncing at once: the connection and its tokens stop working; its employees stay as they are."""
    now = timezone.now()
    if connection.deleted_at is None:
        connection.deleted_at = now
        connection.save(update_fields=["deleted_at"])
    connection.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    auth_epoch_bump()
    return connection


def token_authenticate(*, public_id: str, plaintext: str) -> ConnectionToken | None:
    """The live token for this connection's URL, or None. One query; constant-time digest check."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    lookup = plaintext[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 12]
    token = (
        ConnectionToken.objects.select_related("connection__organization")
        .filter(lookup=lookup, revoked_at__isnull=True, connection__deleted_at__isnull=True)
        .first()
    )
    if token is None or token.connection.public_id != public_id or not token.matches(plaintext):
        return None
    return token


@functools.cache
def _scim_request_insert() -> tuple[str, tuple]:
    """The INSERT of scim_request_record, built once per process from the model."""
    meta = ScimRequest._meta
    columns = model_columns(ScimRequest)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    placeholders = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns)
    # Table, column names and types come from the model; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {placeholders} "  # noqa: S608
        "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
    )
    return sql, columns


def scim_request_record(**fields) -> None:
    """Write one SCIM request's activity record: one INSERT, committed without waiting for the disk.

    On PostgreSQL the INSERT sets synchronous_commit off for its own (autocommit) transaction,
    in the same statement: the commit returns before the WAL flush (about 2 ms on this class of
    disk, on every SCIM request). A database crash may lose the last fraction of a second of
    records, never a domain write, and never leaves a partial one. Inside an outer transaction
    (a domain write, or a test) the setting would reach that transaction too, so the plain
    INSERT is used there. The path is stored as recorded_path writes it (see scim_requests_record).
    """
    query_string = fields.pop("query_string", "")
    fields["path"] = recorded_path(fields["path"], query_string)
    record = ScimRequest(**fields)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        record.save(force_insert=True)
        return
    sql, columns = _scim_request_insert()
    values = [field.get_db_prep_save(field.pre_save(record, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def scim_requests_record(records: list[dict]) -> None:
    """Write many activity records (integrations.activity_log's batches) in one statement.

    Committed without waiting for the WAL flush on PostgreSQL, as scim_request_record is, in
    its own transaction. On PostgreSQL the rows go through a binary COPY with the values as the
    request built them (integers, strings, aware datetimes, None: types psycopg packs as they
    are), a small part of the CPU of preparing each value through its model field for an INSERT.

    Each record's `path`, with its `query_string` if it has one, is stored as recorded_path
    writes it: decoded, email addresses masked. Done here for the whole batch rather than in each
    request, where the decoding and the masking's regular expression cost a userName lookup three
    times as much CPU, run cold once per request, as they do run back to back.
    """
    if connection.vendor == "postgresql":
        copy_sql, columns, types = copy_statement(ScimRequest)
        rows = [[_record_value(fields, field) for field in columns] for fields in records]
        with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            with cursor.cursor.copy(copy_sql) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        return
    sql, columns = insert_statement(ScimRequest)
    rows = [
        [field.get_db_prep_save(_record_value(fields, field), connection) for field in columns]
        for fields in records
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _record_value(fields: dict, field):
    if field.attname == "path":
        return recorded_path(fields["path"], fields.get("query_string", ""))
    if field.attname == "token_id":
        token = fields.get("token")
        return token.pk if token is not None else None
    if field.attname not in fields:
        return field.get_default()
    value = fields[field.attname]
    return value.value if isinstance(value, Enum) else value  # choices as their stored value
