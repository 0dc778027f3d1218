"""Settings > Profile fields: the organization's custom profile fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .decorators import employee_required, org_admin_required
from .forms import CustomFieldForm

ADMINS_ONLY = "Only organization admins can change the organization’s profile fields."


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@employee_required
@org_admin_required(message=ADMINS_ONLY)
def field_list(request):
    fields = selectors.custom_fields_list(organization=request.employee.organization)
    return render(request, "employees/settings_fields.html", {"fields": fields})


@require_http_methods(["GET", "POST"])
@login_required
@employee_required
@org_admin_required(message=ADMINS_ONLY)
def field_add(request):
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            field = services.custom_field_create(
                organization=request.employee.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"The field {field.label} was added to every profile.")
            return redirect("settings:fields")
    return render(
        request, "employees/settings_field_form.html", {"form": form, "title": "Add a profile field"}
    )


@require_http_methods(["GET", "POST"])
@login_required
@employee_required
@org_admin_required(message=ADMINS_ONLY)
def field_edit(request, pk: int):
    field = selectors.custom_field_get(organization=request.employee.organization, pk=pk)
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_field_update(
                field=field,
                label=form.cleaned_data["label"],
                help_text=form.cleaned_data["help_text"],
                choices=form.cleaned_data["choices"],
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"The field {field.label} was saved.")
            return redirect("settings:fields")
    context = {"form": form, "field": field, "title": f"Edit {field.label}"}
    return render(request, "employees/settings_field_form.html", context)


@require_POST
@login_required
@employee_required
@org_admin_required(message=ADMINS_ONLY)
def field_archive(request, pk: int):
    field = selectors.custom_field_get(organization=request.employee.organization, pk=pk)
    if request.POST.get("action") == "restore":
        services.custom_field_restore(field=field, actor=request.user)
        messages.success(request, f"{field.label} is back on every profile, with the values it had.")
    else:
        services.custom_field_archive(field=field, actor=request.user)
        messages.success(
            request, f"{field.label} was archived: it left profiles and forms; its stored values are kept."
        )
    return redirect("settings:fields")


@require_http_methods(["GET", "POST"])
@login_required
@employee_required
@org_admin_required(message=ADMINS_ONLY)
def field_delete(request, pk: int):
    """Delete an archived field for good, after a confirmation that says how many values go with it."""
    field = selectors.custom_field_get(organization=request.employee.organization, pk=pk)
    if request.method == "POST":
        try:
            purged = services.custom_field_delete(field=field, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{field.label} was deleted with the values of {purged} employee(s).")
        return redirect("settings:fields")
    holders = selectors.custom_field_holders(field=field)
    return render(request, "employees/settings_field_delete.html", {"field": field, "holders": holders})
