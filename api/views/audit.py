"""The organization's audit trail, for its admins, as on Settings > Audit trail: a filtered,
cursor-paged list, and the page's CSV export."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from audit import actions, selectors
from audit.views import csv_rows

from ..pagination import NewestFirst
from ..permissions import IsOrgAdmin, acting_employee
from ..serializers import AuditEventSerializer, AuditFilterSerializer
from .common import ApiView, CsvApiView


def _events(request):
    """The organization's events matching the query; an unknown action or a bad date is a 400."""
    organization = acting_employee(request).organization
    known = set(actions.LABELS) | set(selectors.audit_actions_used(organization=organization))
    filters = AuditFilterSerializer(data=request.query_params, context={"actions": known})
    filters.is_valid(raise_exception=True)
    return selectors.audit_event_list(organization=organization, **filters.validated_data)


class AuditListView(ApiView):
    pagination_class = NewestFirst
    permission_classes = [IsOrgAdmin]

    @extend_schema(
        operation_id="audit_list",
        parameters=[AuditFilterSerializer],
        responses=AuditEventSerializer(many=True),
        description="Organization admins only (the integration permission is not enough), as on the page.",
    )
    def get(self, request):
        page = self.paginate_queryset(_events(request))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class AuditCsvView(CsvApiView):
    permission_classes = [IsOrgAdmin]

    @extend_schema(
        operation_id="audit_csv",
        parameters=[AuditFilterSerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="All matching entries.")},
        description="Every matching entry, newest first, streamed as CSV: the page's export.",
    )
    def get(self, request):
        response = StreamingHttpResponse(csv_rows(_events(request)), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
        return response
