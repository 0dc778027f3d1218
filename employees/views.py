from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .decorators import employee_required, org_admin_required
from .forms import EmployeeForm, OrganizationSettingsForm
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


def _save_employee_form(request, form):
    if request.method == "POST" and form.is_valid():
        try:
            return form.save()
        except ValidationError:
            return None  # the form now carries the errors; rendered below
    return None


@login_required
@employee_required
@org_admin_required
def add(request):
    form = EmployeeForm(
        request.POST or None, organization=request.employee.organization, acting=request.employee
    )
    employee = _save_employee_form(request, form)
    if employee is not None:
        messages.success(request, f"{employee.full_name} was added.")
        return redirect("employees:detail", pk=employee.pk)
    return render(request, "employees/form.html", {"form": form, "title": "Add employee"})


@login_required
@employee_required
@org_admin_required
def edit(request, pk: int):
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    form = EmployeeForm(
        request.POST or None, instance=employee, organization=employee.organization, acting=request.employee
    )
    saved = _save_employee_form(request, form)
    if saved is not None:
        messages.success(request, "Changes saved.")
        return redirect("employees:detail", pk=saved.pk)
    return render(request, "employees/form.html", {"form": form, "title": f"Edit {employee.full_name}"})


@require_http_methods(["GET", "POST"])
@login_required
@employee_required
@org_admin_required
def change_status(request, pk: int):
    """Deactivate (after a confirmation page) or reactivate an employee."""
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    if request.method != "POST":
        return render(request, "employees/confirm_deactivate.html", {"employee": employee})
    if request.POST.get("action") == "reactivate":
        services.employee_reactivate(employee=employee)
        messages.success(request, f"{employee.full_name} was reactivated and can sign in again.")
    elif employee.pk == request.employee.pk:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        try:
            services.employee_deactivate(
                employee=employee, reason="Deactivated by an admin in the portal", keep_last_admin=True
            )
        except services.LastAdminDeactivation as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{employee.full_name} was deactivated and can no longer sign in.")
    return redirect("employees:detail", pk=employee.pk)


@login_required
@employee_required
def settings_index(request):
    """The Settings nav link: the first tab this user may open."""
    if request.employee.is_org_admin:
        return redirect("settings:general")
    if request.employee.may_manage_integrations:
        return redirect("integrations:index")
    raise PermissionDenied("Only organization admins can change settings.")


@require_http_methods(["GET", "POST"])
@login_required
@employee_required
@org_admin_required(message="Only organization admins can change the organization’s settings.")
@never_cache
def settings_general(request):
    organization = request.employee.organization
    form = OrganizationSettingsForm.for_organization(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: the signed-in employee's organization stays as stored if validation fails.
            services.organization_update(
                organization=selectors.organization_get(pk=organization.pk), **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("settings:general")
    return render(request, "employees/settings_general.html", {"form": form})
