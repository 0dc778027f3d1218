"""Employees, read only, filtered as the directory filters them (custom fields included)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from employees import selectors, services

from ..pagination import ById
from ..permissions import acting_employee
from ..serializers import EmployeeFilterSerializer, EmployeeSerializer
from .common import ApiView


def _custom_fields(request) -> dict:
    """The organization's active custom fields by key: archived ones are neither shown nor filtered by."""
    return services.custom_fields_active(organization_id=acting_employee(request).organization_id)


class EmployeeListView(ApiView):
    pagination_class = ById

    @extend_schema(
        operation_id="employees_list",
        parameters=[EmployeeFilterSerializer],
        responses=EmployeeSerializer(many=True),
    )
    def get(self, request):
        fields = _custom_fields(request)
        query = EmployeeFilterSerializer(data=request.query_params, context={"custom_fields": fields})
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        employees = selectors.employee_list(
            organization=acting_employee(request).organization,
            search=filters.get("q", ""),
            status=filters.get("status", ""),
            department=filters.get("department", "").strip(),
            manager_id=filters.get("manager"),
        )
        if "custom_field" in filters:
            employees = selectors.employees_with_custom_value(
                employees, field=filters["custom_field"], value=filters["value"]
            )
        page = self.paginate_queryset(employees)
        return self.get_paginated_response(
            EmployeeSerializer(page, many=True, context={"custom_fields": fields}).data
        )


class EmployeeDetailView(ApiView):
    @extend_schema(operation_id="employees_retrieve", responses=EmployeeSerializer)
    def get(self, request, pk: int):
        employee = selectors.employee_get(organization=acting_employee(request).organization, pk=pk)
        return Response(EmployeeSerializer(employee, context={"custom_fields": _custom_fields(request)}).data)
