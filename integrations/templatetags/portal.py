"""Small display helpers shared by the portal's templates."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(value: datetime.datetime | None) -> str:
    """ "just now" under a minute (timesince would say "0 minutes"), else "3 hours ago"."""
    if not value:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"
