from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from . import selectors, services
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

    manager = forms.ModelChoiceField(
        queryset=Employee.objects.none(), required=False, empty_label="No manager"
    )

    is_org_admin = forms.BooleanField(
        label="Organization admin",
        required=False,
        help_text="Manages people, settings and integrations.",
    )
    can_manage_integrations = forms.BooleanField(
        label="May manage integrations",
        required=False,
        help_text="Sets up and watches Settings > Integrations without being an admin.",
    )

    class Meta:
        model = Employee
        fields = PROFILE_FORM_FIELDS

    def __init__(self, *args, organization: Organization, acting: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.acting = acting
        if self.instance.pk:
            self.fields["is_org_admin"].initial = self.instance.is_org_admin
            self.fields["can_manage_integrations"].initial = self.instance.can_manage_integrations
        managers = Employee.objects.filter(organization=organization, status=Employee.Status.ACTIVE)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
            self.fields["manager"].initial = self.instance.manager_id
        self.fields["manager"].queryset = managers.order_by("first_name", "last_name")
        self.fields["manager"].label_from_instance = lambda e: f"{e.full_name} ({e.email})"
        self.fields["email"].required = True
        self.fields["first_name"].required = True
        if self.instance.pk:
            self._disable_managed()

    def _disable_managed(self) -> None:
        """Fields an identity provider manages are shown, disabled: a disabled field keeps its
        stored value whatever is posted, so saving never fights the provider's next sync."""
        for name, manager in selectors.employee_managed_fields(employee=self.instance).items():
            field = self.fields.get("manager" if name == "manager_email" else name)
            if field is not None:
                field.disabled = True
                field.help_text = f"Managed by {manager}."

    def validate_unique(self):
        # Uniqueness (case-insensitive, per organization) is checked by the service.
        pass

    def clean_is_org_admin(self) -> bool:
        is_admin = self.cleaned_data["is_org_admin"]
        if self.instance.pk == self.acting.pk and not is_admin:
            # Nobody locks themselves out; another admin can take the role away.
            raise ValidationError("You cannot remove your own admin role.")
        return is_admin

    def save(self, commit: bool = True) -> Employee:
        profile = {name: self.cleaned_data.get(name, "") for name in PROFILE_FORM_FIELDS}
        manager = self.cleaned_data.get("manager")
        try:
            # All or nothing: a refused manager must not leave the profile half saved.
            with transaction.atomic():
                if self.instance.pk:
                    employee = Employee.objects.get(pk=self.instance.pk)
                    if employee.username.lower() == employee.email.lower():
                        profile["username"] = profile["email"]
                    employee = services.employee_update(employee=employee, **profile)
                else:
                    employee = services.employee_create(organization=self.organization, **profile)
                if manager != employee.manager:
                    employee = services.employee_set_manager(employee=employee, manager=manager)
                employee = services.employee_set_roles(
                    employee=employee,
                    is_org_admin=self.cleaned_data["is_org_admin"],
                    can_manage_integrations=self.cleaned_data["can_manage_integrations"],
                )
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


class OrganizationSettingsForm(forms.Form):
    """Settings > General; a plain form, so a rejected name never touches the organization on the page."""

    name = forms.CharField(
        label="Organization name",
        max_length=Organization._meta.get_field("name").max_length,
        help_text="Shown across the portal to everyone in your organization.",
    )
    direct_reports_on_deactivation = forms.ChoiceField(
        label="When a manager is deactivated, their direct reports",
        choices=Organization.DirectReportsPolicy.choices,
        widget=forms.RadioSelect,
        help_text="Applies to deactivations from now on, whether made here or by your identity provider.",
    )

    @classmethod
    def for_organization(cls, data, *, organization: Organization) -> "OrganizationSettingsForm":
        initial = {
            "name": organization.name,
            "direct_reports_on_deactivation": organization.direct_reports_on_deactivation,
        }
        return cls(data, initial=initial)
