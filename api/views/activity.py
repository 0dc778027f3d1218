"""A connection's SCIM activity: a filtered, cursor-paged list, and the same rows as streamed CSV."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from engagedly_portal.csv_stream import cell, csv_writer
from integrations import selectors

from ..pagination import NewestFirst
from ..permissions import acting_employee
from ..serializers import ActivityFilterSerializer, ScimRequestSerializer
from .common import ApiView, CsvApiView, query_filters

CSV_COLUMNS = [
    "id",
    "created_at",
    "method",
    "path",
    "status_code",
    "outcome",
    "operation",
    "resource_id",
    "employee_id",
    "detail",
    "duration_ms",
]


def _csv_lines(requests):
    writer = csv_writer()
    yield writer.writerow(CSV_COLUMNS)
    # values_list and iterator: one row at a time from a server-side cursor, never the whole table.
    for row in requests.values_list(*CSV_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow([cell(v.isoformat() if hasattr(v, "isoformat") else v) for v in row])


class ActivityListView(ApiView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="activity_list",
        parameters=[ActivityFilterSerializer],
        responses=ScimRequestSerializer(many=True),
    )
    def get(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        filters = query_filters(request, ActivityFilterSerializer)
        page = self.paginate_queryset(selectors.scim_request_list(connection=connection, **filters))
        return self.get_paginated_response(ScimRequestSerializer(page, many=True).data)


class ActivityCsvView(CsvApiView):
    @extend_schema(
        operation_id="activity_csv",
        parameters=[ActivityFilterSerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="All matching rows.")},
        description="Every matching request, newest first, streamed as CSV (for a SIEM or a spreadsheet).",
    )
    def get(self, request, pk: int):
        connection = selectors.connection_get(organization=acting_employee(request).organization, pk=pk)
        filters = query_filters(request, ActivityFilterSerializer)
        requests = selectors.scim_request_list(connection=connection, **filters)
        response = StreamingHttpResponse(_csv_lines(requests), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="activity-{connection.public_id}.csv"'
        return response
