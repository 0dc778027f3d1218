from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html_join

from audit.services import audit_record

from .models import Employee, Organization, SignInEvent, Team
from .signals import employee_roster_changed, organization_access_changed


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "provisioning_enabled", "employee_count", "created_at")
    list_editable = ("provisioning_enabled",)
    list_filter = ("provisioning_enabled",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at", "integration_flag_history")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(employee_total=Count("employees"))

    @admin.display(description="employees", ordering="employee_total")
    def employee_count(self, organization: Organization) -> int:
        return organization.employee_total

    # Integrations cache the organization (and its provisioning flag) with what they verified: a
    # save or delete here, the change form's or the list's checkbox, tells them to check
    # again on the next request, so turning the flag off answers 403 at once.
    # The flag toggle, from the change form or the list's checkbox, is recorded in the audit
    # trail with the support person's name and email (Django's own history shows only the
    # account's opaque username).
    def save_model(self, request, obj, form, change):
        was_enabled = (
            Organization.objects.filter(pk=obj.pk).values_list("provisioning_enabled", flat=True).first()
            if change
            else None
        )
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if was_enabled is not None and was_enabled != obj.provisioning_enabled:
                audit_record(
                    action="provisioning.enabled" if obj.provisioning_enabled else "provisioning.disabled",
                    organization=obj,
                    actor=request.user,
                    target=obj,
                    before={"provisioning_enabled": was_enabled},
                    after={"provisioning_enabled": obj.provisioning_enabled},
                )
        organization_access_changed.send(sender=Organization, organization_ids=[obj.pk])

    def history_view(self, request, object_id, extra_context=None):
        # Django's own history names the account by its username, which for portal accounts is
        # an opaque "e-<uuid>": the audit trail above it names the person.
        organization = Organization.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        events = organization.audit_events.all()[:50] if organization else []
        return super().history_view(request, object_id, {**(extra_context or {}), "audit_events": events})

    @admin.display(description="integration flag history")
    def integration_flag_history(self, organization: Organization) -> str:
        events = organization.audit_events.filter(
            action__in=["provisioning.enabled", "provisioning.disabled"]
        )[:10]
        if not events:
            return "No changes recorded."
        return format_html_join(
            "",
            "<div>{} — {} ({})</div>",
            (
                (f"{event.created_at:%Y-%m-%d %H:%M} UTC", event.actor_display, event.action_label.lower())
                for event in events
            ),
        )

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        organization_access_changed.send(sender=Organization, organization_ids=[pk])

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        organization_access_changed.send(sender=Organization, organization_ids=ids)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "organization",
        "status",
        "manager_link",
        "manager_link_error",
        "updated_at",
    )
    list_filter = (
        "organization",
        "status",
        "manager_link",
        "is_org_admin",
        "can_manage_integrations",
    )
    search_fields = ("email", "username", "first_name", "last_name", "employee_number", "external_id")
    list_select_related = ("organization",)
    date_hierarchy = "created_at"
    raw_id_fields = ("manager", "user")
    readonly_fields = (
        "created_at",
        "updated_at",
        "activated_at",
        "deactivated_at",
        "deactivation_applied_at",
        "manager_link_pending_since",
        "provider_deleted_at",
        "version",
    )

    # Support staff add, move and delete employees here without the services: tell integrations
    # that cache per-organization results (SCIM list totals) that the set of employees changed.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "organization" not in form.changed_data:
            return
        moved_from = form.initial.get("organization") if change else None
        for organization_id in {obj.organization_id, moved_from} - {None}:
            employee_roster_changed.send(sender=Employee, organization_id=organization_id)

    def delete_model(self, request, obj):
        organization_id = obj.organization_id
        super().delete_model(request, obj)
        employee_roster_changed.send(sender=Employee, organization_id=organization_id)

    def delete_queryset(self, request, queryset):
        organization_ids = set(queryset.values_list("organization_id", flat=True))
        super().delete_queryset(request, queryset)
        for organization_id in organization_ids:
            employee_roster_changed.send(sender=Employee, organization_id=organization_id)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name", "external_id")
    raw_id_fields = ("members",)


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """Support's view of sign-in attempts (password, OIDC, SAML): read-only."""

    list_display = ("created_at", "organization", "email", "method", "outcome", "detail", "ip_address")
    list_filter = ("method", "outcome", "organization")
    search_fields = ("email", "detail")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
