"""Users: employees of the scope's organization, read here and written through employees.services.

Every write reads the employee under a row lock (employees.services.employee_lock's rule),
decides in one service call and commits: concurrent writers to one user take turns, and a
request's answer (its meta.version included) depends only on the state it found.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from employees import services
from employees.models import Employee
from integrations import brake, ownership
from integrations import services as integration_services
from integrations.models import ProvisionedDeactivation, ProvisionedEmployee

from ..errors import ScimError
from .common import (
    Outcome,
    Scope,
    check_version,
    invalid,
)
from .custom import FieldsOf, loaded_fields
from .user_reads import user_get

DEACTIVATED_BY_PROVIDER = "Deactivated by the identity provider"


def _conflict(field_name: str, value: str, owner: str = "") -> ScimError:
    label = "userName" if field_name == "username" else "email"
    managed = f" It is managed by the connection “{owner}”." if owner else ""
    return ScimError(409, f"A user with {label} {value} already exists.{managed}", "uniqueness")


def user_create(
    scope: Scope, *, fields: dict, active: bool, portal_origin: str = "", custom_fields: FieldsOf = None
) -> Outcome:
    """Create the employee; when the userName or email is taken, decide between 409 and a link.

    The INSERT comes first and the unique indexes on lower(username) / lower(email) decide: the
    common case costs no lookup, and concurrent creates of one person leave exactly one row.
    """
    try:
        with transaction.atomic():
            employee = services.employee_provision(
                organization=scope.organization,
                active=active,
                custom_fields=loaded_fields(custom_fields, fields),
                **fields,
            )
            integration_services.employee_provisioned_by(
                employee=employee,
                connection=scope.connection,
                new=True,
                provided=ownership.provided_of(fields),
            )
    except IntegrityError:
        return _create_over_existing(scope, fields=fields, active=active, custom_fields=custom_fields)
    except ValidationError as exc:
        raise invalid(exc) from exc
    if active and scope.organization.invite_on_provisioning:
        # The organization's "invite people when they are provisioned": a link to set a password,
        # emailed once this commits (people of an organization requiring SSO are not invited).
        services.employee_invite(employee=employee, base_url=portal_origin)
    return Outcome(obj=employee, operation="create", created=True)


def _owner_elsewhere(scope: Scope, link: ProvisionedEmployee | None) -> str:
    """The name of the other live connection that owns the employee, or ""."""
    if link is None or link.connection.deleted_at is not None or link.connection_id == scope.connection.pk:
        return ""
    return link.connection.name


def _claimable(scope: Scope, employee: Employee, link: ProvisionedEmployee | None) -> bool:
    """May a provider's create take over this existing employee?

    Yes when this connection deleted it earlier (the same person is being provisioned again), when
    no live connection has claimed it (employees added by hand, synced by a connection that was
    since deleted, or released by an admin). No when a live connection owns it: another one's
    employee, or this one's own live duplicate (409).
    """
    if _owner_elsewhere(scope, link):
        return False
    return employee.provider_deleted_at is not None or link is None or link.connection.deleted_at is not None


@transaction.atomic
def _create_over_existing(scope: Scope, *, fields: dict, active: bool, custom_fields: FieldsOf) -> Outcome:
    username, email = fields["username"].lower(), fields["email"].lower()
    candidates = list(
        Employee.objects.select_for_update(of=("self",))
        .filter(Q(username__lower=username) | Q(email__lower=email), organization=scope.organization)
        .order_by("pk")[:2]
    )
    links = {
        link.employee_id: link
        for link in ProvisionedEmployee.objects.select_related("connection").filter(employee__in=candidates)
    }
    by_username = next((e for e in candidates if e.username.lower() == username), None)
    by_email = next((e for e in candidates if e.email.lower() == email), None)
    for found, field_name in ((by_username, "username"), (by_email, "email")):
        if found is not None and not _claimable(scope, found, links.get(found.pk)):
            raise _conflict(field_name, fields[field_name], _owner_elsewhere(scope, links.get(found.pk)))
    if by_username is not None and by_email is not None and by_email != by_username:
        # Two different people hold the userName and the email: linking either breaks the other.
        raise _conflict("email", fields["email"])
    employee = by_username or by_email
    if employee is None:  # the row that conflicted was removed meanwhile; the client may retry
        raise _conflict("username", fields["username"])
    # Take it over: same id, the provider's values, active as sent, visible to the provider again.
    # What the body leaves out (a blank value) stays as the portal has it: a create describes the
    # person as the provider knows them, not a replacement of what was entered here.
    sent = {key: value for key, value in fields.items() if value}
    if "profile_extras" in sent:  # per kind too: entries of a kind the body does not send stay
        sent["profile_extras"] = {**employee.profile_extras, **sent["profile_extras"]}
    if "custom_values" in sent:  # and custom values the body does not send stay
        sent["custom_values"] = {
            key: value for key, value in sent["custom_values"].items() if value is not None
        }
    link = links.get(employee.pk)
    # What this connection sent for the person before counts; another (deleted) one's does not.
    before = link.provided_fields if link and link.connection_id == scope.connection.pk else ()
    outcome = _write(scope, employee, fields=sent, active=active, restore=True, custom_fields=custom_fields)
    integration_services.employee_provisioned_by(
        employee=employee, connection=scope.connection, provided=ownership.provided_of(sent).union(before)
    )
    return Outcome(
        obj=employee, operation="create" if outcome.operation == "update" else outcome.operation, created=True
    )


def _write(
    scope: Scope,
    employee: Employee,
    *,
    fields: dict | None,
    active: bool | None,
    restore: bool = False,
    request: brake.RequestInfo | None = None,
    custom_fields: FieldsOf = None,
) -> Outcome:
    # The brake may hold a deactivation, or lift a hold (integrations.brake).
    guarded = brake.provider_write_guard(
        connection=scope.connection,
        employee=employee,
        active=active,
        restore=restore,
        request=request or brake.RequestInfo(),
    )
    active, held, shown_changed = guarded.active, guarded.held, guarded.shown_changed
    known = getattr(employee, "provided_fields", None)
    if fields is not None and known is not None:
        # Fields the owner never sent a value for are the portal's: an absent value leaves them
        # as they are (a PUT does not clear what the portal keeps; see integrations.ownership).
        provided = ownership.provided_learn(employee=employee, known=frozenset(known), sent=fields)
        fields = {key: value for key, value in fields.items() if value or key in provided}
    try:
        operation = services.employee_provider_update(
            employee=employee,
            profile=fields,
            active=active,
            restore=restore,
            reason=DEACTIVATED_BY_PROVIDER,
            custom_fields=loaded_fields(custom_fields, fields),
            new_version=shown_changed,
        )
    except IntegrityError as exc:
        raise _conflict("username", (fields or {}).get("username", "")) from exc
    except ValidationError as exc:
        raise invalid(exc) from exc
    if shown_changed:
        operation = "deactivate" if held else "reactivate"
    employee.deactivation_held = held
    return Outcome(obj=employee, operation=operation)


@transaction.atomic
def user_update(
    scope: Scope,
    *,
    pk: str,
    change: Callable[[Employee], tuple[dict | None, bool | None]],
    if_match: str | None,
    request: brake.RequestInfo | None = None,
    custom_fields: FieldsOf = None,
) -> Outcome:
    """Read the user under a row lock, compute its new state with `change` (pure), write it."""
    employee = user_get(scope, pk=pk, lock=True)
    check_version(employee.version, if_match)
    fields, active = change(employee)
    return _write(scope, employee, fields=fields, active=active, request=request, custom_fields=custom_fields)


@transaction.atomic
def user_delete(
    scope: Scope, *, pk: str, if_match: str | None, request: brake.RequestInfo | None = None
) -> Outcome:
    employee = user_get(scope, pk=pk, lock=True)
    check_version(employee.version, if_match)
    deactivate = True
    if employee.status == Employee.Status.ACTIVE:
        record = brake.deactivation_decide(
            connection=scope.connection,
            employee=employee,
            request=request or brake.RequestInfo(),
            deleted=True,
            held=employee.deactivation_held,
        )
        # Held: the person is hidden from the provider (404, as it expects) and stays active here.
        deactivate = record.state != ProvisionedDeactivation.State.HELD
    services.employee_provider_delete(employee=employee, deactivate=deactivate)
    return Outcome(obj=employee, operation="deactivate")
