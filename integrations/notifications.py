"""Emails to an organization's integration admins (sent by integrations.tasks, never in a request)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from . import alerts
from .models import Connection, ProvisionedDeactivation


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
    if not count:
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
    # Through the alerts: to the integration admins who have not opted out, at most hourly.
    return alerts.alert_brake_held(connection=connection, held=count, subject=subject, body=body)
