from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_record, changed_fields

from . import selectors, services
from .account_views import request_origin
from .decorators import employee_required, org_admin_required
from .exports import directory_csv_rows
from .forms import EmployeeForm, OrganizationSettingsForm
from .models import Employee


def _directory_filters(request) -> tuple:
    """The People directory's query from its filters (search, status, department, one custom field)."""
    organization = request.employee.organization
    filters = {
        "search": request.GET.get("q", "").strip()[:200],
        "status": request.GET.get("status", ""),
        "department": request.GET.get("department", "").strip()[:200],
        "field": request.GET.get("field", ""),
        "value": request.GET.get("value", "").strip()[:200],
    }
    if filters["status"] not in Employee.Status.values:
        filters["status"] = ""
    employees = selectors.employee_list(
        organization=organization,
        search=filters["search"],
        status=filters["status"],
        department=filters["department"],
    )
    fields = services.custom_fields_active(organization_id=organization.pk)
    field = fields.get(filters["field"])
    if field is None:
        filters["field"] = ""
    elif filters["value"]:
        employees = selectors.employees_with_custom_value(employees, field=field, value=filters["value"])
    return employees, filters, fields


@login_required
@employee_required
def directory(request):
    employees, filters, fields = _directory_filters(request)
    page = Paginator(employees, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        **filters,
        "custom_fields": fields.values(),
        "departments": selectors.department_names(organization=request.employee.organization),
        "statuses": Employee.Status.choices,
    }
    return render(request, "employees/directory.html", context)


@login_required
@employee_required
@org_admin_required(message="Only organization admins can export the directory.")
def directory_export(request):
    """The filtered directory as CSV, streamed: an organization's people never sit in memory at once."""
    employees, _filters, fields = _directory_filters(request)
    response = StreamingHttpResponse(
        directory_csv_rows(employees, fields=list(fields.values())), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="people-{stamp}.csv"'
    return response


@login_required
@employee_required
def detail(request, pk: int):
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    moved_away = []
    if employee.is_active and request.employee.is_org_admin:
        moved_away = selectors.employee_reports_moved_away(employee=employee)
    return render(
        request,
        "employees/detail.html",
        {
            "employee": employee,
            "direct_reports": selectors.employee_direct_reports(employee=employee),
            "reporting_line": selectors.employee_chain(employee=employee)[:-1],
            "custom_values": selectors.employee_custom_values(employee=employee),
            "moved_away": moved_away,
        },
    )


AUDITED_EMPLOYEE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "job_title",
    "department",
    "is_org_admin",
    "can_manage_integrations",
    "manager_id",
)


def _audited(employee: Employee | None) -> dict:
    return {name: getattr(employee, name) for name in AUDITED_EMPLOYEE_FIELDS} if employee else {}


def _save_employee_form(request, form):
    if request.method == "POST" and form.is_valid():
        # As stored: validating a ModelForm has already copied the new values onto form.instance.
        before = _audited(Employee.objects.filter(pk=form.instance.pk).first() if form.instance.pk else None)
        try:
            with transaction.atomic():
                employee = form.save()
                old, new = changed_fields(before, _audited(employee))
                if old or new:
                    audit_record(
                        action="employee.updated" if before else "employee.created",
                        organization=employee.organization,
                        actor=request.user,
                        target=employee,
                        before=old if before else {},
                        after=new,
                    )
                return employee
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
        with transaction.atomic():
            services.employee_reactivate(employee=employee)
            _record_status(request, employee, "employee.reactivated", "deactivated", "active")
        messages.success(request, f"{employee.full_name} was reactivated and can sign in again.")
    elif employee.pk == request.employee.pk:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        try:
            with transaction.atomic():
                services.employee_deactivate(
                    employee=employee, reason="Deactivated by an admin in the portal", keep_last_admin=True
                )
                _record_status(request, employee, "employee.deactivated", "active", "deactivated")
        except services.LastAdminDeactivation as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{employee.full_name} was deactivated and can no longer sign in.")
    return redirect("employees:detail", pk=employee.pk)


@require_POST
@login_required
@employee_required
@org_admin_required
def restore_reports(request, pk: int):
    """After a reactivation: move back the reports the deactivation moved up, or keep them there."""
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    if request.POST.get("action") == "keep":
        services.employee_reports_keep_moved(manager=employee)
        messages.success(request, "The reports stay with their current managers.")
        return redirect("employees:detail", pk=employee.pk)
    chosen = [value for value in request.POST.getlist("report") if value.isdigit()]
    if not chosen:
        messages.error(request, "Choose the people to move back.")
        return redirect("employees:detail", pk=employee.pk)
    outcome = services.employee_reports_restore(manager=employee, report_ids=[int(v) for v in chosen])
    if outcome.restored:
        messages.success(request, f"{len(outcome.restored)} report(s) moved back to {employee.full_name}.")
    for report, reason in outcome.refused.items():
        messages.error(request, f"{report.full_name} stays with their current manager: {reason}")
    return redirect("employees:detail", pk=employee.pk)


def _record_status(request, employee: Employee, action: str, before: str, after: str) -> None:
    audit_record(
        action=action,
        organization=employee.organization,
        actor=request.user,
        target=employee,
        before={"status": before},
        after={"status": after},
    )


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
        before = {name: getattr(organization, name) for name in form.cleaned_data}
        try:
            with transaction.atomic():
                # A fresh copy: the signed-in employee's organization stays as stored if validation fails.
                updated = services.organization_update(
                    organization=selectors.organization_get(pk=organization.pk), **form.cleaned_data
                )
                old, new = changed_fields(before, {name: getattr(updated, name) for name in before})
                if new:
                    audit_record(
                        action="organization.settings_changed",
                        organization=updated,
                        actor=request.user,
                        target=updated,
                        before=old,
                        after=new,
                    )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("settings:general")
    return render(request, "employees/settings_general.html", {"form": form})


@require_POST
@login_required
@employee_required
@org_admin_required
def invite(request, pk: int):
    """Invite (or invite again) one employee to set a password."""
    employee = selectors.employee_get(organization=request.employee.organization, pk=pk)
    if services.employee_invite(employee=employee, base_url=request_origin(request)):
        messages.success(request, f"Invitation sent to {employee.email}.")
    else:
        messages.error(
            request, f"{employee.full_name} cannot be invited: inactive, or signs in with single sign-on."
        )
    return redirect("employees:detail", pk=employee.pk)


@require_POST
@login_required
@employee_required
@org_admin_required
def invite_all(request):
    """Invite every active employee who has no password yet."""
    count = services.employees_invite(
        organization=request.employee.organization, base_url=request_origin(request)
    )
    messages.success(request, f"{count} invitation{'s' if count != 1 else ''} sent.")
    return redirect("employees:directory")
