from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render

from engagedly_portal.celery import queue_stats

from . import selectors
from .decorators import employee_required
from .models import Employee


@login_required
@employee_required
def directory(request):
    organization = request.employee.organization
    search = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in Employee.Status.values:
        status = ""
    department = request.GET.get("department", "").strip()[:200]
    employees = selectors.employee_list(
        organization=organization, search=search, status=status, department=department
    )
    page = Paginator(employees, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "employees/directory.html",
        {
            "page": page,
            "search": search,
            "status": status,
            "department": department,
            "departments": selectors.department_names(organization=organization),
            "statuses": Employee.Status.choices,
        },
    )


@login_required
@employee_required
def detail(request, pk: int):
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    return render(
        request,
        "employees/detail.html",
        {"employee": employee, "direct_reports": selectors.employee_direct_reports(employee=employee)},
    )


@staff_member_required
def background_health(request):
    """Support staff and monitors: queue depth and the oldest unfinished background work, as JSON."""
    report = selectors.background_backlog()
    try:
        report.update(queue_stats())
    except Exception as exc:  # Redis down: still show the database side
        report.update({"queue": None, "queued": None, "unacknowledged": None, "broker_error": str(exc)[:200]})
    return JsonResponse(report)
