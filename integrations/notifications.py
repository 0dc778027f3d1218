"""Emails to an organization's integration admins (sent by integrations.tasks, never in a request)."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from employees.models import Employee

from .models import Connection, ProvisionedDeactivation


def integration_admins(*, organization_id: int) -> list[str]:
    """Emails of the active employees who may manage integrations (reserved addresses left out)."""
    return list(
        Employee.objects.filter(organization_id=organization_id, status=Employee.Status.ACTIVE)
        .filter(Q(is_org_admin=True) | Q(can_manage_integrations=True))
        .exclude(email__iendswith=".invalid")
        .order_by("email")
        .values_list("email", flat=True)
    )


def held_deactivations_notify(*, connection_id: int, origin: str = "") -> int:
    """Tell the integration admins that deactivations from the connection are held, with how many
    and the link to the held list. Returns how many emails were sent."""
    connection = Connection.objects.select_related("organization").filter(pk=connection_id).first()
    if connection is None or connection.deleted_at is not None:
        return 0
    held = ProvisionedDeactivation.objects.filter(
        connection=connection, state=ProvisionedDeactivation.State.HELD
    )
    count = held.count()
    recipients = integration_admins(organization_id=connection.organization_id)
    if not count or not recipients:
        return 0
    # The origin the identity provider reached the portal at, unless one is configured.
    base = settings.PUBLIC_BASE_URL or origin.rstrip("/")
    context = {
        "connection": connection,
        "count": count,
        "tripped": connection.brake_tripped_at is not None,
        "reasons": sorted({item.get_reason_display() for item in held}),
        "link": base + reverse("integrations:connection", kwargs={"pk": connection.pk}) + "#held",
    }
    subject = f"{count} deactivation{'s' if count != 1 else ''} from {connection.name} held for your decision"
    body = render_to_string("integrations/email/deactivations_held.txt", context)
    messages = [EmailMessage(subject, body, to=[recipient]) for recipient in recipients]
    return get_connection().send_messages(messages) or 0
