from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from . import selectors, services
from .custom_fields import custom_value_display
from .models import CustomField, Employee, Organization

PROFILE_FORM_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "department",
    "business_unit",
    "employee_number",
    "cost_center",
    "phone_number",
    "street_address",
    "location_city",
    "region",
    "postal_code",
    "country",
    "locale",
    "timezone",
)


CUSTOM_PREFIX = "custom__"


def custom_form_field(field: CustomField, value) -> forms.Field:
    """The form field for one custom field, its initial value as the employee has it."""
    common = {"label": field.label, "required": False, "help_text": field.help_text}
    if field.field_type == CustomField.Type.NUMBER:
        return forms.DecimalField(initial=value, max_digits=30, decimal_places=10, **common)
    if field.field_type == CustomField.Type.DATE:
        return forms.DateField(initial=value, widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.field_type == CustomField.Type.BOOLEAN:
        initial = "" if value is None else ("true" if value else "false")
        choices = [("", "Not set"), ("true", "Yes"), ("false", "No")]
        return forms.ChoiceField(choices=choices, initial=initial, **common)
    if field.field_type == CustomField.Type.CHOICE:
        choices = [("", "Not set")] + [(option, option) for option in field.choices]
        if value and value not in field.choices:  # an option removed since: keep showing the value
            choices.append((value, f"{value} (no longer an option)"))
        return forms.ChoiceField(choices=choices, initial=value or "", **common)
    return forms.CharField(initial=custom_value_display(field, value), max_length=1000, **common)


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
        labels = {"location_city": "City", "phone_number": "Phone"}
        help_texts = {
            "locale": "Language and region for dates and numbers, e.g. en-US or pt-PT.",
            "timezone": "An IANA time zone, e.g. Europe/Lisbon or America/Chicago.",
        }

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
        self.custom_fields = services.custom_fields_active(organization_id=organization.pk)
        for key, field in self.custom_fields.items():
            self.fields[CUSTOM_PREFIX + key] = custom_form_field(field, self.instance.custom_values.get(key))

        if self.instance.pk:
            self._disable_managed()

    def custom_bound_fields(self):
        return [self[CUSTOM_PREFIX + key] for key in self.custom_fields]

    def standard_bound_fields(self):
        return [bound for bound in self if not bound.name.startswith(CUSTOM_PREFIX)]

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

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        # A value an identity provider sent stays as it is even when it is no IANA name; one
        # typed here must be a name the portal can convert times with.
        if value and value != self.instance.timezone and value not in available_timezones():
            raise ValidationError("Enter a time zone such as Europe/Lisbon or America/Chicago.")
        return value

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
                custom = {key: self.cleaned_data.get(CUSTOM_PREFIX + key) for key in self.custom_fields}
                if custom:
                    employee = services.employee_set_custom_values(employee=employee, values=custom)
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
                    if CUSTOM_PREFIX + field in self.fields:
                        field = CUSTOM_PREFIX + field
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

    invite_on_provisioning = forms.BooleanField(
        label="Invite people when your identity provider provisions them",
        required=False,
        help_text="Each new employee gets an email with a link to set a password. Not sent when your "
        "organization requires single sign-on.",
    )

    @classmethod
    def for_organization(cls, data, *, organization: Organization) -> "OrganizationSettingsForm":
        initial = {
            "name": organization.name,
            "direct_reports_on_deactivation": organization.direct_reports_on_deactivation,
            "invite_on_provisioning": organization.invite_on_provisioning,
        }
        return cls(data, initial=initial)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)


class TeamMemberForm(forms.Form):
    """Add a member by email (a select of every employee would not scale)."""

    email = forms.CharField(label="Employee email", max_length=254, strip=True)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self) -> Employee:
        email = self.cleaned_data["email"]
        employee = Employee.objects.filter(organization=self.organization, email__iexact=email).first()
        if employee is None:
            raise ValidationError("No employee with this email in this organization.")
        return employee


class CustomFieldForm(forms.Form):
    """Settings > Profile fields: define a field (key and type are fixed once created)."""

    label = forms.CharField(max_length=100, strip=True)
    key = forms.CharField(
        max_length=64,
        strip=True,
        help_text="A short name for identity providers and exports, such as costCenter. Fixed once created.",
    )
    field_type = forms.ChoiceField(label="Type", choices=CustomField.Type.choices)
    help_text = forms.CharField(label="Help text", max_length=300, required=False, strip=True)
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For a single-choice field: one option per line.",
    )

    def __init__(self, *args, instance: CustomField | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": instance.label,
                    "key": instance.key,
                    "field_type": instance.field_type,
                    "help_text": instance.help_text,
                    "choices": "\n".join(instance.choices),
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            for name in ("key", "field_type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the field exists."

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254)
