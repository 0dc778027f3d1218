"""Employees, read only, filtered as the directory filters them."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from employees import selectors

from ..pagination import ById
from ..permissions import acting_employee
from ..serializers import EmployeeFilterSerializer, EmployeeSerializer
from .common import ApiView, query_filters


class EmployeeListView(ApiView):
    pagination_class = ById

    @extend_schema(
        operation_id="employees_list",
        parameters=[EmployeeFilterSerializer],
        responses=EmployeeSerializer(many=True),
    )
    def get(self, request):
        filters = query_filters(request, EmployeeFilterSerializer)
        employees = selectors.employee_list(
            organization=acting_employee(request).organization,
            search=filters.get("q", ""),
            status=filters.get("status", ""),
            department=filters.get("department", "").strip(),
            manager_id=filters.get("manager"),
        )
        page = self.paginate_queryset(employees)
        return self.get_paginated_response(EmployeeSerializer(page, many=True).data)


class EmployeeDetailView(ApiView):
    @extend_schema(operation_id="employees_retrieve", responses=EmployeeSerializer)
    def get(self, request, pk: int):
        employee = selectors.employee_get(organization=acting_employee(request).organization, pk=pk)
        return Response(EmployeeSerializer(employee).data)
