"""The HR domain: organizations, their employees and teams. Knows nothing of identity providers."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from .validators import InternationalEmailField, validate_profile_extras


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    # Support staff turn provisioning on in Django admin; until then identity providers are refused.
    provisioning_enabled = models.BooleanField("Okta integration enabled", default=False)

    class DirectReportsPolicy(models.TextChoices):
        KEEP = "keep", "Keep reporting to the deactivated manager"
        REASSIGN = "reassign", "Reassign to the deactivated manager's own manager"

    direct_reports_on_deactivation = models.CharField(
        max_length=16, choices=DirectReportsPolicy.choices, default=DirectReportsPolicy.KEEP
    )
    # Sign-in policy. An identity provider's new employees get an invitation to set a password;
    # with single sign-on required, only break-glass admins (Employee.password_sign_in_allowed)
    # may still use a password. The sso app sets sso_required; the domain only obeys it.
    invite_on_provisioning = models.BooleanField("invite people when they are provisioned", default=False)
    sso_required = models.BooleanField("require single sign-on", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEACTIVATED = "deactivated", "Deactivated"

    class ManagerLink(models.TextChoices):
        NONE = "none", "No manager"
        PENDING = "pending", "Pending"
        RESOLVED = "resolved", "Resolved"
        UNRESOLVED = "unresolved", "Unresolved"

    # No index of its own: employee_org_status and the others that start with it serve every
    # lookup by organization and its cascade.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employees", db_index=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    # The sign-in name; equals the email unless the identity provider sends another userName.
    username = models.CharField(max_length=254)
    email = InternationalEmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=300, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    business_unit = models.CharField(max_length=200, blank=True)
    location_city = models.CharField("location (city)", max_length=200, blank=True)
    employee_number = models.CharField("employee ID", max_length=100, blank=True)
    cost_center = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)

    # The rest of a directory profile (identity providers send them; RFC 7643 §4.1 names them).
    # Columns, not a JSON document, because the portal shows, edits, filters or sorts by them;
    # what it does neither with is kept in profile_extras below.
    name_formatted = models.CharField("full name as formatted", max_length=300, blank=True)
    middle_name = models.CharField(max_length=150, blank=True)
    honorific_prefix = models.CharField(max_length=50, blank=True)
    honorific_suffix = models.CharField(max_length=50, blank=True)
    nick_name = models.CharField("nickname", max_length=150, blank=True)
    profile_url = models.CharField("profile URL", max_length=1000, blank=True)
    user_type = models.CharField(max_length=100, blank=True)
    preferred_language = models.CharField(max_length=100, blank=True)
    locale = models.CharField(max_length=100, blank=True)
    timezone = models.CharField("time zone", max_length=100, blank=True)
    # The one phone number and postal address the profile shows, each with its label ("work",
    # "mobile", "home"): the provider's work entry, else its primary one, else its first.
    phone_number = models.CharField("phone", max_length=100, blank=True)
    phone_type = models.CharField(max_length=50, blank=True)
    address_type = models.CharField(max_length=50, blank=True)
    address_formatted = models.CharField("address as formatted", max_length=500, blank=True)
    street_address = models.CharField(max_length=300, blank=True)
    region = models.CharField("state or region", max_length=200, blank=True)
    postal_code = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    # Further entries, as lists (see validators.PROFILE_EXTRA_KINDS): other phone numbers and
    # addresses, instant messaging, photos, entitlements, roles, certificates. A validated JSON
    # document rather than tables: the portal only keeps and returns them, never queries inside
    # them, and each is read and written whole with the employee, so rows would add joins and
    # writes to every provisioning request for nothing.
    profile_extras = models.JSONField(default=dict, blank=True, validators=[validate_profile_extras])

    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    # The manager's email exactly as received; resolved to `manager` in the background.
    manager_email = models.CharField(max_length=254, blank=True)
    manager_link = models.CharField(max_length=16, choices=ManagerLink.choices, default=ManagerLink.NONE)
    manager_link_error = models.CharField(max_length=300, blank=True)
    # When the link last became pending: the health report's "oldest pending" and the sweep's grace period.
    manager_link_pending_since = models.DateTimeField(null=True, blank=True)
    # The manager this employee reported to before the "reassign reports" policy moved them up on
    # that manager's deactivation, so reactivating the manager can offer to restore them.
    moved_from_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_moved_away"
    )

    is_org_admin = models.BooleanField("organization admin", default=False)
    can_manage_integrations = models.BooleanField("may manage integrations", default=False)
    # Break-glass: may sign in with a password even when the organization requires single sign-on
    # (so an identity provider outage does not lock every admin out).
    password_sign_in_allowed = models.BooleanField("may use a password when SSO is required", default=False)
    # When the latest invitation to set a password was asked for (the profile shows it), and,
    # until its email is sent, since when it waits: a sweep re-sends one whose message was lost.
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_pending_since = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    activated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set by the background task once a deactivation's effects (sign-in, sessions,
    # direct reports) are applied; the sweep re-enqueues deactivations where it is empty.
    deactivation_applied_at = models.DateTimeField(null=True, blank=True)

    # Provisioning: the identity provider's id for the person, and whether the provider deleted
    # it (the employee stays, deactivated). Which connection provisions whom is integrations' own.
    external_id = models.CharField(max_length=255, blank=True)
    provider_deleted_at = models.DateTimeField(null=True, blank=True)
    # Bumped once per write that changes the employee; identity providers see it as the ETag.
    version = models.PositiveIntegerField(default=1)

    # The organization's custom profile fields, by CustomField.key, in their JSON types
    # (see employees/custom_fields.py); a key stays after its field is archived, until purged.
    custom_values = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "organization", name="employee_email_unique_per_org_ci"),
            models.UniqueConstraint(
                Lower("username"), "organization", name="employee_username_unique_per_org_ci"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="employee_org_status"),
            models.Index(fields=["organization", "manager_link"], name="employee_org_manager_link"),
            # The live employees of an organization in id order: a provider's paged import skips
            # its offset and counts in the index alone.
            models.Index(
                fields=["organization", "id"],
                condition=models.Q(provider_deleted_at__isnull=True),
                name="employee_org_live",
            ),
            # The sweep and the health report read only the (small) sets of unfinished work.
            models.Index(
                fields=["deactivated_at"],
                condition=models.Q(status="deactivated", deactivation_applied_at__isnull=True),
                name="employee_deactivation_pending",
            ),
            models.Index(
                fields=["manager_link_pending_since"],
                condition=models.Q(manager_link="pending"),
                name="employee_manager_link_pending",
            ),
            models.Index(
                fields=["invitation_pending_since"],
                condition=models.Q(invitation_pending_since__isnull=False),
                name="employee_invitation_pending",
            ),
            # A newly created manager (or a changed email) finds the reports waiting for it.
            models.Index(
                Lower("manager_email"),
                "organization",
                condition=models.Q(manager_link="pending"),
                name="employee_waiting_for_manager",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email

    @property
    def postal_address_lines(self) -> list[str]:
        """The address as lines for display: its parts when there are any, else as formatted."""
        locality = " ".join(part for part in (self.location_city, self.region, self.postal_code) if part)
        lines = [line for line in (self.street_address, locality, self.country) if line]
        return lines or [line for line in self.address_formatted.splitlines() if line.strip()]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def may_use_password(self) -> bool:
        """Password sign-in is open unless the organization requires SSO (break-glass admins aside)."""
        return not self.organization.sso_required or self.password_sign_in_allowed

    @property
    def may_manage_integrations(self) -> bool:
        return self.is_active and (self.is_org_admin or self.can_manage_integrations)


class Team(models.Model):
    """A group of employees."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(Employee, related_name="teams", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BackgroundHeartbeat(models.Model):
    """When a Celery worker, and the beat that schedules the sweep, were last seen: for monitors.

    One row per kind, overwritten: a worker writes every WORKER_HEARTBEAT_SECONDS while it is
    connected to the broker; the sweep, which only beat sends, writes "beat" each time it runs.
    """

    class Kind(models.TextChoices):
        WORKER = "worker", "Worker"
        BEAT = "beat", "Beat"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    seen_at = models.DateTimeField()
    seen_by = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} seen {self.seen_at:%Y-%m-%d %H:%M:%S} by {self.seen_by}"


class UserSession(AbstractBaseSession):
    """A database session that records its user, so a deactivation ends every session with one query."""

    user_id = models.BigIntegerField(null=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore


class CustomField(models.Model):
    """A profile field an organization defines for its employees; values live in Employee.custom_values."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes / no"
        CHOICE = "choice", "Single choice"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="custom_fields", db_index=False
    )
    # Also the attribute's name in the SCIM schema extension, hence RFC 7643 §2.1's ATTRNAME rule.
    key = models.CharField(
        max_length=64,
        validators=[
            RegexValidator(
                r"^[A-Za-z][A-Za-z0-9_-]*$",
                "Start with a letter; use only letters, digits, hyphens and underscores.",
            )
        ],
        help_text="A short name for identity providers and exports, such as costCenter.",
    )
    label = models.CharField(max_length=100)
    help_text = models.CharField(max_length=300, blank=True)
    field_type = models.CharField("type", max_length=16, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Archived fields leave forms and schemas; their stored values stay until the field is deleted.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("key"), "organization", name="customfield_key_unique_per_org_ci")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class SignInEvent(models.Model):
    """One sign-in attempt, successful or not, as the organization's admins and support see it."""

    class Method(models.TextChoices):
        PASSWORD = "password", "Password"
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"
        PASSWORD_LINK = "password_link", "Password set from an emailed link"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Signed in"
        FAILURE = "failure", "Refused"
        LOCKED_OUT = "locked_out", "Locked out"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="signinevent_org_time")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} sign-in {self.outcome} for {self.email or '?'}"
