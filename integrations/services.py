"""Writes for connections and their tokens. Every function is scoped to one organization."""

import datetime
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from psycopg import sql

from audit.services import audit_record
from employees.models import Employee, Organization, Team

from . import held
from .auth_epoch import auth_epoch_bump
from .models import (
    TOKEN_PREFIX,
    Connection,
    ConnectionToken,
    ProvisionedEmployee,
    ProvisionedTeam,
    ScimRequest,
)
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
    token: ConnectionToken | None = None


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
def connection_create(
    *, organization: Organization, name: str, created_by=None, provider: str = Connection.Provider.OKTA
) -> NewConnection:
    name = _validate_name(organization=organization, name=name)
    if provider not in Connection.Provider.values:
        raise ValidationError({"provider": "Choose one of the listed identity providers."})
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                organization=organization, name=name, created_by=created_by, provider=provider
            )
    except IntegrityError as exc:  # a concurrent create with the same name
        raise ValidationError({"name": "A connection with this name already exists."}) from exc
    audit_record(
        action="connection.created",
        organization=organization,
        actor=created_by,
        target=connection,
        after={"name": connection.name, "provider": connection.get_provider_display()},
    )
    issued = token_issue(connection=connection, created_by=created_by)
    return NewConnection(connection=connection, plaintext_token=issued.plaintext, token=issued.token)


@transaction.atomic
def token_issue(
    *,
    connection: Connection,
    created_by=None,
    label: str = "",
    expires_at: datetime.datetime | None = None,
) -> IssuedToken:
    """A new token for the connection; the old one stays valid until revoked (rotation without downtime)."""
    label = (label or "").strip()
    if len(label) > 100:
        raise ValidationError("Use at most 100 characters for the label.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("Choose an expiry in the future.")
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if connection.is_deleted:
        raise ValidationError("This connection has been deleted.")
    live = connection.tokens.filter(revoked_at__isnull=True).count()
    if live >= MAX_LIVE_TOKENS:
        raise ValidationError(
            f"A connection can have at most {MAX_LIVE_TOKENS} live tokens. Revoke the old one first."
        )
    token = ConnectionToken(connection=connection, created_by=created_by, label=label, expires_at=expires_at)
    plaintext = token.set_secret()
    token.save()
    audit_record(
        action="token.issued",
        organization=connection.organization,
        actor=created_by,
        target=token,
        target_label=f"{token} of “{connection.name}”",
        after={"label": label, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def token_revoke(*, token: ConnectionToken, actor=None) -> ConnectionToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="token.revoked",
            organization=token.connection.organization,
            actor=actor,
            target=token,
            target_label=f"{token} of “{token.connection.name}”",
            before={"state": "live"},
            after={"state": "revoked"},
        )
    # SCIM workers that cached the token drop it on its next use (integrations/auth_epoch.py).
    auth_epoch_bump()
    return token


@transaction.atomic
def connection_delete(*, connection: Connection, actor=None) -> Connection:
    """Stop syncing at once: the connection and its tokens stop working; its employees stay as they are."""
    now = timezone.now()
    if connection.deleted_at is None:
        connection.deleted_at = now
        connection.save(update_fields=["deleted_at"])
        audit_record(
            action="connection.deleted",
            organization=connection.organization,
            actor=actor,
            target=connection,
            before={"state": "live"},
            after={"state": "deleted"},
        )
    connection.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    held.held_keep_on_delete(connection=connection)
    auth_epoch_bump()
    return connection


def employee_provisioned_by(
    *, employee: Employee, connection: Connection, new: bool = False, provided=frozenset()
) -> None:
    """Record that `connection` provisions the employee: it created it (`new`) or took it over,
    sending values for the fields `provided` (read-only in the portal, see ownership)."""
    fields = sorted(provided)
    if new:
        ProvisionedEmployee.objects.create(employee=employee, connection=connection, provided_fields=fields)
    else:
        ProvisionedEmployee.objects.update_or_create(
            employee=employee, defaults={"connection": connection, "provided_fields": fields}
        )


def team_provisioned_by(*, team: Team, connection: Connection) -> None:
    """Record that `connection` pushed the new team."""
    ProvisionedTeam.objects.create(team=team, connection=connection)


def token_authenticate(*, public_id: str, plaintext: str) -> ConnectionToken | None:
    """The live, unexpired token for this connection's URL, or None. One query; constant-time check."""
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
    if token.is_expired():
        return None
    return token


def scim_requests_record(records: list[dict]) -> None:
    """Write a batch of SCIM activity records (integrations.activity_log) in one transaction.

    Each record's `path`, with its `query_string` if it has one, is stored as recorded_path
    writes it: decoded, email addresses masked. On PostgreSQL the transaction commits without
    waiting for the WAL flush (synchronous_commit off, for this transaction only): a database
    crash may lose the last fraction of a second of records, never a domain write.
    """
    rows = []
    for fields in records:
        fields = dict(fields)
        fields["path"] = recorded_path(fields["path"], fields.pop("query_string", ""))
        # A NUL a client sent (%00 in a path or filter) is refused with a 400, but its record
        # must still be writable: no text column holds U+0000, and one such row would fail the
        # whole batch again on every retry. It is shown as U+FFFD.
        for key, value in fields.items():
            if isinstance(value, str) and "\x00" in value:
                fields[key] = value.replace("\x00", "\ufffd")
        rows.append(ScimRequest(**fields))
    if connection.vendor != "postgresql":
        ScimRequest.objects.bulk_create(rows)
        return
    fields, statement = _activity_copy()
    database = connections[DEFAULT_DB_ALIAS]  # this thread's, once rather than per value
    with transaction.atomic(using=database.alias), database.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # psycopg's COPY: less CPU than a multi-row INSERT, here and in the database. Its errors
        # become Django's, as those of the statements Django runs do.
        with database.wrap_database_errors, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([f.get_db_prep_save(getattr(row, f.attname), database) for f in fields])


@cache
def _activity_copy() -> tuple[list, sql.Composed]:
    """The columns an activity record writes (all but its id), and the COPY statement for them."""
    fields = [field for field in ScimRequest._meta.concrete_fields if not field.primary_key]
    columns = sql.SQL(", ").join(sql.Identifier(field.column) for field in fields)
    table = sql.Identifier(ScimRequest._meta.db_table)
    return fields, sql.SQL("COPY {} ({}) FROM STDIN").format(table, columns)
