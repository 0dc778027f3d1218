"""Single sign-on writes: who an identity provider's sign-in becomes, and the configuration."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from employees import services as employee_services
from employees.models import Employee

from .identity import Identity, SsoRefused
from .models import PendingSamlRequest, SeenAssertion, SsoConfiguration


def _candidate(configuration: SsoConfiguration, identity: Identity) -> Employee | None:
    """The organization's employee the identity names: by email first, then userName (the
    provider's email or NameID / `sub`, as SCIM provisioned it)."""
    keys = Q()
    if identity.email:
        keys |= Q(email__iexact=identity.email) | Q(username__iexact=identity.email)
    if identity.subject:
        keys |= Q(username__iexact=identity.subject)
    if not keys:
        return None
    rank = Case(
        When(email__iexact=identity.email or "\0", then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Employee.objects.filter(keys, organization=configuration.organization)
        .select_related("organization", "user")
        .annotate(rank=rank)
        .order_by("rank", "pk")
        .first()
    )


def _create_just_in_time(configuration: SsoConfiguration, identity: Identity) -> Employee:
    organization = configuration.organization
    try:
        validate_email(identity.email)
    except ValidationError as exc:
        raise SsoRefused("The identity provider sent no usable email, so no account can be created.") from exc
    domain = identity.email.rpartition("@")[2].lower()
    if configuration.domains and domain not in configuration.domains:
        raise SsoRefused(
            f"{organization.name} creates accounts only for emails at {', '.join(configuration.domains)}."
        )
    try:
        with transaction.atomic():
            return employee_services.employee_create(
                organization=organization,
                email=identity.email,
                first_name=identity.first_name[:150],
                last_name=identity.last_name[:150],
            )
    except (IntegrityError, ValidationError, employee_services.EmployeeConflict) as exc:
        raise SsoRefused("An account for this email could not be created; ask your admin.") from exc


def sso_employee_for_identity(*, configuration: SsoConfiguration, identity: Identity) -> Employee:
    """The active employee an identity provider's sign-in becomes, with a login account.

    Only employees of the configuration's own organization are candidates, so another
    organization's identity provider can never sign anyone in here. Raises SsoRefused with what
    the person reads.
    """
    organization = configuration.organization
    employee = _candidate(configuration, identity)
    if employee is None:
        if not configuration.jit_create:
            raise SsoRefused(
                f"{identity.email or identity.subject} is not an employee of {organization.name} "
                "in Engagedly. Ask your admin to add you (or to assign you to the Engagedly app "
                "in your identity provider)."
            )
        employee = _create_just_in_time(configuration, identity)
    if employee.status != Employee.Status.ACTIVE:
        raise SsoRefused(f"Your Engagedly account at {organization.name} is deactivated. Contact your admin.")
    employee = employee_services.employee_login_account(employee=employee)
    employee.user.refresh_from_db(fields=["is_active"])
    if not employee.user.is_active:
        raise SsoRefused(f"Your Engagedly account at {organization.name} is deactivated. Contact your admin.")
    return employee


def saml_request_remember(
    *, configuration: SsoConfiguration, request_id: str, next_url: str, test: bool
) -> None:
    """Record an AuthnRequest sent; requests older than 10 minutes go (they are refused anyway)."""
    PendingSamlRequest.objects.filter(created_at__lt=timezone.now() - timedelta(minutes=10)).delete()
    PendingSamlRequest.objects.create(
        configuration=configuration, request_id=request_id, next_url=next_url, test=test
    )


@transaction.atomic
def saml_assertion_consume(
    *, configuration: SsoConfiguration, assertion_id: str, expires_at, pending: PendingSamlRequest | None
) -> None:
    """Use an assertion once: its id is recorded until it expires, and the request it answered is done.

    The unique index decides, so two concurrent posts of one assertion sign in at most once.
    """
    if not assertion_id:
        raise SsoRefused("The SAML assertion has no id.")
    SeenAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(
                configuration=configuration, assertion_id=assertion_id[:255], expires_at=expires_at
            )
    except IntegrityError as exc:
        raise SsoRefused("This SAML assertion was already used (a replay). Start the sign-in again.") from exc
    if pending is not None:
        PendingSamlRequest.objects.filter(pk=pending.pk).delete()
