"""One SCIM request in full, and the filtered activity as a streamed CSV file."""

import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from engagedly_portal.csv_stream import cell, csv_writer

from .. import selectors
from ..forms import ActivityFilterForm
from .common import integrations_view

CSV_COLUMNS = (
    "time (UTC)",
    "operation",
    "method",
    "path",
    "status",
    "outcome",
    "employee",
    "employee email",
    "attempted userName (masked)",
    "error returned",
    "duration ms",
    "token",
)


@integrations_view
def activity_detail(request, pk: int, request_pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    item = selectors.scim_request_get(connection=connection, pk=request_pk)
    prefix = reverse("scim:root", kwargs={"public_id": connection.public_id}).rstrip("/")
    context = {"connection": connection, "item": item, "scim_path_prefix": prefix}
    return render(request, "integrations/activity_detail.html", context)


def _rows(requests):
    writer = csv_writer()
    yield writer.writerow(CSV_COLUMNS)
    # iterator(): the rows are read in chunks, never all held in memory.
    for item in requests.iterator(chunk_size=2000):
        employee = item.employee
        yield writer.writerow(
            [
                cell(value)
                for value in (
                    item.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    item.get_operation_display(),
                    item.method,
                    item.path,
                    item.status_code,
                    item.get_outcome_display(),
                    employee.full_name if employee else "",
                    employee.email if employee else "",
                    item.subject,
                    item.detail,
                    item.duration_ms,
                    item.token or "",
                )
            ]
        )


@integrations_view
def activity_export(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    filters = ActivityFilterForm(request.GET, tokens=connection.tokens.all()).filters()
    requests = selectors.scim_request_list(connection=connection, **filters)
    response = StreamingHttpResponse(_rows(requests), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="scim-activity-{connection.pk}-{stamp}.csv"'
    return response
