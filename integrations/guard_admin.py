"""Support staff's read-only view of the guardrails: held deactivations and recorded decisions."""

from django.contrib import admin

from .models import DeactivationBrake, GuardDecision, ProvisionedDeactivation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence: support staff read it; decisions are made by the organization's admins."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProvisionedDeactivation)
class ProvisionedDeactivationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "employee", "connection", "state", "reason", "request", "decided_by")
    list_filter = ("state", "reason", "connection__organization")
    search_fields = ("employee__email", "connection__name", "request")
    list_select_related = ("employee", "connection", "decided_by")
    date_hierarchy = "created_at"


@admin.register(GuardDecision)
class GuardDecisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organization", "connection", "action", "count", "actor", "detail")
    list_filter = ("action", "organization")
    search_fields = ("detail", "connection__name", "actor__username")
    list_select_related = ("organization", "connection", "actor")
    date_hierarchy = "created_at"


@admin.register(DeactivationBrake)
class DeactivationBrakeAdmin(ReadOnlyAdmin):
    list_display = ("organization", "enabled", "threshold", "window_minutes", "updated_at")
