"""Settings > Audit trail: what admins and support staff did, for the organization's admins."""

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from employees.decorators import employee_required, org_admin_required
from engagedly_portal.csv_stream import cell, csv_writer

from . import selectors
from .forms import AuditFilterForm

PAGE_SIZE = 50
CSV_COLUMNS = ("time (UTC)", "who", "email", "role", "action", "target", "before", "after")


def audit_view(view):
    return login_required(
        employee_required(
            org_admin_required(message="Only organization admins can read the audit trail.")(
                never_cache(view)
            )
        )
    )


def _filtered(request):
    organization = request.employee.organization
    form = AuditFilterForm(request.GET, actions=selectors.audit_actions_used(organization=organization))
    return form, selectors.audit_event_list(organization=organization, **form.filters())


@audit_view
def audit_trail(request):
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"filters": form, "page": page})


def csv_rows(events):
    """The CSV lines of `events`, header first, streamed (the page's export and the API's)."""
    writer = csv_writer()
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        values = (
            event.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_name or "System",
            event.actor_email,
            event.get_actor_kind_display(),
            event.action_label,
            event.target_label,
            json.dumps(event.before, ensure_ascii=False) if event.before else "",
            json.dumps(event.after, ensure_ascii=False) if event.after else "",
        )
        yield writer.writerow([cell(value) for value in values])


@audit_view
def audit_export(request):
    _, events = _filtered(request)
    response = StreamingHttpResponse(csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
