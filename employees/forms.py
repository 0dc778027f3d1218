from django import forms
from django.core.exceptions import ValidationError

from . import services
from .models import Employee, Organization

PROFILE_FORM_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "department",
    "business_unit",
    "location_city",
    "employee_number",
)


class EmployeeForm(forms.ModelForm):
    """Add or edit an employee of one organization; saving goes through the services."""

    manager = forms.ModelChoiceField(queryset=Employee.objects.none(), required=False)

    class Meta:
        model = Employee
        fields = PROFILE_FORM_FIELDS

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        managers = Employee.objects.filter(organization=organization, status=Employee.Status.ACTIVE)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
            self.fields["manager"].initial = self.instance.manager_id
        self.fields["manager"].queryset = managers.order_by("first_name", "last_name")
        self.fields["manager"].label_from_instance = lambda e: f"{e.full_name} ({e.email})"
        self.fields["email"].required = True
        self.fields["first_name"].required = True

    def validate_unique(self):
        # Uniqueness (case-insensitive, per organization) is checked by the service.
        pass

    def save(self, commit: bool = True) -> Employee:
        profile = {name: self.cleaned_data.get(name, "") for name in PROFILE_FORM_FIELDS}
        manager = self.cleaned_data.get("manager")
        try:
            if self.instance.pk:
                employee = Employee.objects.get(pk=self.instance.pk)
                if employee.username.lower() == employee.email.lower():
                    profile["username"] = profile["email"]
                employee = services.employee_update(employee=employee, **profile)
            else:
                employee = services.employee_create(organization=self.organization, **profile)
            if manager != employee.manager:
                employee = services.employee_set_manager(employee=employee, manager=manager)
        except services.EmployeeConflict as exc:
            self.add_error("email", f"Another employee already uses {exc.value}.")
            raise ValidationError("conflict") from exc
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
            raise
        return employee
